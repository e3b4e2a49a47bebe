// The `mklab` command line: runs systems headless and checks system.conf files.
import { readInputText } from '../files/boundedRead';
import { parseCommandArgs, usageLine, UsageError } from './args';
import { checkConfFiles, formatDiagnostic } from '../../simulator/config/systemConf';
import { SIMULATOR_VERSION } from '../../simulator/protocol/workerProtocol';
import { runCommand } from './runCommand';
import { traceCommand } from './traceFileCommand';
import { benchCommand } from './benchCommand';
import { serveWorkerThread } from './workers';
import { campaignCommand, replayCommand } from './campaignCommand';
import { ProgressBar } from './progress';

const USAGE = `mklab ${SIMULATOR_VERSION}: a MINIX-3-style microkernel simulator

Usage:
  mklab run [SCENARIO] [--config NAME] [--seed N] [--duration T] [--trace FILE] [--json]
  mklab conf check [--json] FILE...
  mklab trace export FILE.mktrace --format perfetto|csv [-o OUT]
  mklab trace info FILE.mktrace
  mklab bench calibrate [--json] [--profile P]
  mklab bench compare --workload W [--configs a,b|all] [--seeds N] [--format json|csv|md]
  mklab campaign [--types all|a,b] [--configs a,b|all] [--faults N] [--shard i/n] [--out FILE.jsonl]
  mklab campaign merge FILE.jsonl...
  mklab replay TRIAL-ID [--trace FILE]
  mklab --version

Commands:
  run          boot a system, run its workload and faults, print a summary
               (with no SCENARIO: the built-in default system, scenario s1)
  conf check   validate MINIX system.conf files; exit status 1 on any error
  trace        export a saved trace to Perfetto's JSON or CSV, or describe it
  bench        calibrate: compare the simulator with published figures (IPC,
               system call, IOMMU, per-packet cost), exit status 1 if any is
               off; compare: one workload under each configuration
  campaign     inject faults into a running driver, trial after trial, and
               print how often the system survived (per fault type and
               configuration); merge sums the logs of a sharded campaign
  replay       run one campaign trial again from its id
`;

/** A progress bar on stderr for a comparison's runs. */
function benchProgress(): (done: number, total: number) => void {
  const bar = new ProgressBar(process.stderr, 'mklab bench compare');
  return (done, total) => {
    bar.update(done, total, `${done} of ${total} runs`);
    if (done === total) bar.finish();
  };
}

/** Exit statuses: 0 success, 1 the check or run failed, 2 bad usage. */
export function main(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number | Promise<number> {
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
      return benchCommand(rest, { out, err, progress: benchProgress(), script: __filename });
    case 'campaign':
      return campaignCommand(rest, {
        out,
        err,
        progressStream: process.stderr,
        script: __filename,
        now: () => performance.now(),
        onInterrupt(stop) {
          // The first Ctrl-C stops the campaign cleanly (the log keeps what was done); a second one ends mklab at once.
          const handler = () => {
            process.removeListener('SIGINT', handler);
            err('\nmklab campaign: stopping after the trials under way (Ctrl-C again to quit at once)\n');
            stop();
          };
          process.on('SIGINT', handler);
          return () => process.removeListener('SIGINT', handler);
        },
      });
    case 'replay':
      return replayCommand(rest, { out, err });
    default:
      err(usageLine('mklab', `unknown command '${command}'`));
      return 2;
  }
}

export const CONF_USAGE = `Usage: mklab conf check [--json] FILE...

Checks MINIX system.conf files (services, their privileges, IPC targets,
kernel and VM calls) and prints each problem as file:line:column. Files are
checked together, so a service may name one defined in another file.
Exit status 1 if any file has an error or cannot be read.

Options:
  --json   print {"files":[{"path","ok","diagnostics":[...]}],"errors","warnings"}
`;

function confCommand(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    out(CONF_USAGE);
    return 0;
  }
  let values: { json?: boolean; help?: boolean };
  let files: string[];
  try {
    if (sub !== 'check') throw new UsageError(sub === undefined ? 'expected the subcommand check' : `unknown subcommand '${sub}'`);
    ({ values, positionals: files } = parseCommandArgs(rest, { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } }, true));
    if (!values.help && files.length === 0) throw new UsageError('expected at least one system.conf file');
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(usageLine('mklab conf', e.message));
    return 2;
  }
  if (values.help) {
    out(CONF_USAGE);
    return 0;
  }
  const inputs: { path: string; text: string }[] = [];
  const unreadable: { path: string; message: string }[] = [];
  for (const path of files) {
    try {
      inputs.push({ path, text: readInputText(path, 'systemConf') });
    } catch (e) {
      unreadable.push({ path, message: (e as Error).message });
    }
  }
  const checked = checkConfFiles(inputs);
  const all = checked.flatMap((f) => f.diagnostics);
  const errors = all.filter((d) => d.severity === 'error').length + unreadable.length;
  const warnings = all.filter((d) => d.severity === 'warning').length;
  if (values.json) {
    const report = {
      files: [
        ...checked.map(({ path, diagnostics }) => ({ path, ok: !diagnostics.some((d) => d.severity === 'error'), diagnostics })),
        ...unreadable.map(({ path, message }) => ({ path, ok: false, error: message, diagnostics: [] })),
      ],
      errors,
      warnings,
    };
    out(JSON.stringify(report, null, 2) + '\n');
    return errors > 0 ? 1 : 0;
  }
  for (const { message } of unreadable) err(`${message}\n`);
  for (const { path, diagnostics } of checked) {
    for (const d of diagnostics) (d.severity === 'error' ? err : out)(formatDiagnostic(d) + '\n');
    if (!diagnostics.some((d) => d.severity === 'error')) out(`${path}: ok\n`);
  }
  out(`${files.length} file(s) checked: ${errors} error(s), ${warnings} warning(s)\n`);
  return errors > 0 ? 1 : 0;
}

if (serveWorkerThread()) {
  // A worker thread of `mklab bench compare` or `mklab campaign`: it runs the jobs it is sent.
} else if (require.main === module) {
  // A reader that stops early (`mklab run | head`) is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  void Promise.resolve(main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s))).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`mklab: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
