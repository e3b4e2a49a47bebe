// Runs inside the extension host: loads every compiled *.test.js beside this module into
// mocha and writes a plain report, line by line, to the file named by MKLAB_TEST_REPORT
// (code-server's extension host has no stdout the runner can see).
import { appendFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } =
  Mocha.Runner.constants;

function testFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? testFilesUnder(p) : p.endsWith('.test.js') ? [p] : [];
    })
    .sort();
}

function uiKind(): string {
  return vscode.env.uiKind === vscode.UIKind.Web ? 'Web' : 'Desktop';
}

/** A spec-like reporter that writes to the report file as well as to the console. */
class ReportFileReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions) {
    super(runner, options);
    const file = process.env.MKLAB_TEST_REPORT;
    const write = (line: string): void => {
      console.log(line);
      if (file) appendFileSync(file, line + '\n');
    };
    let depth = 0;
    const failures: Mocha.Test[] = [];
    const pad = (): string => '  '.repeat(depth);
    write(
      `Integration tests in VS Code ${vscode.version} (${vscode.env.appName}), extension host on ${process.platform} ` +
        `(Node ${process.versions.node}, UI kind ${uiKind()})`,
    );
    runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.title) write(`${pad()}${suite.title}`);
      depth++;
    });
    runner.on(EVENT_SUITE_END, () => {
      depth--;
    });
    runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => write(`${pad()}✔ ${test.title} (${test.duration ?? 0} ms)`));
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => write(`${pad()}- ${test.title}`));
    runner.on(EVENT_TEST_FAIL, (test: Mocha.Test, err: Error) => {
      failures.push(test);
      write(`${pad()}${failures.length}) ${test.title}`);
      (test as Mocha.Test & { mklabError?: Error }).mklabError = err;
    });
    runner.once(EVENT_RUN_END, () => {
      const stats = this.stats;
      write('');
      write(`  ${stats.passes} passing (${stats.duration ?? 0} ms)`);
      if (stats.pending) write(`  ${stats.pending} pending`);
      if (stats.failures) write(`  ${stats.failures} failing`);
      failures.forEach((test, i) => {
        const err = (test as Mocha.Test & { mklabError?: Error }).mklabError;
        write('');
        write(`  ${i + 1}) ${test.fullTitle()}:`);
        write(`     ${(err?.stack ?? String(err)).split('\n').join('\n     ')}`);
      });
    });
  }
}

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: ReportFileReporter });
  if (process.env.MKLAB_TEST_GREP) mocha.grep(process.env.MKLAB_TEST_GREP);
  for (const file of testFilesUnder(__dirname)) mocha.addFile(file);
  const failures = await new Promise<number>((resolve, reject) => {
    try {
      mocha.run(resolve);
    } catch (e) {
      const file = process.env.MKLAB_TEST_REPORT;
      if (file) appendFileSync(file, `\n  The tests could not be loaded: ${(e as Error)?.stack ?? e}\n  1 failing\n`);
      reject(e);
    }
  });
  if (failures > 0) throw new Error(`${failures} integration test(s) failed.`);
}
