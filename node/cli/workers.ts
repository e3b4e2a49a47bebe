// The CLI's worker threads: `mklab bench compare` measures each run (a
// configuration under a seed), `mklab campaign` each trial, in a thread of its
// own, as many at once as asked (by default one per core). Jobs are
// independent and deterministic, so what is reported is the same whatever the
// number of threads; the same bundle is the workers' script, started with a
// marker in workerData.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { measureRun, type CompareResult, type CompareRun } from '../../simulator/bench/compare';
import { runTrial, type TrialResult, type TrialSpec } from '../../simulator/campaign/campaign';

const MARKER = 'mklab-worker';

/** What a worker thread can be asked to do, and what it answers. */
interface Jobs {
  compare: { input: CompareRun; output: CompareResult };
  trial: { input: { spec: TrialSpec; index: number }; output: TrialResult };
}
type JobKind = keyof Jobs;

const handlers: { [K in JobKind]: (input: Jobs[K]['input']) => Jobs[K]['output'] } = {
  compare: (run) => measureRun(run),
  trial: ({ spec, index }) => runTrial(spec, index),
};

type Reply = { readonly id: number; readonly result: unknown } | { readonly id: number; readonly error: string };

/** If this thread is one of the CLI's workers, serves jobs until the parent lets it go and returns true. */
export function serveWorkerThread(): boolean {
  if (isMainThread || (workerData as { marker?: string } | null)?.marker !== MARKER || parentPort === null) return false;
  const port = parentPort;
  port.on('message', (m: { id: number; kind: JobKind; input: unknown }) => {
    let reply: Reply;
    try {
      reply = { id: m.id, result: (handlers[m.kind] as (input: unknown) => unknown)(m.input) };
    } catch (e) {
      reply = { id: m.id, error: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(reply);
  });
  return true;
}

export interface JobRun {
  /** Jobs that finished. */
  readonly completed: number;
  /** True when `stop` ended the run before every job was done. */
  readonly stopped: boolean;
}

/**
 * Runs `count` jobs of one kind (the i-th's input made by `inputAt(i)` when it
 * is handed out, so a long campaign holds no list of its trials) on up to
 * `threads` worker threads running `script`, handing each result to
 * `onResult` as it comes (in any order) with the job's position. Rejects at the first job that throws, naming it with
 * `describe`. `stop` is asked before each job is handed out: once it says
 * yes, no job starts, and the run resolves when the running ones are done.
 */
export function runOnWorkers<K extends JobKind>(
  kind: K,
  count: number,
  inputAt: (position: number) => Jobs[K]['input'],
  threads: number,
  script: string,
  onResult: (position: number, result: Jobs[K]['output']) => void,
  describe: (position: number) => string,
  stop: () => boolean = () => false,
): Promise<JobRun> {
  let next = 0;
  let done = 0;
  let busy = 0;
  const workers: Worker[] = [];
  return new Promise<JobRun>((resolve, reject) => {
    let over = false;
    const finish = (outcome: () => void) => {
      if (over) return;
      over = true;
      for (const w of workers) void w.terminate();
      outcome();
    };
    const feed = (w: Worker) => {
      if (next < count && !stop()) {
        const id = next++;
        busy++;
        w.postMessage({ id, kind, input: inputAt(id) });
      }
      if (busy === 0) finish(() => resolve({ completed: done, stopped: done < count }));
    };
    if (count === 0) {
      resolve({ completed: 0, stopped: false });
      return;
    }
    for (let t = 0; t < Math.max(1, Math.min(threads, count)); t++) {
      const w = new Worker(script, { workerData: { marker: MARKER } });
      workers.push(w);
      w.on('message', (reply: Reply) => {
        if (over) return;
        busy--;
        if ('error' in reply) {
          finish(() => reject(new Error(`${describe(reply.id)}: ${reply.error}`)));
          return;
        }
        done++;
        onResult(reply.id, reply.result as Jobs[K]['output']);
        feed(w);
      });
      w.on('error', (e) => finish(() => reject(e)));
      feed(w);
    }
  });
}

/** Measures `runs` on up to `threads` worker threads running `script`; results in plan order. */
export async function measureOnWorkers(runs: readonly CompareRun[], threads: number, script: string, onRun?: (done: number, total: number) => void): Promise<CompareResult[]> {
  const results: CompareResult[] = new Array(runs.length);
  let done = 0;
  await runOnWorkers(
    'compare',
    runs.length,
    (i) => runs[i]!,
    threads,
    script,
    (i, r) => {
      results[i] = r;
      onRun?.(++done, runs.length);
    },
    (i) => `run ${i + 1} (${runs[i]!.configuration}, seed ${runs[i]!.seed})`,
  );
  return results;
}
