// The console's line editor: editing keys, history, completion answers, and
// drawing on a narrow terminal (checked on a small emulator of the escape
// sequences the editor writes, with xterm's pending-wrap behaviour).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineEditor, layOut, type EditorRequest } from '../../../webview/console/lineEditor';
import { splitKeys } from '../../../webview/console/keys';

/** A screen that understands \r, \n, \b, CSI n A / n C / J / K / H / 2J, and wraps like xterm (pending wrap at the last column). */
class Screen {
  rows: string[][] = [[]];
  row = 0;
  col = 0;
  private pendingWrap = false;
  constructor(readonly columns: number) {}

  write(data: string): void {
    for (let i = 0; i < data.length; i++) {
      const c = data[i]!;
      if (c === '\x1b' && data[i + 1] === '[') {
        let j = i + 2;
        while (!/[A-Za-z]/.test(data[j]!)) j++;
        const n = Number(data.slice(i + 2, j)) || 1;
        const f = data[j]!;
        if (f === 'A') this.row = Math.max(0, this.row - n);
        else if (f === 'C') this.col = Math.min(this.columns - 1, this.col + n);
        else if (f === 'J') {
          this.line().length = Math.min(this.line().length, this.col);
          this.rows.length = this.row + 1;
        } else if (f === 'K') this.line().length = Math.min(this.line().length, this.col);
        else if (f === 'H') [this.row, this.col] = [0, 0];
        this.pendingWrap = false;
        i = j;
      } else if (c === '\r') {
        this.col = 0;
        this.pendingWrap = false;
      } else if (c === '\n') {
        this.row++;
        this.pendingWrap = false;
      } else if (c === '\b') {
        this.col = Math.max(0, this.col - 1);
        this.pendingWrap = false;
      } else if (c === '\x07') {
        // bell
      } else {
        if (this.pendingWrap) {
          this.row++;
          this.col = 0;
          this.pendingWrap = false;
        }
        const line = this.line();
        while (line.length < this.col) line.push(' ');
        line[this.col] = c;
        if (this.col === this.columns - 1) this.pendingWrap = true;
        else this.col++;
      }
    }
  }

  private line(): string[] {
    while (this.rows.length <= this.row) this.rows.push([]);
    return this.rows[this.row]!;
  }

  text(): string[] {
    return this.rows.map((r) => r.join('').trimEnd());
  }
}

function setUp(columns = 80, history: string[] = []) {
  const screen = new Screen(columns);
  const editor = new LineEditor({ columns, write: (d) => screen.write(d) }, '# ', 2, history);
  editor.showPrompt();
  const requests: EditorRequest[] = [];
  const type = (data: string) => {
    let rest = data;
    while (rest !== '') {
      const r = editor.feed(rest);
      if (r.request) requests.push(r.request);
      if (r.request?.kind === 'submit') editor.showPrompt();
      rest = r.rest;
    }
  };
  return { screen, editor, requests, type };
}

const LEFT = '\x1b[D';
const RIGHT = '\x1b[C';
const UP = '\x1b[A';
const DOWN = '\x1b[B';

describe('keys', () => {
  it('splits typed data into keys, whatever sequence a key arrives as', () => {
    assert.deepEqual(splitKeys('ab\x1b[D\x1bOH\x1b[3~\x7f\r\n\t\x03').map((k) => k.kind), ['text', 'left', 'home', 'delete', 'backspace', 'enter', 'tab', 'ctrl']);
    assert.deepEqual(splitKeys('\x1b[1;5D\x1b[1;5C').map((k) => k.kind), ['wordLeft', 'wordRight']);
    assert.deepEqual(splitKeys('x\ny\rz').filter((k) => k.kind === 'enter').length, 2);
  });
});

