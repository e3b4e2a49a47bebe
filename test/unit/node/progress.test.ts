// `mklab run`'s progress bar: drawn on a terminal, redrawn only when the percentage
// changes, cleared at the end; nothing at all when the output is a file or a pipe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBar, type ProgressStream } from '../../../node/cli/progress';

function stream(isTTY: boolean, columns?: number): ProgressStream & { writes: string[] } {
  const writes: string[] = [];
  return { isTTY, ...(columns === undefined ? {} : { columns }), writes, write: (text: string) => writes.push(text) };
}

/** What a terminal shows after the writes: carriage returns go back to the line's start, ESC[K erases to its end. */
function screen(writes: readonly string[]): string {
  let line = '';
  let col = 0;
  const text = writes.join('');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\r') col = 0;
    else if (text.startsWith('\x1b[K', i)) {
      line = line.slice(0, col);
      i += 2;
    } else {
      line = line.slice(0, col) + text[i] + line.slice(col + 1);
      col++;
    }
  }
  return line;
}

test('on a terminal it draws the label, a bar filled to the percentage, the percentage and the detail', () => {
  const out = stream(true, 80);
  const bar = new ProgressBar(out, 'mklab run s1');
  bar.update(25, 100, '25 s of 100 s');
  assert.equal(out.writes.length, 1);
  const shown = screen(out.writes);
  assert.match(shown, /^mklab run s1 \[(#+)(-+)\] {2}25% 25 s of 100 s$/);
  const [, filled, empty] = /\[(#+)(-+)\]/.exec(shown)!;
  assert.equal(filled!.length * 4, filled!.length + empty!.length, 'a quarter of the bar is filled');
  bar.update(100, 100, 'done');
  assert.match(screen(out.writes), /^mklab run s1 \[#+\] 100% done$/, 'the longer line of before is not left behind');
});

test('redraws only when the shown percentage changes', () => {
  const out = stream(true, 80);
  const bar = new ProgressBar(out, 'run');
  for (let done = 0; done <= 1000; done++) bar.update(done, 1000, 'x');
  assert.equal(out.writes.length, 101, 'one draw per percent from 0 to 100');
  bar.update(1000, 1000, 'a different detail');
  assert.equal(out.writes.length, 101, 'the same percentage is not drawn again');
  bar.update(2000, 1000, 'past the end');
  assert.equal(out.writes.length, 101, 'more than the total shows as 100%, already drawn');
});

test('clears its line at finish, so that what is printed next starts on a clean line', () => {
  const out = stream(true, 80);
  const bar = new ProgressBar(out, 'run');
  bar.update(50, 100, 'half');
  bar.finish();
  assert.equal(screen(out.writes), '');
  const quiet = stream(true, 80);
  new ProgressBar(quiet, 'run').finish();
  assert.deepEqual(quiet.writes, [], 'a bar never drawn writes nothing at finish');
});

test('fits a narrow terminal and fills a wide one up to 40 columns of bar', () => {
  const barWidth = (columns: number) => {
    const out = stream(true, columns);
    new ProgressBar(out, 'run').update(1, 2, 'detail');
    return /\[([#-]+)\]/.exec(screen(out.writes))![1]!.length;
  };
  assert.equal(barWidth(200), 40);
  assert.equal(barWidth(50), 50 - 'run'.length - 'detail'.length - 12);
  assert.equal(barWidth(20), 10, 'never narrower than 10');
});

test('prints nothing when the stream is not a terminal (a file, a pipe, CI logs)', () => {
  const out = stream(false, 80);
  const bar = new ProgressBar(out, 'run');
  for (let done = 0; done <= 100; done += 5) bar.update(done, 100, 'x');
  bar.finish();
  assert.deepEqual(out.writes, []);
  const unknown: ProgressStream & { writes: string[] } = { writes: [], write(text: string) { this.writes.push(text); } };
  new ProgressBar(unknown, 'run').update(1, 2, 'x');
  assert.deepEqual(unknown.writes, [], 'a stream that does not say it is a TTY is treated as not one');
});

test('a zero total draws nothing rather than dividing by zero', () => {
  const out = stream(true, 80);
  new ProgressBar(out, 'run').update(0, 0, 'x');
  assert.deepEqual(out.writes, []);
});
