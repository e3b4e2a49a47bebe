// The JUnit writer: counts that add up, and any text (a driver's crash message, a path) made safe for XML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
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

test('reports validate against the JUnit schema CI systems read (Jenkins\' junit-4.xsd), with libxml2', async () => {
  const schema = readFileSync(join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'junit', 'jenkins-junit.xsd'), 'utf8');
  const reports = {
    passed: junitXml([{ name: 's1', timeSeconds: 2.5, cases: [{ name: 'ends ok', classname: 'microkernel-iommu', timeSeconds: 2.5 }] }]),
    failed: junitXml([{ name: 's2', timeSeconds: 1, cases: [{ name: 'ends ok', classname: 'monolithic', timeSeconds: 1, failure: { type: 'panic', message: 'the run ended in a panic <isofs>', text: 'replay: mklab run s2 --config monolithic --seed 1 & more' } }] }]),
    error: junitXml([{ name: 'bad.mklab.json', timeSeconds: 0, cases: [{ name: 'loads', classname: 'scenario', timeSeconds: 0, error: { type: 'scenario', message: 'bad.mklab.json:3:5: "seed" must be an integer', text: 'bad.mklab.json:3:5: "seed" must be an integer\u0007' } }] }]),
  };
  for (const [name, xml] of Object.entries(reports)) {
    const result = await validateXML({ xml: [{ fileName: `${name}.xml`, contents: xml }], schema: [{ fileName: 'jenkins-junit.xsd', contents: schema }] });
    assert.ok(result.valid, `${name}: ${result.errors.map((e) => e.message).join('; ')}`);
  }
  // The schema is not a rubber stamp: a report without its counts is refused.
  const broken = reports.passed.replace(/ tests="1" failures="0" errors="0" skipped="0"/, '');
  assert.equal((await validateXML({ xml: [{ fileName: 'broken.xml', contents: broken }], schema: [{ fileName: 'jenkins-junit.xsd', contents: schema }] })).valid, false);
});
