// Scenario files: the typed model, time strings, and a validating loader with located diagnostics.
//
// A time written with a unit ("10min", "500ms") is a length of simulated
// time in seconds: it is turned into cycles of the clock of the cost profile
// the scenario runs with, so it keeps its meaning when the profile changes
// (retimeScenario converts a loaded scenario for another profile's clock). A
// time written in cycles stays that many cycles whatever the clock.

import { diagnostic, hasErrors, type Diagnostic, type SourceRange } from './diagnostics.js';
import { parseJsonWithPositions, type JsonMember, type JsonNode } from './jsonPositions.js';
import { INJECTABLE_FAULTS, type InjectableFault } from './faultTypes.js';
import { CONFIGURATIONS, CONFIGURATION_TABLE, DEFAULT_CONFIGURATION, configurationTraits, configurationWithIommu, type Configuration } from './configurations.js';
import { isWrittenInCycles, timeToCycles } from '../time/time.js';
import { costProfiles, DEFAULT_COST_PROFILE } from '../kernel/costs/costProfiles.js';

export type { Diagnostic, SourceRange } from './diagnostics.js';
export { timeToCycles } from '../time/time.js';

export const WORKLOAD_KINDS = ['packet-stream', 'cd-read', 'print', 'block-read', 'ipc-pingpong', 'request-response'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** A simulated time as written (an integer number of cycles, or a string such as "500ms") and in cycles. */
export interface SimTime {
  readonly written: number | string;
  readonly cycles: number;
}

interface WorkloadBase {
  /** When the workload starts; 0 if not given. */
  readonly start: SimTime;
}
export interface PacketStreamWorkload extends WorkloadBase {
  readonly kind: 'packet-stream';
  readonly ratePerSecond: number;
  readonly sizeBytes: number;
  readonly direction: 'rx' | 'tx';
  /** Stop after this many packets; unbounded (until the scenario ends) if absent. */
  readonly count: number | null;
}
export interface CdReadWorkload extends WorkloadBase {
  readonly kind: 'cd-read';
  /** Path of the ISO 9660 image in the workspace; the built-in image if absent. */
  readonly image: string | null;
  /** Path of the file inside the image. */
  readonly path: string;
  readonly repeat: number;
}
export interface PrintWorkload extends WorkloadBase {
  readonly kind: 'print';
  readonly bytes: number;
  readonly repeat: number;
}
export interface BlockReadWorkload extends WorkloadBase {
  readonly kind: 'block-read';
  readonly blocks: number;
  readonly blockSize: number;
  readonly pattern: 'sequential' | 'random';
  readonly repeat: number;
}
export interface IpcPingPongWorkload extends WorkloadBase {
  readonly kind: 'ipc-pingpong';
  readonly clients: number;
  /** Round trips per client. */
  readonly messages: number;
}
export interface RequestResponseWorkload extends WorkloadBase {
  readonly kind: 'request-response';
  readonly ratePerSecond: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  /**
   * 'ipc' (the default): a client process calls the server. 'network': the
   * peer on the wire sends each request as a frame and times the response
   * frame, so the request crosses the NIC, its driver and the network server
   * (or, under kernel-bypass, only the application's poll-mode driver).
   */
  readonly transport: 'ipc' | 'network';
  /**
   * 'open' (the default): requests are due at the rate whatever the answers,
   * and a request's latency counts from when it was due. 'closed': each of
   * `clients` clients sends its next request only once the previous one is
   * answered (and not before its next slot at the rate); latency counts from
   * the send.
   */
  readonly loop: 'open' | 'closed';
  /** Clients of a closed loop (1 unless given); an open loop has one stream of requests. */
  readonly clients: number;
  /**
   * How an open loop's requests are spaced: 'fixed' (the default), one every
   * 1/ratePerSecond; 'poisson', gaps drawn from an exponential distribution of
   * that mean from the run's seed, as load generators model independent users
   * (a closed loop keeps its slots fixed).
   */
  readonly arrivals: 'fixed' | 'poisson';
}

/** The largest request or response a network request-response carries: one Ethernet frame. */
export const MAX_NETWORK_MESSAGE_BYTES = 1514;
export type WorkloadItem =
  | PacketStreamWorkload
  | CdReadWorkload
  | PrintWorkload
  | BlockReadWorkload
  | IpcPingPongWorkload
  | RequestResponseWorkload;

export interface FaultSpec {
  readonly at: SimTime;
  /** Label of the service to inject into. */
  readonly target: string;
  /** One of the fault types the injector carries out. */
  readonly type: InjectableFault;
  /** Type-specific parameters, passed to the injector unchanged. */
  readonly params: Readonly<Record<string, string | number | boolean>>;
  /** Inject again every this long, or never again if null. */
  readonly repeatEvery: SimTime | null;
  /** Total number of injections when repeating; unbounded if null. */
  readonly count: number | null;
}

export interface ScenarioOptions {
  readonly heartbeatPeriod: SimTime;
  readonly restartBackoff: boolean;
  /** Memory each user driver instance's thread may use (MiB); past it the instance is stopped as out of memory. */
  readonly driverMemoryMiB: number;
  /** Host milliseconds a user driver may run between kernel entries before it is stopped from outside its thread. */
  readonly driverStallMs: number;
  /** The NIC's line rate in Gb/s (1 unless given): 10 or 100 let the CPU, not the wire, limit a packet stream. */
  readonly nicGbps: number;
  /** Containers that each run their own copy of the workload; null when not given: 1, or DEFAULT_CONTAINERS under a configuration made of containers. */
  readonly containers: number | null;
}

/** Containers a configuration made of them (monolithic-containers) runs when the scenario does not say. */
export const DEFAULT_CONTAINERS = 2;

/** The limits on each user driver instance unless the scenario sets others (see node/userDrivers/isolation). */
export const DEFAULT_DRIVER_MEMORY_MIB = 256;
export const DEFAULT_DRIVER_STALL_MS = 5000;

/** The options of a scenario that gives none, with times in cycles of `clockHz`. */
export function defaultScenarioOptions(clockHz: number): ScenarioOptions {
  return {
    heartbeatPeriod: { written: '5s', cycles: timeToCycles('5s', clockHz)! },
    restartBackoff: true,
    driverMemoryMiB: DEFAULT_DRIVER_MEMORY_MIB,
    driverStallMs: DEFAULT_DRIVER_STALL_MS,
    nicGbps: 1,
    containers: null,
  };
}

export interface Scenario {
  readonly file: string;
  readonly name: string;
  readonly description: string;
  /** A built-in system name such as "default", or a path to a system.conf file. */
  readonly system: string;
  readonly configuration: Configuration;
  readonly seed: number;
  readonly duration: SimTime;
  readonly costProfile: string;
  /** The clock rate the times' cycles are counted at: the cost profile's, unless the loader was given another. */
  readonly clockHz: number;
  readonly workload: readonly WorkloadItem[];
  readonly faults: readonly FaultSpec[];
  readonly options: ScenarioOptions;
  readonly userDrivers: readonly string[];
  /** How the run is expected to end, by configuration ('*': any other); a run ending otherwise fails `mklab run`. Default: 'ok' everywhere. */
  readonly expect: readonly ExpectedOutcome[];
  /** Where each value was written, by JSON pointer (for example "/faults/0/at"), for editors. */
  readonly ranges: ReadonlyMap<string, SourceRange>;
}

/**
 * How a run ended: 'ok' (no panic, the kernel's memory intact, no workload
 * failed), 'panic' (the kernel panicked), 'integrity' (the kernel's memory was
 * corrupted) or 'workload-failed' (a workload program crashed or exited with
 * an error). The first that holds, in that order from the most severe.
 */
export const OUTCOMES = ['ok', 'panic', 'integrity', 'workload-failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** A scenario's expectation for runs in one configuration, or in any other ('*'). */
export interface ExpectedOutcome {
  readonly configuration: Configuration | '*';
  readonly outcome: Outcome;
}

/** The outcome `scenario` expects of a run in `configuration`: its own entry, else its '*' entry, else 'ok'. */
export function expectedOutcome(expect: readonly ExpectedOutcome[] | undefined, configuration: string): Outcome {
  const list = expect ?? [];
  return (list.find((e) => e.configuration === configuration) ?? list.find((e) => e.configuration === '*'))?.outcome ?? 'ok';
}

export interface ScenarioLoadOptions {
  /** Clock rate used to turn time strings into cycles; the clock of the scenario's cost profile if absent. */
  readonly clockHz?: number;
}

export interface ScenarioResult {
  /** Undefined when there is any error. */
  readonly scenario: Scenario | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** Keys the loader accepts at each level; the JSON Schema in schemas/scenario.schema.json states the same. */
export const SCENARIO_KEYS = {
  root: ['$schema', 'name', 'description', 'system', 'configuration', 'seed', 'duration', 'costProfile', 'workload', 'faults', 'options', 'userDrivers', 'expect'],
  // iommuMode is retired: accepted so that older files still load, reported, never read.
  options: ['heartbeatPeriod', 'iommuMode', 'restartBackoff', 'containers', 'driverMemoryMiB', 'driverStallMs', 'nicGbps'],
  fault: ['at', 'target', 'type', 'params', 'repeatEvery', 'count'],
  workload: {
    'packet-stream': ['kind', 'start', 'ratePerSecond', 'sizeBytes', 'direction', 'count'],
    'cd-read': ['kind', 'start', 'image', 'path', 'repeat'],
    print: ['kind', 'start', 'bytes', 'repeat'],
    'block-read': ['kind', 'start', 'blocks', 'blockSize', 'pattern', 'repeat'],
    'ipc-pingpong': ['kind', 'start', 'clients', 'messages'],
    'request-response': ['kind', 'start', 'ratePerSecond', 'requestBytes', 'responseBytes', 'transport', 'loop', 'clients', 'arrivals'],
  } satisfies Record<WorkloadKind, string[]>,
} as const;

type Reporter = (range: SourceRange, code: string, message: string) => void;

function describe(n: JsonNode): string {
  switch (n.kind) {
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'string':
      return `the string ${JSON.stringify(n.value)}`;
    case 'number':
      return `the number ${n.value}`;
    case 'boolean':
      return String(n.value);
    case 'null':
      return 'null';
  }
}

class Loader {
  readonly diagnostics: Diagnostic[] = [];
  readonly ranges = new Map<string, SourceRange>();

  constructor(private readonly clockHz: number) {}

  readonly error: Reporter = (range, code, message) => {
    this.diagnostics.push(diagnostic(range, 'error', code, message));
  };

  readonly warning: Reporter = (range, code, message) => {
    this.diagnostics.push(diagnostic(range, 'warning', code, message));
  };

  /** The configuration: one of the table's names. */
  configuration(m: JsonMember | undefined): Configuration | undefined {
    if (m === undefined) return undefined;
    const before = this.diagnostics.length;
    const name = this.oneOf(m, CONFIGURATIONS, DEFAULT_CONFIGURATION);
    return this.diagnostics.length === before ? name : undefined;
  }

  /**
   * Options from before the configuration said everything: "iommuMode" (the
   * IOTLB invalidation, now a trait of the configuration) and "containers".
   * Each is reported where it is written; neither is read. An iommuMode that
   * contradicts the configuration's own IOMMU is an error, since the run would
   * not be what the file asks for.
   */
  retiredOptions(o: Map<string, JsonMember>, configuration: Configuration | undefined): void {
    const mode = o.get('iommuMode');
    if (mode !== undefined) {
      const before = this.diagnostics.length;
      const value = this.oneOf(mode, ['strict', 'lazy'] as const, 'strict');
      if (this.diagnostics.length === before && configuration !== undefined) {
        const own = configurationTraits(configuration).iommu;
        if (own !== 'none' && own !== value) {
          const instead = configurationWithIommu(value);
          this.error(
            mode.value.range,
            'retired-option',
            `"iommuMode": "${value}" contradicts the configuration "${configuration}", whose IOMMU is ${own}; the configuration now decides: ` +
              (instead === undefined ? `no configuration invalidates ${value}` : `write "configuration": "${instead}"`) + ' and remove "iommuMode"',
          );
        } else {
          const withIommu = CONFIGURATION_TABLE.filter((r) => r.iommu !== 'none').map((r) => `${r.name}: ${r.iommu}`);
          this.warning(mode.keyRange, 'retired-option', `"iommuMode" is no longer read: the configuration says how the IOMMU invalidates (${withIommu.join(', ')}); remove it`);
        }
      }
    }
  }

  object(n: JsonNode, pointer: string, what: string, allowed: readonly string[], required: readonly string[]): Map<string, JsonMember> | undefined {
    this.ranges.set(pointer, n.range);
    if (n.kind !== 'object') {
      this.error(n.range, 'type', `${what} must be an object, found ${describe(n)}`);
      return undefined;
    }
    const out = new Map<string, JsonMember>();
    for (const m of n.members) {
      if (out.has(m.key)) this.error(m.keyRange, 'duplicate-property', `property "${m.key}" is given twice`);
      else if (!allowed.includes(m.key)) {
        this.error(m.keyRange, 'unknown-property', `unknown property "${m.key}" in ${what}: expected one of ${allowed.filter((k) => k !== '$schema').join(', ')}`);
      } else out.set(m.key, m);
      this.ranges.set(`${pointer}/${m.key}`, m.value.range);
    }
    for (const r of required) {
      if (!out.has(r)) this.error(n.range, 'missing-property', `${what} needs the property "${r}"`);
    }
    return out;
  }

  string(m: JsonMember | undefined, fallback: string, nonEmpty = true): string {
    if (m === undefined) return fallback;
    if (m.value.kind !== 'string') {
      this.error(m.value.range, 'type', `"${m.key}" must be a string, found ${describe(m.value)}`);
      return fallback;
    }
    if (nonEmpty && m.value.value.trim() === '') this.error(m.value.range, 'empty', `"${m.key}" must not be empty`);
    return m.value.value;
  }

  oneOf<T extends string>(m: JsonMember | undefined, choices: readonly T[], fallback: T): T {
    if (m === undefined) return fallback;
    if (m.value.kind !== 'string' || !(choices as readonly string[]).includes(m.value.value)) {
      this.error(m.value.range, 'enum', `"${m.key}" must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, found ${describe(m.value)}`);
      return fallback;
    }
    return m.value.value as T;
  }

  integer(m: JsonMember | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (m === undefined) return fallback;
    const v = m.value;
    if (v.kind !== 'number' || !Number.isSafeInteger(v.value)) {
      this.error(v.range, 'type', `"${m.key}" must be an integer, found ${describe(v)}`);
      return fallback;
    }
    if (v.value < min || v.value > max) {
      this.error(v.range, 'range', `"${m.key}" must be ${max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`}, found ${v.value}`);
      return fallback;
    }
    return v.value;
  }

  /** A finite number from `min` to `max`. */
  number(m: JsonMember | undefined, fallback: number, min: number, max: number): number {
    if (m === undefined) return fallback;
    const v = m.value;
    if (v.kind !== 'number' || !Number.isFinite(v.value)) {
      this.error(v.range, 'type', `"${m.key}" must be a number, found ${describe(v)}`);
      return fallback;
    }
    if (v.value < min || v.value > max) {
      this.error(v.range, 'range', `"${m.key}" must be between ${min} and ${max}, found ${v.value}`);
      return fallback;
    }
    return v.value;
  }

  positive(m: JsonMember | undefined, fallback: number): number {
    if (m === undefined) return fallback;
    const v = m.value;
    if (v.kind !== 'number' || !(v.value > 0) || !Number.isFinite(v.value)) {
      this.error(v.range, v.kind === 'number' ? 'range' : 'type', `"${m.key}" must be a number greater than 0, found ${describe(v)}`);
      return fallback;
    }
    return v.value;
  }

  boolean(m: JsonMember | undefined, fallback: boolean): boolean {
    if (m === undefined) return fallback;
    if (m.value.kind !== 'boolean') {
      this.error(m.value.range, 'type', `"${m.key}" must be true or false, found ${describe(m.value)}`);
      return fallback;
    }
    return m.value.value;
  }

  time(m: JsonMember | undefined, fallback: number | string, positive = false): SimTime {
    const fb: SimTime = { written: fallback, cycles: timeToCycles(fallback, this.clockHz) ?? 0 };
    if (m === undefined) return fb;
    const v = m.value;
    if (v.kind !== 'number' && v.kind !== 'string') {
      this.error(v.range, 'type', `"${m.key}" must be a time: an integer number of cycles or a string such as "500ms" or "6h", found ${describe(v)}`);
      return fb;
    }
    const cycles = timeToCycles(v.value, this.clockHz);
    if (cycles === undefined) {
      this.error(
        v.range,
        'bad-time',
        `bad time ${JSON.stringify(v.value)} for "${m.key}": expected a whole number of cycles or a number with a unit (ns, us, ms, s, m, h, d, cycles), as in "500ms"`,
      );
      return fb;
    }
    if (positive && cycles === 0) {
      this.error(v.range, 'range', `"${m.key}" must be longer than 0`);
      return fb;
    }
    return { written: v.value, cycles };
  }

  stringArray(m: JsonMember | undefined): string[] {
    if (m === undefined) return [];
    if (m.value.kind !== 'array') {
      this.error(m.value.range, 'type', `"${m.key}" must be an array of strings, found ${describe(m.value)}`);
      return [];
    }
    const out: string[] = [];
    for (const it of m.value.items) {
      if (it.kind !== 'string' || it.value.trim() === '') this.error(it.range, 'type', `each entry of "${m.key}" must be a non-empty string, found ${describe(it)}`);
      else out.push(it.value);
    }
    return out;
  }

  workload(n: JsonNode, pointer: string): WorkloadItem | undefined {
    if (n.kind !== 'object') {
      this.object(n, pointer, 'a workload item', [], []);
      return undefined;
    }
    const kindMember = n.members.find((m) => m.key === 'kind');
    if (kindMember === undefined) {
      this.error(n.range, 'missing-property', `a workload item needs the property "kind": one of ${WORKLOAD_KINDS.map((k) => JSON.stringify(k)).join(', ')}`);
      return undefined;
    }
    const kindNode = kindMember.value;
    if (kindNode.kind !== 'string' || !(WORKLOAD_KINDS as readonly string[]).includes(kindNode.value)) {
      this.error(kindNode.range, 'enum', `"kind" must be one of ${WORKLOAD_KINDS.map((k) => JSON.stringify(k)).join(', ')}, found ${describe(kindNode)}`);
      return undefined;
    }
    const kind = kindNode.value as WorkloadKind;
    const required: Record<WorkloadKind, string[]> = {
      'packet-stream': ['ratePerSecond', 'sizeBytes'],
      'cd-read': ['path'],
      print: ['bytes'],
      'block-read': ['blocks'],
      'ipc-pingpong': ['clients'],
      'request-response': ['ratePerSecond'],
    };
    const f = this.object(n, pointer, `a "${kind}" workload item`, SCENARIO_KEYS.workload[kind], ['kind', ...required[kind]]);
    if (f === undefined) return undefined;
    const start = this.time(f.get('start'), 0);
    switch (kind) {
      case 'packet-stream':
        return {
          kind,
          start,
          ratePerSecond: this.positive(f.get('ratePerSecond'), 1),
          sizeBytes: this.integer(f.get('sizeBytes'), 64, 1, 65535),
          direction: this.oneOf<'rx' | 'tx'>(f.get('direction'), ['tx', 'rx'], 'tx'),
          count: f.has('count') ? this.integer(f.get('count'), 1, 1) : null,
        };
      case 'cd-read':
        return { kind, start, image: f.has('image') ? this.string(f.get('image'), '') : null, path: this.string(f.get('path'), '/'), repeat: this.integer(f.get('repeat'), 1, 1) };
      case 'print':
        return { kind, start, bytes: this.integer(f.get('bytes'), 1, 1), repeat: this.integer(f.get('repeat'), 1, 1) };
      case 'block-read':
        return {
          kind,
          start,
          blocks: this.integer(f.get('blocks'), 1, 1),
          blockSize: this.integer(f.get('blockSize'), 4096, 512, 1 << 20),
          pattern: this.oneOf(f.get('pattern'), ['sequential', 'random'] as const, 'sequential'),
          repeat: this.integer(f.get('repeat'), 1, 1),
        };
      case 'ipc-pingpong':
        return { kind, start, clients: this.integer(f.get('clients'), 1, 1, 1024), messages: this.integer(f.get('messages'), 1000, 1) };
      case 'request-response': {
        const transport = this.oneOf<'ipc' | 'network'>(f.get('transport'), ['ipc', 'network'], 'ipc');
        // Over the network a request and a response are one frame each.
        const maxBytes = transport === 'network' ? MAX_NETWORK_MESSAGE_BYTES : 65535;
        return {
          kind,
          start,
          ratePerSecond: this.positive(f.get('ratePerSecond'), 1),
          requestBytes: this.integer(f.get('requestBytes'), 64, 1, maxBytes),
          responseBytes: this.integer(f.get('responseBytes'), 64, 1, maxBytes),
          transport,
          loop: this.oneOf<'open' | 'closed'>(f.get('loop'), ['open', 'closed'], 'open'),
          clients: this.integer(f.get('clients'), 1, 1, 256),
          arrivals: this.oneOf<'fixed' | 'poisson'>(f.get('arrivals'), ['fixed', 'poisson'], 'fixed'),
        };
      }
    }
  }

  fault(n: JsonNode, pointer: string): FaultSpec | undefined {
    const f = this.object(n, pointer, 'a fault', SCENARIO_KEYS.fault, ['at', 'target', 'type']);
    if (f === undefined) return undefined;
    const params: Record<string, string | number | boolean> = {};
    const pm = f.get('params');
    if (pm !== undefined) {
      if (pm.value.kind !== 'object') this.error(pm.value.range, 'type', `"params" must be an object, found ${describe(pm.value)}`);
      else {
        for (const m of pm.value.members) {
          const v = m.value;
          if (v.kind === 'number' && !Number.isFinite(v.value)) this.error(v.range, 'range', `fault parameter "${m.key}" is too large a number`);
          else if (v.kind === 'string' || v.kind === 'number' || v.kind === 'boolean') params[m.key] = v.value;
          else this.error(v.range, 'type', `fault parameter "${m.key}" must be a string, number or boolean, found ${describe(v)}`);
        }
      }
    }
    return {
      at: this.time(f.get('at'), 0),
      target: this.string(f.get('target'), ''),
      type: this.oneOf(f.get('type'), INJECTABLE_FAULTS, 'crash'),
      params,
      repeatEvery: f.has('repeatEvery') ? this.time(f.get('repeatEvery'), 1, true) : null,
      count: f.has('count') ? this.integer(f.get('count'), 1, 1) : null,
    };
  }

  /** "expect": an object from configuration names (or "*") to run outcomes. */
  expect(m: JsonMember | undefined): ExpectedOutcome[] {
    if (m === undefined) return [];
    const o = this.object(m.value, '/expect', '"expect"', ['*', ...CONFIGURATIONS], []);
    if (o === undefined) return [];
    const out: ExpectedOutcome[] = [];
    for (const [key, member] of o) {
      const before = this.diagnostics.length;
      const outcome = this.oneOf(member, OUTCOMES, 'ok');
      if (this.diagnostics.length === before) out.push({ configuration: key as Configuration | '*', outcome });
    }
    return out;
  }

  list<T>(m: JsonMember | undefined, pointer: string, each: (n: JsonNode, p: string) => T | undefined): T[] {
    if (m === undefined) return [];
    if (m.value.kind !== 'array') {
      this.error(m.value.range, 'type', `"${m.key}" must be an array, found ${describe(m.value)}`);
      return [];
    }
    const out: T[] = [];
    m.value.items.forEach((it, i) => {
      const v = each(it, `${pointer}/${i}`);
      if (v !== undefined) out.push(v);
    });
    return out;
  }
}

/** Loads and validates a scenario file. Never throws; any error leaves `scenario` undefined. */
export function parseScenario(text: string, file: string, options: ScenarioLoadOptions = {}): ScenarioResult {
  const { node, diagnostics } = parseJsonWithPositions(text, file);
  if (node === undefined) return { scenario: undefined, diagnostics };
  const profile = profileOf(node);
  const clockHz = options.clockHz ?? costProfiles[profile.name]?.clockHz ?? costProfiles[DEFAULT_COST_PROFILE]!.clockHz;
  const L = new Loader(clockHz);
  const root = L.object(node, '', 'the scenario', SCENARIO_KEYS.root, ['name', 'system', 'configuration', 'seed', 'duration']);
  if (root === undefined) return { scenario: undefined, diagnostics: L.diagnostics };
  const configuration = L.configuration(root.get('configuration'));
  const optionsMember = root.get('options');
  let opts = defaultScenarioOptions(clockHz);
  if (optionsMember !== undefined) {
    const o = L.object(optionsMember.value, '/options', '"options"', SCENARIO_KEYS.options, []);
    if (o !== undefined) {
      opts = {
        heartbeatPeriod: L.time(o.get('heartbeatPeriod'), '5s', true),
        restartBackoff: L.boolean(o.get('restartBackoff'), true),
        driverMemoryMiB: L.integer(o.get('driverMemoryMiB'), DEFAULT_DRIVER_MEMORY_MIB, 16, 16384),
        driverStallMs: L.integer(o.get('driverStallMs'), DEFAULT_DRIVER_STALL_MS, 10, 600_000),
        nicGbps: L.number(o.get('nicGbps'), 1, 0.01, 400),
        containers: o.has('containers') ? L.integer(o.get('containers'), 1, 1, 64) : null,
      };
      L.retiredOptions(o, configuration);
    }
  }
  const scenario: Scenario = {
    file,
    name: L.string(root.get('name'), ''),
    description: L.string(root.get('description'), '', false),
    system: L.string(root.get('system'), 'default'),
    configuration: configuration ?? DEFAULT_CONFIGURATION,
    seed: L.integer(root.get('seed'), 0, 0),
    duration: L.time(root.get('duration'), 0, true),
    costProfile: L.string(root.get('costProfile'), 'default'),
    clockHz,
    workload: L.list(root.get('workload'), '/workload', (n, p) => L.workload(n, p)),
    faults: L.list(root.get('faults'), '/faults', (n, p) => L.fault(n, p)),
    options: opts,
    userDrivers: L.stringArray(root.get('userDrivers')),
    expect: L.expect(root.get('expect')),
    ranges: L.ranges,
  };
  if (profile.range !== undefined && profile.name !== 'default' && costProfiles[profile.name] === undefined) {
    L.error(profile.range, 'unknown-cost-profile', `unknown cost profile "${profile.name}": expected "default" or one of ${Object.keys(costProfiles).map((k) => JSON.stringify(k)).join(', ')}`);
  }
  const all = L.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return { scenario: hasErrors(all) ? undefined : scenario, diagnostics: all };
}

/** The cost profile a scenario's text names (before validation), and where. */
function profileOf(node: JsonNode): { name: string; range: SourceRange | undefined } {
  const m = node.kind === 'object' ? node.members.find((x) => x.key === 'costProfile') : undefined;
  if (m === undefined || m.value.kind !== 'string') return { name: 'default', range: undefined };
  return { name: m.value.value, range: m.value.range };
}

/**
 * The scenario with its times in cycles of `clockHz`: a time written with a
 * unit is converted again from what was written, a time written in cycles is
 * kept. Throws if a time does not fit in a whole, safe number of cycles at
 * that clock.
 */
export function retimeScenario<T extends TimedScenario>(scenario: T, clockHz: number): T {
  if (clockHz === scenario.clockHz) return scenario;
  const at = (t: SimTime, what: string): SimTime => {
    if (isWrittenInCycles(t.written)) return t;
    const cycles = timeToCycles(t.written, clockHz);
    if (cycles === undefined) throw new RangeError(`scenario ${scenario.name}: ${what} ${JSON.stringify(t.written)} is not a whole number of cycles at ${clockHz} Hz`);
    return { written: t.written, cycles };
  };
  return {
    ...scenario,
    clockHz,
    ...(scenario.duration === undefined ? {} : { duration: at(scenario.duration, 'the duration') }),
    workload: scenario.workload.map((w, i) => ({ ...w, start: at(w.start, `workload ${i}'s start`) })),
    faults: scenario.faults.map((f, i) => ({ ...f, at: at(f.at, `fault ${i}'s time`), repeatEvery: f.repeatEvery === null ? null : at(f.repeatEvery, `fault ${i}'s repeatEvery`) })),
    options: { ...scenario.options, heartbeatPeriod: at(scenario.options.heartbeatPeriod, 'the heartbeat period') },
  };
}

/** What of a scenario holds times, and the clock their cycles count. */
export interface TimedScenario {
  readonly name: string;
  readonly clockHz: number;
  readonly duration?: SimTime;
  readonly workload: readonly WorkloadItem[];
  readonly faults: readonly FaultSpec[];
  readonly options: ScenarioOptions;
}
