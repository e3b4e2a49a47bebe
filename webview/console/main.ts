// The console's page: an xterm.js terminal with the line editor, talking to
// the MINIX-like shell in the simulator through the extension host.
import '@xterm/xterm/css/xterm.css';
import './style.css';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import type { ConsoleState, FromConsole, ToConsole } from '../protocol/consoleViewProtocol';
import { LineEditor } from './lineEditor';
import { onThemeChange, terminalFont, terminalTheme } from './theme';

declare function acquireVsCodeApi(): {
  postMessage(message: FromConsole): void;
  getState(): ConsoleState | undefined;
  setState(state: ConsoleState): void;
};

const PROMPT = '# ';
const TRANSCRIPT_LIMIT = 200;
const TRANSCRIPT_CHARS_LIMIT = 200_000;

/**
 * xterm.js draws its colours and cell sizes with <style> elements it creates
 * itself. The page's Content-Security-Policy admits style elements only with
 * this page's nonce, so every style element created here carries it; styles
 * from anywhere else stay blocked.
 */
function allowOwnStyleElements(): void {
  const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce;
  if (!nonce) return;
  const create = Document.prototype.createElement;
  Document.prototype.createElement = function (this: Document, tagName: string, options?: ElementCreationOptions): HTMLElement {
    const element = create.call(this, tagName, options);
    if (element instanceof HTMLStyleElement) element.nonce = nonce;
    return element;
  } as typeof Document.prototype.createElement;
}

allowOwnStyleElements();

const vscode = acquireVsCodeApi();
const saved = vscode.getState();
const transcript: { line: string; output: string }[] = [...(saved?.transcript ?? [])];

const terminal = new Terminal({
  convertEol: true,
  cursorBlink: true,
  scrollback: 5000,
  theme: terminalTheme(),
  ...terminalFont(),
  // Contrast adjustment would set colours as inline style attributes, which the page's policy forbids.
  minimumContrastRatio: 1,
  screenReaderMode: false,
});
const fit = new FitAddon();
terminal.loadAddon(fit);
const host = document.getElementById('terminal') as HTMLElement;
terminal.open(host);
fit.fit();

const editor = new LineEditor(
  { get columns() { return terminal.cols; }, write: (data) => terminal.write(data) },
  PROMPT,
  PROMPT.length,
  saved?.history ?? [],
);

let nextMessageId = 1;
let pending: { messageId: number; kind: 'execute' | 'complete'; line: string } | undefined;
let queued = '';
const inputWaiters: number[] = [];

function save(): void {
  while (transcript.length > TRANSCRIPT_LIMIT) transcript.shift();
  let chars = transcript.reduce((n, t) => n + t.line.length + t.output.length, 0);
  while (chars > TRANSCRIPT_CHARS_LIMIT && transcript.length > 1) {
    const dropped = transcript.shift()!;
    chars -= dropped.line.length + dropped.output.length;
  }
  vscode.setState({ history: [...editor.historyEntries], transcript });
}

function post(m: FromConsole): void {
  vscode.postMessage(m);
}

/** Hands typed data to the editor until it asks for something; what follows waits for the answer. */
function pump(): void {
  while (pending === undefined && queued !== '') {
    const { request, rest } = editor.feed(queued);
    queued = rest;
    if (request === undefined) break;
    const messageId = nextMessageId++;
    if (request.kind === 'submit') {
      if (request.line.trim() === '') {
        editor.showPrompt();
        continue;
      }
      pending = { messageId, kind: 'execute', line: request.line };
      post({ type: 'execute', messageId, line: request.line, columns: terminal.cols });
    } else {
      pending = { messageId, kind: 'complete', line: request.line };
      post({ type: 'complete', messageId, line: request.line, cursor: request.cursor });
    }
  }
  if (pending === undefined && queued === '') {
    for (const id of inputWaiters.splice(0)) post({ type: 'inputDone', inReplyTo: id });
  }
}

function type(data: string): void {
  queued += data;
  pump();
}

function screenText(): string {
  const buffer = terminal.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

window.addEventListener('message', (event: MessageEvent<ToConsole>) => {
  const m = event.data;
  switch (m.type) {
    case 'executed': {
      if (pending?.messageId !== m.inReplyTo) return;
      const line = pending.line;
      pending = undefined;
      if (m.output !== '') terminal.write(`${m.output}\n`);
      transcript.push({ line, output: m.output });
      save();
      editor.showPrompt();
      pump();
      return;
    }
    case 'completed':
      if (pending?.messageId !== m.inReplyTo) return;
      pending = undefined;
      editor.complete(m);
      pump();
      return;
    case 'input':
      inputWaiters.push(m.messageId);
      type(m.data);
      return;
    case 'readScreen':
      // Writes are applied asynchronously; the callback runs once everything written so far is on screen.
      terminal.write('', () => post({ type: 'screen', inReplyTo: m.messageId, text: screenText() }));
      return;
  }
});

terminal.onData(type);

new ResizeObserver(() => {
  const cols = terminal.cols;
  fit.fit();
  if (terminal.cols !== cols) editor.resized();
}).observe(host);

onThemeChange(() => {
  terminal.options.theme = terminalTheme();
  const font = terminalFont();
  terminal.options.fontFamily = font.fontFamily;
  terminal.options.fontSize = font.fontSize;
  fit.fit();
});

if (transcript.length > 0) {
  for (const t of transcript) terminal.write(`${PROMPT}${t.line}\n${t.output === '' ? '' : `${t.output}\n`}`);
} else {
  terminal.write('\x1b[1mMicrokernel Lab console\x1b[0m: a MINIX-like shell over the running system. Type \x1b[1mhelp\x1b[0m for the commands.\n');
}
editor.showPrompt();
terminal.focus();
window.addEventListener('focus', () => terminal.focus());
save();
post({ type: 'ready' });