describe('line editor', () => {
  it('inserts at the cursor and moves with arrows, Home and End (also Ctrl+A / Ctrl+E)', () => {
    const { editor, screen, type } = setUp();
    type(`srvice${LEFT.repeat(5)}e`);
    assert.equal(editor.line, 'service');
    type('\x1b[Hx\x1b[F!');
    assert.equal(editor.line, 'xservice!');
    type('\x01>\x05<');
    assert.equal(editor.line, '>xservice!<');
    assert.equal(screen.text()[0], '# >xservice!<');
    assert.equal(screen.col, 2 + 11);
  });

  it('deletes with Backspace and Delete, and cuts with Ctrl+U, Ctrl+K and Ctrl+W', () => {
    const { editor, type } = setUp();
    type(`abcd${LEFT}${LEFT}\x7f\x1b[3~`);
    assert.equal(editor.line, 'ad');
    type('\x05 service restart nic\x17');
    assert.equal(editor.line, 'ad service restart ');
    type(`${LEFT.repeat(8)}\x0b`);
    assert.equal(editor.line, 'ad service ');
    type(`${LEFT}\x15`);
    assert.equal(editor.line, ' ');
    assert.equal(editor.cursorIndex, 0);
  });

  it('submits the line on Enter and keeps the rest of the typed data for later', () => {
    const { editor, requests } = setUp();
    const r = editor.feed('ps\rtrace tail\r');
    assert.deepEqual(r.request, { kind: 'submit', line: 'ps' });
    assert.equal(r.rest, 'trace tail\r');
    assert.equal(editor.line, '');
    assert.equal(requests.length, 0);
  });

  it('drops the line on Ctrl+C and shows ^C', () => {
    const { editor, screen, type, requests } = setUp();
    type('service down nic\x03');
    assert.equal(editor.line, '');
    assert.deepEqual(screen.text(), ['# service down nic^C', '#']);
    assert.equal(requests.length, 0);
  });

  it('walks the history with Up and Down, keeping the line being typed', () => {
    const { editor, type } = setUp(80, ['ps']);
    type('iommu\riommu\r\rtrace');
    assert.deepEqual(editor.historyEntries, ['ps', 'iommu'], 'no empty lines, no repeats of the last');
    type(UP);
    assert.equal(editor.line, 'iommu');
    type(UP + UP + UP);
    assert.equal(editor.line, 'ps');
    type(DOWN);
    assert.equal(editor.line, 'iommu');
    type(DOWN);
    assert.equal(editor.line, 'trace');
  });

  it('asks for completion on Tab and applies one, several or no candidates', () => {
    const { editor, screen, requests, type } = setUp();
    const r = editor.feed('service re\tstart');
    assert.deepEqual(r.request, { kind: 'complete', line: 'service re', cursor: 10 });
    assert.equal(r.rest, 'start');
    editor.complete({ start: 8, end: 10, candidates: ['refresh', 'restart'] });
    assert.equal(editor.line, 'service re', 'no longer common prefix: the candidates are listed');
    assert.deepEqual(screen.text().slice(-2), ['refresh  restart', '# service re']);
    type('st');
    editor.complete({ start: 8, end: 12, candidates: ['restart'] });
    assert.equal(editor.line, 'service restart ');
    type('ca');
    editor.complete({ start: 16, end: 18, candidates: ['cat', 'catalogue'] });
    assert.equal(editor.line, 'service restart cat');
    editor.complete({ start: 0, end: 0, candidates: ['DOCS/'] });
    assert.equal(editor.line, 'DOCS/service restart cat', 'a directory gets no space after it');
    assert.equal(requests.length, 0);
  });

  it('draws a line longer than the terminal over several rows and edits it in place', () => {
    const { editor, screen, type } = setUp(10);
    type('abcdefghijklmnopqrstuvw');
    assert.deepEqual(screen.text(), ['# abcdefgh', 'ijklmnopqr', 'stuvw']);
    type(LEFT.repeat(15));
    assert.deepEqual([screen.row, screen.col], [1, 0]);
    type('\x7f');
    assert.deepEqual(screen.text(), ['# abcdefgi', 'jklmnopqrs', 'tuvw']);
    type('\x01XY');
    assert.deepEqual(screen.text(), ['# XYabcdef', 'gijklmnopq', 'rstuvw']);
    assert.equal(editor.line, 'XYabcdefgijklmnopqrstuvw');
    assert.deepEqual([screen.row, screen.col], [0, 4]);
  });

  it('keeps the cursor right when the line exactly fills a row', () => {
    const { screen, type } = setUp(10);
    type('12345678');
    assert.deepEqual([screen.row, screen.col], [1, 0]);
    type(LEFT + RIGHT + '9');
    assert.deepEqual(screen.text(), ['# 12345678', '9']);
    assert.deepEqual([screen.row, screen.col], [1, 1]);
    type('\x7f\x7f');
    assert.deepEqual(screen.text(), ['# 1234567']);
    assert.deepEqual([screen.row, screen.col], [0, 9]);
  });
});

describe('layOut', () => {
  it('puts candidates in as many columns as fit', () => {
    assert.equal(layOut(['up', 'down', 'restart', 'refresh'], 20), 'up       down\r\nrestart  refresh');
  });
});
