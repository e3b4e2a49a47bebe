// The `mklab` command line: runs systems headless and checks system.conf files.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkConfFiles, formatDiagnostic } from '../../simulator/config/systemConf';
import { SIMULATOR_VERSION } from '../../simulator/protocol/workerProtocol';
import { runCommand } from './runCommand';
import { traceCommand } from './traceFileCommand';
import { benchCommand } from './benchCommand';

const USAGE = `mklab ${SIMULATOR_VERSION}: a MINIX-3-style microkernel simulator

Usage:
  mklab run [SCENARIO] [--config NAME] [--seed N] [--duration T] [--trace FILE] [--json]
  mklab conf check FILE...
  mklab trace export FILE.mktrace --format perfetto|csv [-o OUT]
  mklab trace info FILE.mktrace
  mklab bench calibrate [--json] [--profile P]
  mklab --version

Commands:
  run          boot a system, run its workload and faults, print a summary
               (with no SCENARIO: the built-in default system, scenario s1)
  conf check   validate MINIX system.conf files; exit status 1 on any error
  trace        export a saved trace to Perfetto's JSON or CSV, or describe it
  bench        compare the simulator with published figures (IPC, system
               call, IOMMU, per-packet cost); exit status 1 if any is off
`;

/** Exit statuses: 0 success, 1 the check or run failed, 2 bad usage. */
export function main(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(USAGE);
      return command === undefined ? 2 : 0;
    case '--version':
    case 'version':
      out(`mklab ${SIMULATOR_VERSION}\n`);
      return 0;
    case 'conf':
      return confCommand(rest, out, err);
    case 'run':
      return runCommand(rest, { out, err, progressStream: process.stderr });
    case 'trace':
      return traceCommand(rest, { out, err });
    case 'bench':
      return benchCommand(rest, { out, err });
    default:
      err(`mklab: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

function confCommand(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  const [sub, ...files] = argv;
  if (sub !== 'check' || files.length === 0) {
    err('mklab: usage: mklab conf check FILE...\n');
    return 2;
  }
  const { positionals } = parseArgs({ args: files, allowPositionals: true, strict: true });
  const inputs: { path: string; text: string }[] = [];
  let failed = false;
  for (const path of positionals) {
    try {
      inputs.push({ path, text: readFileSync(path, 'utf8') });
    } catch (e) {
      err(`${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      failed = true;
    }
  }
  let errors = 0;
  let warnings = 0;
  for (const { path, diagnostics } of checkConfFiles(inputs)) {
    for (const d of diagnostics) {
      (d.severity === 'error' ? err : out)(formatDiagnostic(d) + '\n');
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
    }
    if (!diagnostics.some((d) => d.severity === 'error')) out(`${path}: ok\n`);
  }
  out(`${inputs.length} file(s) checked: ${errors} error(s), ${warnings} warning(s)\n`);
  return failed || errors > 0 ? 1 : 0;
}

if (require.main === module) {
  // A reader that stops early (`mklab run | head`) is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
}
