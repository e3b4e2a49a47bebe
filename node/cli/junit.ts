// JUnit XML reports, the test format every CI system shows natively: the
// Ant/Jenkins shape (testsuites > testsuite > testcase, with failure or error
// elements whose text says why and how to replay the run).

export interface JunitCase {
  readonly name: string;
  readonly classname: string;
  readonly timeSeconds: number;
  /** Set when the case failed: the one-line reason and the full text (what happened, how to replay it). */
  readonly failure?: { readonly type: string; readonly message: string; readonly text: string };
  /** Set when the case could not run at all (a scenario with errors). */
  readonly error?: { readonly type: string; readonly message: string; readonly text: string };
}

export interface JunitSuite {
  readonly name: string;
  readonly timeSeconds: number;
  readonly cases: readonly JunitCase[];
  /** Name and value pairs shown with the suite (seed, configuration, cost profile). */
  readonly properties?: Readonly<Record<string, string>>;
}

/** Text for XML: the five special characters escaped, and characters XML 1.0 cannot hold replaced by U+FFFD. */
export function xmlText(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (s: number) => (Number.isFinite(s) && s >= 0 ? s : 0).toFixed(3);

export function junitXml(suites: readonly JunitSuite[]): string {
  const count = (pick: (c: JunitCase) => unknown) => suites.reduce((n, s) => n + s.cases.filter(pick).length, 0);
  const total = suites.reduce((n, s) => n + s.cases.length, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mklab" tests="${total}" failures="${count((c) => c.failure)}" errors="${count((c) => c.error)}" time="${seconds(suites.reduce((t, s) => t + (Number.isFinite(s.timeSeconds) && s.timeSeconds > 0 ? s.timeSeconds : 0), 0))}">`,
  ];
  suites.forEach((suite, id) => {
    const failures = suite.cases.filter((c) => c.failure).length;
    const errors = suite.cases.filter((c) => c.error).length;
    lines.push(
      `  <testsuite name="${xmlText(suite.name)}" id="${id}" tests="${suite.cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(suite.timeSeconds)}">`,
    );
    const properties = Object.entries(suite.properties ?? {});
    if (properties.length > 0) {
      lines.push('    <properties>');
      for (const [name, value] of properties) lines.push(`      <property name="${xmlText(name)}" value="${xmlText(value)}"/>`);
      lines.push('    </properties>');
    }
    for (const c of suite.cases) {
      const open = `    <testcase name="${xmlText(c.name)}" classname="${xmlText(c.classname)}" time="${seconds(c.timeSeconds)}"`;
      const problem = c.failure ? { tag: 'failure', ...c.failure } : c.error ? { tag: 'error', ...c.error } : undefined;
      if (problem === undefined) {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      lines.push(`      <${problem.tag} message="${xmlText(problem.message)}" type="${xmlText(problem.type)}">${xmlText(problem.text)}</${problem.tag}>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  });
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
