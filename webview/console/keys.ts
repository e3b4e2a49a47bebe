// Splits the data a terminal sends for key presses and pastes into single
// keys: printable characters, control characters, and escape sequences.

export type Key =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'enter' | 'backspace' | 'delete' | 'left' | 'right' | 'up' | 'down' | 'home' | 'end' | 'tab' }
  | { readonly kind: 'wordLeft' | 'wordRight' }
  | { readonly kind: 'ctrl'; readonly letter: string }
  | { readonly kind: 'ignored'; readonly data: string };

const CSI_KEYS: Readonly<Record<string, Key['kind']>> = {
  A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end',
  '1~': 'home', '7~': 'home', '4~': 'end', '8~': 'end', '3~': 'delete',
};

/** Splits `data` into keys; `\r`, `\n` and `\r\n` are each one Enter. */
export function splitKeys(data: string): Key[] {
  const keys: Key[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') keys.push({ kind: 'text', text });
    text = '';
  };
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    const code = c.charCodeAt(0);
    if (c === '\x1b') {
      flush();
      const next = data[i + 1];
      if (next === '[') {
        let j = i + 2;
        while (j < data.length && !/[\x40-\x7e]/.test(data[j]!)) j++;
        const body = data.slice(i + 2, j + 1);
        i = j;
        const plain = body.replace(/^1;[0-9]+(?=[A-Z])/, '');
        const modified = /^1;[35]/.test(body);
        const kind = CSI_KEYS[plain] ?? CSI_KEYS[body];
        if (modified && plain === 'D') keys.push({ kind: 'wordLeft' });
        else if (modified && plain === 'C') keys.push({ kind: 'wordRight' });
        else keys.push(kind === undefined ? { kind: 'ignored', data: `\x1b[${body}` } : ({ kind } as Key));
      } else if (next === 'O' && i + 2 < data.length) {
        const kind = CSI_KEYS[data[i + 2]!];
        keys.push(kind === undefined ? { kind: 'ignored', data: data.slice(i, i + 3) } : ({ kind } as Key));
        i += 2;
      } else if (next === 'b' || next === 'f') {
        keys.push({ kind: next === 'b' ? 'wordLeft' : 'wordRight' });
        i += 1;
      } else {
        keys.push({ kind: 'ignored', data: '\x1b' });
      }
    } else if (c === '\r' || c === '\n') {
      flush();
      keys.push({ kind: 'enter' });
      if (c === '\r' && data[i + 1] === '\n') i++;
    } else if (c === '\x7f' || c === '\b') {
      flush();
      keys.push({ kind: 'backspace' });
    } else if (c === '\t') {
      flush();
      keys.push({ kind: 'tab' });
    } else if (code < 0x20) {
      flush();
      keys.push({ kind: 'ctrl', letter: String.fromCharCode(code + 0x60) });
    } else {
      text += c;
    }
  }
  flush();
  return keys;
}
