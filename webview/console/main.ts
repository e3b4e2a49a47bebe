// The console's page: an xterm.js terminal with the line editor, talking to
// the MINIX-like shell in the simulator through the extension host.
import '@xterm/xterm/css/xterm.css';
import './style.css';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import type { ConsoleProtocol, ConsoleState } from '../protocol/consoleViewProtocol';
import { connectToHost } from '../shared/connect';
import { LineEditor } from './lineEditor';
import { onThemeChange, terminalFont, terminalTheme } from './theme';
import { isWorkbenchKey, keepsFromBrowser } from './workbenchKeys';

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

const host = connectToHost<ConsoleProtocol, ConsoleState>();
const { rpc } = host;
const saved = host.getState();
const transcript: { line: string; output: string }[] = [...(saved?.transcript ?? [])];

const terminal = new Terminal({
  convertEol: true,
  cursorBlink: true,
  scrollback: 5000,
  theme: terminalTheme(),
  ...terminalFont(),
  // Contrast adjustment would set colours as inline style attributes, which the page's policy forbids;
  // the theme's colours are made readable beforehand instead (theme.ts).
  minimumContrastRatio: 1,
  screenReaderMode: false,
});
// The editor's own shortcuts (F1, Ctrl+Shift+P, ...) pass the terminal by: false leaves the event
// uncancelled, so it reaches the webview's host, which hands it to the workbench.
terminal.attachCustomKeyEventHandler((event) => {
  if (!isWorkbenchKey(event)) return true;
  if (event.type === 'keydown' && keepsFromBrowser(event)) event.preventDefault();
  return false;
});
const fit = new FitAddon();
terminal.loadAddon(fit);
const terminalElement = document.getElementById('terminal') as HTMLElement;
terminal.open(terminalElement);
fit.fit();

const editor = new LineEditor(
  { get columns() { return terminal.cols; }, write: (data) => terminal.write(data) },
  PROMPT,
  PROMPT.length,
  saved?.history ?? [],
);

/** Whether a line waits for the shell's output or a completion for its candidates; typed data queues behind it. */
let waiting = false;
let queued = '';
const inputWaiters: (() => void)[] = [];

function save(): void {
  while (transcript.length > TRANSCRIPT_LIMIT) transcript.shift();
  let chars = transcript.reduce((n, t) => n + t.line.length + t.output.length, 0);
  while (chars > TRANSCRIPT_CHARS_LIMIT && transcript.length > 1) {
    const dropped = transcript.shift()!;
    chars -= dropped.line.length + dropped.output.length;
  }
  host.setState({ history: [...editor.historyEntries], transcript });
}

/** Hands typed data to the editor until it asks for something; what follows waits for the answer. */
function pump(): void {
  while (!waiting && queued !== '') {
    const { request, rest } = editor.feed(queued);
    queued = rest;
    if (request === undefined) break;
    if (request.kind === 'submit') {
      if (request.line.trim() === '') {
        editor.showPrompt();
        continue;
      }
      waiting = true;
      void execute(request.line);
    } else {
      waiting = true;
      void complete(request.line, request.cursor);
    }
  }
  if (!waiting && queued === '') {
    for (const done of inputWaiters.splice(0)) done();
  }
}

async function execute(line: string): Promise<void> {
  let output: string;
  try {
    output = (await rpc.request('execute', { line, columns: terminal.cols })).output;
  } catch (e) {
    output = `\x1b[31mthe simulator did not answer: ${(e as Error).message}\x1b[0m`;
  }
  waiting = false;
  if (output !== '') terminal.write(`${output}\n`);
  transcript.push({ line, output });
  save();
  editor.showPrompt();
  pump();
}

async function complete(line: string, cursor: number): Promise<void> {
  let completion = { start: cursor, end: cursor, candidates: [] as string[] };
  try {
    completion = await rpc.request('complete', { line, cursor });
  } catch {
    // No candidates: the line stays as typed.
  }
  waiting = false;
  editor.complete(completion);
  pump();
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

rpc.handle(
  'input',
  ({ data }) =>
    new Promise<void>((resolve) => {
      inputWaiters.push(resolve);
      type(data);
    }),
);
// Writes are applied asynchronously; the callback runs once everything written so far is on screen.
rpc.handle('readScreen', () => new Promise((resolve) => terminal.write('', () => resolve({ text: screenText() }))));

terminal.onData(type);

new ResizeObserver(() => {
  const cols = terminal.cols;
  fit.fit();
  if (terminal.cols !== cols) editor.resized();
}).observe(terminalElement);

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
rpc.announceReady();
