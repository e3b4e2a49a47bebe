// The getting-started walkthrough in package.json: every step's page exists and ships in the
// package, and every command link and completion event names something the extension contributes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

interface Step {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; image?: string | Record<string, string>; svg?: string; altText?: string };
  completionEvents?: string[];
}
interface Walkthrough {
  id: string;
  title: string;
  description: string;
  steps: Step[];
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const walkthroughs: Walkthrough[] = pkg.contributes.walkthroughs ?? [];
const commands = new Set<string>((pkg.contributes.commands as { command: string }[]).map((c) => c.command));
const views = new Set<string>(Object.values(pkg.contributes.views as Record<string, { id: string }[]>).flat().map((v) => v.id));
// VS Code gives every view a focus command of its own.
const viewFocusCommands = new Set([...views].map((id) => `${id}.focus`));
const steps = walkthroughs.flatMap((w) => w.steps.map((s) => ({ walkthrough: w.id, ...s })));

/** The `command:` links in a step's Markdown: the command id and its JSON arguments, if any. */
function commandLinks(markdown: string): { id: string; args: string | undefined }[] {
  return [...markdown.matchAll(/\]\(command:([\w.-]+)(?:\?([^)\s]*))?\)/g)].map((m) => ({ id: m[1]!, args: m[2] }));
}

function mediaFiles(media: Step['media']): string[] {
  const image = typeof media.image === 'string' ? [media.image] : Object.values(media.image ?? {});
  return [...(media.markdown === undefined ? [] : [media.markdown]), ...(media.svg === undefined ? [] : [media.svg]), ...image];
}

test('there is a walkthrough with steps, each with an id, a title and a description', () => {
  assert.ok(walkthroughs.length > 0, 'no walkthrough contributed');
  for (const w of walkthroughs) {
    assert.ok(w.id && w.title && w.description, `walkthrough ${w.id}`);
    assert.ok(w.steps.length > 0, `walkthrough ${w.id} has no steps`);
    const ids = w.steps.map((s) => s.id);
    assert.equal(new Set(ids).size, ids.length, `duplicate step ids in ${w.id}: ${ids.join(', ')}`);
    for (const s of w.steps) assert.ok(s.title && s.description, `step ${w.id}/${s.id}`);
  }
});

test('every step shows a page that exists, is not empty, and ships in the package (.vscodeignore lets resources/ in)', () => {
  const allow = readFileSync('.vscodeignore', 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).trim());
  for (const s of steps) {
    const files = mediaFiles(s.media);
    assert.ok(files.length > 0, `step ${s.id} has no media`);
    for (const file of files) {
      assert.ok(existsSync(file), `step ${s.id}: ${file} does not exist`);
      assert.ok(readFileSync(file, 'utf8').trim().length > 0, `step ${s.id}: ${file} is empty`);
      const folder = file.split('/')[0]!;
      assert.ok(allow.some((a) => a === file || a === `${folder}/**`), `step ${s.id}: ${file} is not in the package`);
    }
    if (s.media.image !== undefined || s.media.svg !== undefined) assert.ok(s.media.altText, `step ${s.id}: an image needs altText`);
  }
});

test('every command link in a step names a contributed command (or a view focus command), with JSON array arguments', () => {
  let links = 0;
  for (const s of steps) {
    const pages = mediaFiles(s.media).filter((f) => f.endsWith('.md')).map((f) => readFileSync(f, 'utf8'));
    for (const text of [s.description, ...pages]) {
      for (const link of commandLinks(text)) {
        links++;
        assert.ok(commands.has(link.id) || viewFocusCommands.has(link.id), `step ${s.id} links to unknown command ${link.id}`);
        if (link.args !== undefined) {
          const args: unknown = JSON.parse(decodeURIComponent(link.args));
          assert.ok(Array.isArray(args), `step ${s.id}: the arguments of ${link.id} are not a JSON array`);
        }
      }
    }
  }
  assert.ok(links > 0, 'no step offers a command link');
});

test('the first step starts the default system and the crash step crashes the NIC driver, with arguments the commands take', () => {
  const linksOf = (id: string) => commandLinks(steps.find((s) => s.id === id)?.description ?? '');
  const start = linksOf('start').find((l) => l.id === 'microkernelLab.system.start');
  assert.deepEqual(JSON.parse(decodeURIComponent(start?.args ?? 'null')), ['default']);
  const crash = linksOf('crash').find((l) => l.id === 'microkernelLab.driver.injectFault');
  assert.deepEqual(JSON.parse(decodeURIComponent(crash?.args ?? 'null')), ['nic', 'crash']);
});

test('the comparison step starts S4, S5 and S7, each a built-in scenario, and opens Compare Architectures', async () => {
  const { builtinScenarios } = await import('../../../simulator/system/scenarios');
  const known = new Set(builtinScenarios().keys());
  const links = commandLinks(steps.find((s) => s.id === 'compare')?.description ?? '');
  const started = links.filter((l) => l.id === 'microkernelLab.system.start').map((l) => JSON.parse(decodeURIComponent(l.args ?? 'null')) as string[]);
  assert.deepEqual(started, [['s4'], ['s5'], ['s7']]);
  for (const [name] of started) assert.ok(known.has(name!), `${name} is not a built-in scenario`);
  assert.ok(links.some((l) => l.id === 'microkernelLab.compare.open'), 'no link to Compare Architectures');
});

test('each step completes on what the user really did: the context key the extension sets for that step, and nothing else', async () => {
  const { WALKTHROUGH_KEYS } = await import('../../../extension/session/walkthroughKeys');
  for (const s of steps) {
    const key = (WALKTHROUGH_KEYS as Record<string, string>)[s.id];
    assert.ok(key !== undefined, `step ${s.id} has no completion key in the extension`);
    assert.deepEqual(s.completionEvents, [`onContext:${key}`], `step ${s.id}`);
  }
});

test('every completion event names a contributed command or view', () => {
  for (const s of steps) {
    assert.ok((s.completionEvents ?? []).length > 0, `step ${s.id} never completes`);
    for (const event of s.completionEvents ?? []) {
      const [kind, name] = [event.slice(0, event.indexOf(':')), event.slice(event.indexOf(':') + 1)];
      if (kind === 'onCommand') assert.ok(commands.has(name), `step ${s.id}: ${event} names no contributed command`);
      else if (kind === 'onView') assert.ok(views.has(name), `step ${s.id}: ${event} names no contributed view`);
      else if (kind === 'onSettingChanged') assert.ok(name in (pkg.contributes.configuration.properties as object), `step ${s.id}: ${event}`);
      else assert.ok(['onContext', 'onLink', 'onStepSelected', 'extensionInstalled'].includes(kind), `step ${s.id}: unknown completion event ${event}`);
    }
  }
});
