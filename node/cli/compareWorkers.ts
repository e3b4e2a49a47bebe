// `mklab bench compare` on worker threads: each run (a configuration under a
// seed) is measured in a thread of its own, as many at once as asked (by
// default one per core). Runs are independent and deterministic, so the report
// is the same whatever the number of threads; the same bundle is the workers'
// script, started with a marker in workerData.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { measureRun, type CompareResult, type CompareRun } from '../../simulator/bench/compare';

const MARKER = 'mklab-compare-worker';

type Reply = { readonly index: number; readonly result: CompareResult } | { readonly index: number; readonly error: string };

/** If this thread is a compare worker, serves runs until the parent lets it go and returns true. */
export function serveCompareWorker(): boolean {
  if (isMainThread || (workerData as { marker?: string } | null)?.marker !== MARKER || parentPort === null) return false;
  const port = parentPort;
  port.on('message', (m: { index: number; run: CompareRun }) => {
    let reply: Reply;
    try {
      reply = { index: m.index, result: measureRun(m.run) };
    } catch (e) {
      reply = { index: m.index, error: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(reply);
  });
  return true;
}

/** Measures `runs` on up to `threads` worker threads running `script`; results in plan order. */
export function measureOnWorkers(runs: readonly CompareRun[], threads: number, script: string, onRun?: (done: number, total: number) => void): Promise<CompareResult[]> {
  const results: CompareResult[] = new Array(runs.length);
  let next = 0;
  let done = 0;
  const workers: Worker[] = [];
  return new Promise<CompareResult[]>((resolve, reject) => {
    let failed = false;
    const stopAll = () => {
      for (const w of workers) void w.terminate();
    };
    const feed = (w: Worker) => {
      if (next < runs.length) {
        const index = next++;
        w.postMessage({ index, run: runs[index] });
      }
    };
    for (let t = 0; t < Math.min(threads, runs.length); t++) {
      const w = new Worker(script, { workerData: { marker: MARKER } });
      workers.push(w);
      w.on('message', (reply: Reply) => {
        if (failed) return;
        if ('error' in reply) {
          failed = true;
          stopAll();
          reject(new Error(`run ${reply.index + 1} (${runs[reply.index]!.configuration}, seed ${runs[reply.index]!.seed}): ${reply.error}`));
          return;
        }
        results[reply.index] = reply.result;
        onRun?.(++done, runs.length);
        if (done === runs.length) {
          stopAll();
          resolve(results);
        } else feed(w);
      });
      w.on('error', (e) => {
        if (failed) return;
        failed = true;
        stopAll();
        reject(e);
      });
      feed(w);
    }
  });
}
