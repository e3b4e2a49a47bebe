// Built-in scenario templates that the editor offers for a new scenario file; each is a valid scenario.

export interface ScenarioTemplate {
  readonly id: 's1' | 's2' | 's3' | 'empty';
  /** Short title for a picker. */
  readonly title: string;
  readonly detail: string;
  /** File name stem for the new file, `<name>.mklab.json`. */
  readonly fileStem: string;
  readonly content: Readonly<Record<string, unknown>>;
}

export const SCENARIO_TEMPLATES: readonly ScenarioTemplate[] = [
  {
    id: 's1',
    title: 'S1: an ethernet driver crashes overnight',
    detail: 'The NIC driver crashes every hour under traffic; the reincarnation server restarts it and traffic resumes.',
    fileStem: 'ethernet-driver-crashes',
    content: {
      name: 'S1: ethernet driver crashes overnight',
      description: 'The NIC driver crashes every hour under a steady packet stream; the reincarnation server restarts it with MINIX\'s backoff and the rest of the system runs on.',
      system: 'default',
      configuration: 'microkernel-iommu',
      seed: 1,
      duration: '8h',
      workload: [{ kind: 'packet-stream', ratePerSecond: 1000, sizeBytes: 1500, direction: 'tx' }],
      faults: [{ at: '1h', target: 'nic', type: 'crash', repeatEvery: '1h' }],
      options: { heartbeatPeriod: '5s', restartBackoff: true },
    },
  },
  {
    id: 's2',
    title: 'S2: a corrupted CD-R',
    detail: 'A malformed ISO 9660 directory makes the user-space isofs server fail; it is restarted and the kernel does not panic.',
    fileStem: 'corrupted-cdr',
    content: {
      name: 'S2: corrupted CD-R',
      description: 'A file is read from a CD whose root directory is damaged; isofs fails and is restarted. Under the monolithic configuration the same image panics the kernel.',
      system: 'default',
      configuration: 'microkernel-iommu',
      seed: 2,
      duration: '30s',
      workload: [{ kind: 'cd-read', image: 'builtin:corrupted-cdr.iso', path: '/README.TXT', repeat: 5 }],
      faults: [],
    },
  },
  {
    id: 's3',
    title: 'S3: wild DMA',
    detail: 'A buggy disk driver programs its device to DMA into kernel memory; the IOMMU blocks and logs the transfer.',
    fileStem: 'wild-dma',
    content: {
      name: 'S3: wild DMA',
      description: 'The disk driver points its device\'s DMA at kernel memory; with the IOMMU the transfer is blocked, without it memory is corrupted.',
      system: 'default',
      configuration: 'microkernel-iommu',
      seed: 3,
      duration: '10s',
      workload: [{ kind: 'block-read', blocks: 64, repeat: 10 }],
      faults: [{ at: '2s', target: 'disk', type: 'wild-dma', params: { target: 'kernel' } }],
    },
  },
  {
    id: 'empty',
    title: 'Empty scenario',
    detail: 'The default system with no workload and no faults.',
    fileStem: 'scenario',
    content: {
      name: 'New scenario',
      description: '',
      system: 'default',
      configuration: 'microkernel-iommu',
      seed: 0,
      duration: '1s',
      workload: [],
      faults: [],
    },
  },
];

export function scenarioTemplate(id: string): ScenarioTemplate | undefined {
  return SCENARIO_TEMPLATES.find((t) => t.id === id);
}

/** The text of a new scenario file from a template. */
export function scenarioTemplateText(template: ScenarioTemplate): string {
  return JSON.stringify(template.content, null, 2) + '\n';
}
