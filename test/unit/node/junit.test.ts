// The JUnit writer: counts that add up, and any text (a driver's crash message, a path) made safe for XML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { junitXml, xmlText } from '../../../node/cli/junit';

test('text from a run is escaped, and characters XML cannot hold are replaced', () => {
  assert.equal(xmlText(`a<b & "c" 'd'>`), 'a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;');
  assert.equal(xmlText('nul\u0000 bell\u0007 tab\t ok'), 'nul\uFFFD bell\uFFFD tab\t ok');
  assert.equal(xmlText('lone \ud800 surrogate, pair \ud83d\ude00'), 'lone \uFFFD surrogate, pair \ud83d\ude00');
});

test('suites count their cases, failures and errors, and the totals add up', () => {
  const xml = junitXml([
    { name: 'a', timeSeconds: 1.5, cases: [{ name: 'one', classname: 'x', timeSeconds: 1 }, { name: 'two', classname: 'x', timeSeconds: 0.5, failure: { type: 'panic', message: 'm<', text: 't&' } }] },
    { name: 'b', timeSeconds: Number.NaN, cases: [{ name: 'three', classname: 'y', timeSeconds: -1, error: { type: 'scenario', message: 'bad', text: 'f:1:2' } }] },
  ]);
  assert.match(xml, /<testsuites name="mklab" tests="3" failures="1" errors="1" time="1\.500">/);
  assert.match(xml, /<testsuite name="a" id="0" tests="2" failures="1" errors="0" skipped="0" time="1\.500">/);
  assert.match(xml, /<testsuite name="b" id="1" tests="1" failures="0" errors="1" skipped="0" time="0\.000">/);
  assert.match(xml, /<failure message="m&lt;" type="panic">t&amp;<\/failure>/);
  assert.match(xml, /<testcase name="three" classname="y" time="0\.000">\n {6}<error message="bad" type="scenario">f:1:2<\/error>/);
  // Every element opened is closed.
  for (const tag of ['testsuites', 'testsuite', 'testcase', 'failure', 'error']) {
    const opened = (xml.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length;
    const closed = (xml.match(new RegExp(`</${tag}>|<${tag}[^>]*/>`, 'g')) ?? []).length;
    assert.equal(opened, closed, tag);
  }
});
