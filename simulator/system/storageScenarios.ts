// The storage side's built-in scenarios: S2 (a corrupted CD-R fails the user-space file server, not the system) and S3 (wild DMA against the IOMMU).
import { parseScenario, type Scenario } from '../config/scenario';
import { formatDiagnostic } from '../config/systemConf';

/**
 * S2. The CD in the drive is the built-in image with a damaged root
 * directory (isoBuilder's corruptedCdImage, named by the cd-read workload's
 * `image`). Every read makes isofs fail with an IsoError; RS restarts it with
 * its backoff, while printing and block reads go on. Run with the
 * configuration 'monolithic' the first read is a kernel panic. The reads
 * themselves fail (the image is damaged), so the run expects a failed
 * workload, and a panic under monolithic.
 */
export const S2_JSON = `{
  "name": "s2",
  "description": "A corrupted CD-R should not panic the kernel: the user-space ISO 9660 server fails on the malformed image, the reincarnation server restarts it, and printing and disk reads go on. Under the monolithic configuration the same image panics the whole system.",
  "system": "default",
  "configuration": "microkernel-iommu",
  "seed": 2,
  "duration": "5s",
  "costProfile": "sel4-skylake",
  "workload": [
    { "kind": "cd-read", "start": "10ms", "image": "builtin:corrupted-cdr.iso", "path": "/README.TXT", "repeat": 12 },
    { "kind": "print", "start": "10ms", "bytes": 120, "repeat": 20 },
    { "kind": "block-read", "start": "10ms", "blocks": 16, "blockSize": 4096, "pattern": "sequential", "repeat": 20 }
  ],
  "faults": [],
  "options": { "heartbeatPeriod": "500ms", "restartBackoff": true },
  "expect": { "*": "workload-failed", "monolithic": "panic" }
}
`;

/**
 * S3. The disk driver is made to program its device's DMA at kernel memory
 * and then at another process's first page (fault 'wild-dma', carried out by
 * the fault injector inside the driver). With the IOMMU both transfers are
 * blocked and in the IOMMU's fault log; without it they land silently and the
 * kernel's integrity check finds the kernel page changed. With the IOMMU the
 * disk read whose DMA was redirected fails, so the run expects a failed
 * workload; without it, a corrupted kernel.
 */
export const S3_JSON = `{
  "name": "s3",
  "description": "An IOMMU confines what a driver's device may reach by DMA: a driver programs DMA at kernel memory and at another process. With the IOMMU the transfers are blocked and logged; without it memory is silently overwritten and the kernel's integrity check notices.",
  "system": "default",
  "configuration": "microkernel-iommu",
  "seed": 3,
  "duration": "1s",
  "costProfile": "sel4-skylake",
  "workload": [
    { "kind": "block-read", "start": "10ms", "blocks": 8, "blockSize": 4096, "pattern": "sequential", "repeat": 1000 },
    { "kind": "cd-read", "start": "10ms", "image": "builtin:cd.iso", "path": "/README.TXT", "repeat": 3 }
  ],
  "faults": [
    { "at": "300ms", "target": "disk", "type": "wild-dma", "params": { "target": "kernel", "paddr": 32768 } },
    { "at": "600ms", "target": "disk", "type": "wild-dma", "params": { "target": "vfs" } }
  ],
  "options": { "heartbeatPeriod": "500ms", "restartBackoff": true },
  "expect": { "*": "workload-failed", "microkernel": "integrity", "monolithic": "integrity" }
}
`;

function load(text: string, file: string): Scenario {
  const r = parseScenario(text, file);
  if (r.scenario === undefined) throw new Error(`${file}: ${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return r.scenario;
}

export const storageScenarios: Scenario[] = [load(S2_JSON, 'builtin/s2.json'), load(S3_JSON, 'builtin/s3.json')];
