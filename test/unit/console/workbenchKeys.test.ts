// Which keys the console's terminal leaves to the workbench: the editor's global shortcuts
// the shell does not use (F1, Ctrl+Shift+P, ...), and not the keys the shell reads.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isWorkbenchKey, keepsFromBrowser, type KeyPress } from '../../../webview/console/workbenchKeys';

/** A key press as a browser reports it on a US layout: `ctrl+shift+p`, `f1`, `cmd+shift+p`, `ctrl+\``. */
function press(spec: string): KeyPress {
  const parts = spec.split('+');
  let name = parts.pop()!;
  if (name === '' && spec.endsWith('+')) name = '+';
  const has = (m: string) => parts.includes(m);
  const named: Record<string, [string, number]> = {
    enter: ['Enter', 13], tab: ['Tab', 9], backspace: ['Backspace', 8], escape: ['Escape', 27], space: [' ', 32],
    left: ['ArrowLeft', 37], up: ['ArrowUp', 38], right: ['ArrowRight', 39], down: ['ArrowDown', 40], home: ['Home', 36], end: ['End', 35],
    delete: ['Delete', 46], '`': ['`', 192], '\\': ['\\', 220], ',': [',', 188], '=': ['=', 187], '-': ['-', 189], '[': ['[', 219],
    control: ['Control', 17], shift: ['Shift', 16],
  };
  let key: string;
  let keyCode: number;
  if (/^f\d+$/.test(name)) [key, keyCode] = [name.toUpperCase(), 111 + Number(name.slice(1))];
  else if (named[name]) [key, keyCode] = named[name]!;
  else if (/^[a-z]$/.test(name)) [key, keyCode] = [has('shift') ? name.toUpperCase() : name, name.toUpperCase().charCodeAt(0)];
  else if (/^\d$/.test(name)) [key, keyCode] = [name, name.charCodeAt(0)];
  else throw new Error(`unknown key ${name}`);
  return { key, keyCode, ctrlKey: has('ctrl'), shiftKey: has('shift'), altKey: has('alt'), metaKey: has('cmd') };
}

describe('console keys left to the workbench', () => {
  it('gives the workbench F1 and Ctrl+Shift+P / Cmd+Shift+P, the command palette', () => {
    for (const k of ['f1', 'ctrl+shift+p', 'cmd+shift+p']) assert.ok(isWorkbenchKey(press(k)), k);
  });

  it('gives the workbench every function key, with any modifiers (the debugger\'s F5, F9, F10, F11 among them)', () => {
    for (const k of ['f2', 'f5', 'shift+f5', 'ctrl+shift+f5', 'f9', 'f10', 'f11', 'shift+f11', 'f12', 'alt+f4', 'f24']) {
      assert.ok(isWorkbenchKey(press(k)), k);
      assert.ok(keepsFromBrowser(press(k)), `${k}: the browser would reload, go full screen, ...`);
    }
  });

  it('gives the workbench Ctrl/Cmd with Shift, and Ctrl/Cmd with keys that are not letters', () => {
    for (const k of ['ctrl+shift+`', 'ctrl+shift+e', 'ctrl+shift+f', 'ctrl+shift+d', 'ctrl+shift+tab', 'ctrl+`', 'ctrl+1', 'ctrl+\\', 'ctrl+,', 'ctrl+tab', 'ctrl+=', 'ctrl+-', 'cmd+,', 'cmd+1', 'cmd+shift+e']) {
      assert.ok(isWorkbenchKey(press(k)), k);
    }
  });

  it('keeps for the terminal what the shell reads: text, editing keys, Ctrl+letters, Alt', () => {
    const terminal = [
      'a', 'shift+a', '1', 'space', 'enter', 'tab', 'shift+tab', 'backspace', 'delete', 'escape', 'left', 'right', 'up', 'down', 'home', 'end',
      'ctrl+left', 'ctrl+right', 'ctrl+shift+left', 'ctrl+enter', 'ctrl+backspace',
      // The line editor's keys; Ctrl+P is the previous line here, not Quick Open; Ctrl+J is Enter.
      'ctrl+a', 'ctrl+e', 'ctrl+b', 'ctrl+f', 'ctrl+u', 'ctrl+k', 'ctrl+w', 'ctrl+c', 'ctrl+l', 'ctrl+p', 'ctrl+n', 'ctrl+d', 'ctrl+j',
      'alt+b', 'alt+f', 'ctrl+alt+q', 'cmd+a', 'cmd+c', 'cmd+v', 'control', 'shift',
    ];
    for (const k of terminal) assert.equal(isWorkbenchKey(press(k)), false, k);
  });

  it('judges Ctrl+<letter> by the key code, as xterm.js does, whatever the layout prints', () => {
    // Ctrl+P on a Russian layout: the key is 'з', the key code still P's; the terminal sends ^P.
    assert.equal(isWorkbenchKey({ key: 'з', keyCode: 80, ctrlKey: true, shiftKey: false, altKey: false, metaKey: false }), false);
  });

  it('leaves the browser its defaults for Ctrl+Shift+<letter> (Ctrl+Shift+V pastes), and only for those', () => {
    assert.equal(keepsFromBrowser(press('ctrl+shift+v')), false);
    assert.equal(keepsFromBrowser(press('ctrl+shift+p')), false);
    assert.equal(keepsFromBrowser(press('ctrl+1')), true);
    assert.equal(keepsFromBrowser(press('ctrl+shift+`')), true);
    assert.equal(keepsFromBrowser(press('ctrl+p')), false, 'not the workbench\'s at all');
  });
});
