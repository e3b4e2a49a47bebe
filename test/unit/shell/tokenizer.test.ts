// The console's tokenizer: words, quotes and escapes as a POSIX shell reads plain words.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { quoteWord, tokenize } from '../../../simulator/shell/tokenizer';

function words(line: string): string[] {
  const r = tokenize(line);
  assert.ok(r.ok, `tokenize(${JSON.stringify(line)}) failed`);
  return r.tokens.map((t) => t.text);
}

describe('tokenizer', () => {
  it('splits on blanks and ignores leading, trailing and repeated ones', () => {
    assert.deepEqual(words('  service   restart\tnic  '), ['service', 'restart', 'nic']);
    assert.deepEqual(words(''), []);
    assert.deepEqual(words('   '), []);
  });

  it('keeps single-quoted text literally, backslashes included', () => {
    assert.deepEqual(words(`cat '/a b/c\\d'`), ['cat', '/a b/c\\d']);
  });

  it('takes \\" \\\\ inside double quotes and a backslash outside quotes as escapes', () => {
    assert.deepEqual(words(`echo "say \\"hi\\" \\\\ \\n"`), ['echo', 'say "hi" \\ \\n']);
    assert.deepEqual(words('cat a\\ b'), ['cat', 'a b']);
  });

  it('joins quoted and plain parts of one word, and gives empty quotes an empty word', () => {
    assert.deepEqual(words(`ab'c d'"e"f ''`), ['abc def', '']);
  });

  it('reports where each word starts and ends, quotes included', () => {
    const r = tokenize(`ls 'my dir'`);
    assert.ok(r.ok);
    assert.deepEqual(r.tokens.map((t) => [t.start, t.end]), [[0, 2], [3, 11]]);
  });

  it('refuses an unterminated quote or a trailing backslash with a clear error, keeping what it read', () => {
    const single = tokenize(`cat 'abc`);
    assert.equal(single.ok, false);
    assert.ok(!single.ok && single.error === 'unterminated single quote');
    assert.ok(!single.ok && single.partial.map((t) => t.text).join('|') === 'cat|abc');
    const double = tokenize('cat "abc');
    assert.ok(!double.ok && double.error === 'unterminated double quote');
    const backslash = tokenize('cat abc\\');
    assert.ok(!backslash.ok && /backslash/.test(backslash.error));
  });

  it('quoteWord gives words that tokenize back unchanged', () => {
    for (const w of ['nic', '/DOCS/CLAIMS.TXT', 'a b', "it's", '', 'x"y', 'k=v']) {
      const r = tokenize(`cmd ${quoteWord(w)}`);
      assert.ok(r.ok);
      assert.equal(r.tokens[1]?.text, w, `round trip of ${JSON.stringify(w)}`);
    }
    assert.equal(quoteWord('nic'), 'nic');
  });
});
