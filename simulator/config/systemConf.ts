// Parser for MINIX's system.conf format into a neutral, fully defaulted system description with source ranges.

import { after, itemText, readConf, spanRange, type ConfAtom, type ConfItem, type ConfStatement, type ConfSublist, type IncludeResolver } from './confSyntax.js';
import { diagnostic, type Diagnostic, type Severity, type SourceRange } from './diagnostics.js';
import {
  ALL_KERNEL_CALLS,
  ALL_VM_CALLS,
  BASIC_KERNEL_CALLS,
  BASIC_VM_CALLS,
  KERNEL_CALLS,
  MAX_CONTROL,
  MAX_IO_RANGES,
  MAX_IRQS,
  MAX_LABEL_LENGTH,
  MAX_PCI_CLASSES,
  MAX_PCI_DEVICES,
  MINIX_LOGINS,
  NR_SCHED_QUEUES,
  SERVICE_DEFAULTS,
  SERVICE_KEYS,
  SOCKET_DOMAINS,
  PF_MAX,
  NR_DOMAIN,
  STANDARD_LABELS,
  VM_CALLS,
  kernelCall,
  serviceKey,
  vmCall,
} from './minixNames.js';
import { simulatorHasCall } from './privileges.js';

export type { Diagnostic, SourceRange } from './diagnostics.js';

/** An edit of a system.conf text: `text` takes the place of `range` (an empty range inserts it). */
export interface ConfEdit {
  readonly range: SourceRange;
  readonly text: string;
}

/** A diagnostic of the parser, with the fix it can tell when it knows what was meant. */
export interface ConfDiagnostic extends Diagnostic {
  /**
   * The word the parser suggests ("did you mean ...") in place of the bad one: its range is
   * exactly the bad word's (the diagnostic's own range), its text the suggested word.
   */
  readonly replacement?: ConfEdit;
}

export type IpcTargets = { readonly kind: 'all' } | { readonly kind: 'all-sys' } | { readonly kind: 'list'; readonly labels: readonly string[] };

export interface IoRange {
  readonly base: number;
  readonly length: number;
}

export interface PciDeviceId {
  readonly vendorId: number;
  readonly deviceId: number;
  readonly subVendorId?: number;
  readonly subDeviceId?: number;
}

export interface PciClassId {
  /** (base class << 16) | (subclass << 8) | interface. */
  readonly classCode: number;
  /** Which bytes of classCode must match: 0xff0000, 0xffff00 or 0xffffff. */
  readonly mask: number;
}

export interface ValueOccurrence {
  readonly text: string;
  readonly kind: 'word' | 'string';
  readonly range: SourceRange;
}

/** One `key value...;` statement as written, for hovers and diagnostics. */
export interface KeyOccurrence {
  readonly key: string;
  readonly keyRange: SourceRange;
  /** From the key to the last value (the `;` excluded). */
  readonly range: SourceRange;
  readonly values: readonly ValueOccurrence[];
}

export interface CallSet {
  /** `ALL` was given. */
  readonly all: boolean;
  /** The basic calls are included (true unless `NONE`). */
  readonly basic: boolean;
  /** Calls named explicitly, in file order, known names only. */
  readonly listed: readonly string[];
}

export interface ServiceDescription {
  readonly label: string;
  readonly file: string;
  /** The whole `service <label> { ... }` entry. */
  readonly range: SourceRange;
  readonly labelRange: SourceRange;
  readonly type: 'net' | null;
  readonly descr: string | null;
  /** Numeric uid, or 'SELF' (the uid of whoever starts the service). */
  readonly uid: number | 'SELF';
  readonly uidLogin: string | null;
  readonly ipc: IpcTargets;
  readonly system: CallSet;
  /** Every kernel call granted, resolved from `system`, ordered by call number. */
  readonly kernelCalls: readonly string[];
  readonly vm: CallSet;
  /** Every VM call granted, resolved from `vm`, ordered by call number. */
  readonly vmCalls: readonly string[];
  readonly io: { readonly all: boolean; readonly ranges: readonly IoRange[] };
  readonly irq: { readonly all: boolean; readonly lines: readonly number[] };
  /** 'SELF' or a label. */
  readonly sigmgr: string;
  /** 'KERNEL' or a label. */
  readonly scheduler: string;
  readonly priority: number;
  readonly quantumMs: number;
  /** -1 for the default CPU. */
  readonly cpu: number;
  readonly pciDevices: readonly PciDeviceId[];
  readonly pciClasses: readonly PciClassId[];
  readonly control: readonly string[];
  /** Entries whose settings this one took with `class`. */
  readonly classes: readonly string[];
  /** Socket protocol families (`domain`), as numbers; VFS routes socket calls of these families to the service. */
  readonly domains: readonly number[];
  /** Keys written in this entry (not those taken from a class). */
  readonly keys: readonly KeyOccurrence[];
}

export interface SystemDescription {
  readonly services: readonly ServiceDescription[];
}

export interface ParseResult {
  readonly description: SystemDescription;
  readonly diagnostics: readonly ConfDiagnostic[];
}

export interface ParseOptions {
  /** Labels to accept as IPC, control, sigmgr and scheduler targets besides MINIX's standard ones and the file's own. */
  readonly knownLabels?: readonly string[];
  /** Reads files named by `include`; without it an include gives a warning. */
  readonly resolveInclude?: IncludeResolver;
}

export interface ConfFile {
  readonly path: string;
  readonly text: string;
}

export interface FileDiagnostics {
  readonly path: string;
  readonly diagnostics: readonly ConfDiagnostic[];
}

interface Entry {
  readonly label: string;
  readonly labelRange: SourceRange;
  readonly body: ConfSublist;
  readonly range: SourceRange;
}

const MULTI_KEYS = new Set(['ipc', 'system', 'vm', 'io', 'irq', 'pci', 'control', 'class', 'domain']);
const KEY_NAMES = SERVICE_KEYS.map((k) => k.name);

function kernelOrder(a: string, b: string): number {
  return (kernelCall(a)?.offset ?? 999) - (kernelCall(b)?.offset ?? 999) || (a < b ? -1 : a > b ? 1 : 0);
}
function vmOrder(a: string, b: string): number {
  return (vmCall(a)?.offset ?? 999) - (vmCall(b)?.offset ?? 999);
}

/** strtol/strtoul as MINIX's parser uses them, but requiring the whole word to be a number. */
function parseCNumber(text: string, base: 0 | 16, allowSign: boolean): number | undefined {
  let s = text;
  let sign = 1;
  if (allowSign && (s[0] === '-' || s[0] === '+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  let radix = 10;
  if ((base === 0 || base === 16) && /^0[xX][0-9a-fA-F]/.test(s)) {
    radix = 16;
    s = s.slice(2);
  } else if (base === 16) radix = 16;
  else if (s.length > 1 && s[0] === '0') radix = 8;
  const digits = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!digits.test(s)) return undefined;
  const v = parseInt(s, radix);
  return Number.isSafeInteger(v) ? sign * v : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** How diagnostics name the calls of a `system` list and of a `vm` list, and where the parser looks them up. */
const CALL_LISTS = {
  system: { what: 'kernel call', code: 'kernel-call', lookup: kernelCall, names: KERNEL_CALLS.map((c) => c.name) },
  vm: { what: 'VM call', code: 'vm-call', lookup: vmCall, names: VM_CALLS.map((c) => c.name) },
} as const;

/** The name of `names` closest to `word` (ignoring case), if it is close enough to be what was meant. */
function closest(word: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    if (n === word) continue;
    const d = editDistance(word.toLowerCase(), n.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function didYouMean(best: string | undefined): string {
  return best === undefined ? '' : ` (did you mean '${best}'?)`;
}

/** A diagnostic whose fix is `replacement` in place of the word at `range`. */
function suggesting(range: SourceRange, severity: Severity, code: string, message: string, replacement: string | undefined): ConfDiagnostic {
  const d = diagnostic(range, severity, code, message);
  return replacement === undefined ? d : { ...d, replacement: { range: { ...range }, text: replacement } };
}

/** Keywords that stand alone after a key, suggested for a misspelt one when the value is alone too. */
const ALONE_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  system: ['ALL', 'BASIC', 'NONE'],
  vm: ['ALL', 'BASIC', 'NONE'],
  ipc: ['ALL', 'ALL_SYS', 'NONE'],
  io: ['ALL', 'NONE'],
  irq: ['ALL', 'NONE'],
};

export function parseIoRange(text: string): IoRange | undefined {
  const m = /^([^:]*)(?::(.*))?$/.exec(text);
  if (m === null) return undefined;
  const base = parseCNumber(m[1]!, 16, false);
  const length = m[2] === undefined ? 1 : parseCNumber(m[2], 16, false);
  if (base === undefined || length === undefined) return undefined;
  return { base, length };
}

export function parsePciDeviceId(text: string): PciDeviceId | undefined {
  const m = /^([0-9a-fA-F]{1,4})[:/]([0-9a-fA-F]{1,4})(?:\/([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4}))?$/.exec(text);
  if (m === null) return undefined;
  const id: PciDeviceId = { vendorId: parseInt(m[1]!, 16), deviceId: parseInt(m[2]!, 16) };
  return m[3] === undefined ? id : { ...id, subVendorId: parseInt(m[3], 16), subDeviceId: parseInt(m[4]!, 16) };
}

export function parsePciClass(text: string): PciClassId | undefined {
  const m = /^([0-9a-fA-F]{1,2})(?:\/([0-9a-fA-F]{1,2})(?:\/([0-9a-fA-F]{1,2}))?)?$/.exec(text);
  if (m === null) return undefined;
  const base = parseInt(m[1]!, 16);
  const sub = m[2] === undefined ? 0 : parseInt(m[2], 16);
  const intf = m[3] === undefined ? 0 : parseInt(m[3], 16);
  const mask = m[3] !== undefined ? 0xffffff : m[2] !== undefined ? 0xffff00 : 0xff0000;
  return { classCode: (base << 16) | (sub << 8) | intf, mask };
}

interface Acc {
  type: 'net' | null;
  descr: string | null;
  uid: number | 'SELF';
  uidLogin: string | null;
  ipc: IpcTargets | undefined;
  sysAll: boolean;
  sysBasic: boolean;
  sysListed: string[];
  vmAll: boolean;
  vmBasic: boolean;
  vmListed: string[];
  ioAll: boolean;
  io: IoRange[];
  irqAll: boolean;
  irqs: number[];
  sigmgr: string;
  scheduler: string;
  priority: number;
  quantumMs: number;
  cpu: number;
  pciDevices: PciDeviceId[];
  pciClasses: PciClassId[];
  control: string[];
  classes: string[];
  domains: number[];
}

function freshAcc(): Acc {
  return {
    type: null,
    descr: null,
    uid: SERVICE_DEFAULTS.uid,
    uidLogin: SERVICE_DEFAULTS.uidLogin,
    ipc: undefined,
    sysAll: false,
    sysBasic: true,
    sysListed: [],
    vmAll: false,
    vmBasic: true,
    vmListed: [],
    ioAll: false,
    io: [],
    irqAll: false,
    irqs: [],
    sigmgr: SERVICE_DEFAULTS.sigmgr,
    scheduler: SERVICE_DEFAULTS.scheduler,
    priority: SERVICE_DEFAULTS.priority,
    quantumMs: SERVICE_DEFAULTS.quantumMs,
    cpu: SERVICE_DEFAULTS.cpu,
    pciDevices: [],
    pciClasses: [],
    control: [],
    classes: [],
    domains: [],
  };
}

class ServiceParser {
  private readonly knownLabels: Set<string>;
  /** Diagnostics are dropped while reading a class's entry, which is checked on its own. */
  private quiet = 0;
  private readonly classStack: string[] = [];
  private cycle: string[] | undefined;

  constructor(
    private readonly entries: Map<string, Entry>,
    extraLabels: readonly string[],
    private readonly diagnostics: ConfDiagnostic[],
  ) {
    this.knownLabels = new Set([...STANDARD_LABELS, ...entries.keys(), ...extraLabels]);
  }

  /** Reports a problem; `replacement` is the word meant instead of the one at `range`, if known. */
  private report(range: SourceRange, severity: Severity, code: string, message: string, replacement?: string): void {
    if (this.quiet === 0) this.diagnostics.push(suggesting(range, severity, code, message, replacement));
  }

  service(entry: Entry): ServiceDescription {
    const acc = freshAcc();
    const keys: KeyOccurrence[] = [];
    this.classStack.push(entry.label);
    this.body(entry.body, acc, keys);
    this.classStack.pop();
    if (entry.label.length > MAX_LABEL_LENGTH) {
      this.report(entry.labelRange, 'warning', 'label-too-long', `label '${entry.label}' is longer than ${MAX_LABEL_LENGTH} characters; MINIX's RS truncates or rejects it`);
    }
    const kernelCalls = new Set<string>(acc.sysListed);
    if (acc.sysAll) ALL_KERNEL_CALLS.forEach((c) => kernelCalls.add(c));
    if (acc.sysBasic) BASIC_KERNEL_CALLS.forEach((c) => kernelCalls.add(c));
    const vmCalls = new Set<string>(acc.vmListed.filter((c) => vmCall(c)?.obsolete === undefined));
    if (acc.vmAll) ALL_VM_CALLS.forEach((c) => vmCalls.add(c));
    if (acc.vmBasic) BASIC_VM_CALLS.forEach((c) => vmCalls.add(c));
    return {
      label: entry.label,
      file: entry.range.file,
      range: entry.range,
      labelRange: entry.labelRange,
      type: acc.type,
      descr: acc.descr,
      uid: acc.uid,
      uidLogin: acc.uidLogin,
      ipc: acc.ipc ?? { kind: 'all-sys' },
      system: { all: acc.sysAll, basic: acc.sysBasic, listed: acc.sysListed },
      kernelCalls: [...kernelCalls].sort(kernelOrder),
      vm: { all: acc.vmAll, basic: acc.vmBasic, listed: acc.vmListed },
      vmCalls: [...vmCalls].sort(vmOrder),
      io: { all: acc.ioAll, ranges: acc.io },
      irq: { all: acc.irqAll, lines: acc.irqs },
      sigmgr: acc.sigmgr,
      scheduler: acc.scheduler,
      priority: acc.priority,
      quantumMs: acc.quantumMs,
      cpu: acc.cpu,
      pciDevices: acc.pciDevices,
      pciClasses: acc.pciClasses,
      control: acc.control,
      classes: acc.classes,
      domains: acc.domains,
      keys,
    };
  }

  private body(body: ConfSublist, acc: Acc, keys: KeyOccurrence[]): void {
    for (const st of body.statements) {
      const head = st.items[0]!;
      if (head.kind === 'list') continue;
      if (head.kind === 'string') {
        this.report(head.range, 'error', 'expected-key', `expected a key such as 'system' or 'ipc', found the string ${itemText(head)}`);
        continue;
      }
      this.statement(st.items, st.semicolon !== undefined, acc, keys);
    }
  }

  /** Handles one statement, splitting it where a `;` was evidently forgotten before another key. */
  private statement(items: ConfItem[], terminated: boolean, acc: Acc, keys: KeyOccurrence[]): void {
    const head = items[0] as ConfAtom;
    const key = head.text;
    if (serviceKey(key) === undefined) {
      const best = closest(key, KEY_NAMES);
      this.report(head.range, 'error', 'unknown-key', `unknown key '${key}'${didYouMean(best)}: expected one of ${KEY_NAMES.join(', ')}`, best);
      return;
    }
    const split = this.findSplit(key, items);
    const own = split < 0 ? items : items.slice(0, split);
    const last = own[own.length - 1]!;
    if (split >= 0) {
      this.report(after(last.range), 'error', 'missing-semicolon', `expected ';' after '${own.map(itemText).join(' ')}'`);
    } else if (!terminated) {
      this.report(after(last.range), 'warning', 'missing-semicolon', `expected ';' after '${own.map(itemText).join(' ')}' (MINIX accepts it before '}', but it is easy to break)`);
    }
    const values: ValueOccurrence[] = [];
    for (const it of own.slice(1)) if (it.kind !== 'list') values.push({ text: it.text, kind: it.kind, range: it.range });
    keys.push({ key, keyRange: head.range, range: spanRange(head.range, last.range), values });
    this.apply(key, head, own.slice(1), acc);
    if (split >= 0) this.statement(items.slice(split), terminated, acc, keys);
  }

  private findSplit(key: string, items: ConfItem[]): number {
    const firstValue = key === 'pci' ? 2 : 1;
    for (let i = firstValue + 1; i < items.length; i++) {
      const it = items[i]!;
      if (it.kind !== 'word' || serviceKey(it.text) === undefined) continue;
      if (!MULTI_KEYS.has(key)) return i;
      if (!this.validListValue(key, items[1], it.text)) return i;
    }
    return -1;
  }

  private validListValue(key: string, pciKind: ConfItem | undefined, w: string): boolean {
    switch (key) {
      case 'system':
        return kernelCall(w) !== undefined;
      case 'vm':
        return vmCall(w) !== undefined;
      case 'io':
        return parseIoRange(w) !== undefined;
      case 'irq':
        return parseCNumber(w, 0, false) !== undefined;
      case 'pci':
        return pciKind?.kind === 'word' && pciKind.text === 'class' ? parsePciClass(w) !== undefined : parsePciDeviceId(w) !== undefined;
      default:
        return this.knownLabels.has(w);
    }
  }

  private atoms(key: string, values: ConfItem[]): ConfAtom[] {
    const out: ConfAtom[] = [];
    for (const v of values) {
      if (v.kind === 'list') this.report(v.range, 'error', 'unexpected-block', `'${key}' takes no block`);
      else out.push(v);
    }
    return out;
  }

  private single(key: string, head: ConfAtom, values: ConfItem[], wantString: boolean): ConfAtom | undefined {
    const atoms = this.atoms(key, values);
    if (atoms.length === 0) {
      this.report(head.range, 'error', 'missing-value', `'${key}' needs a value: ${serviceKey(key)!.syntax}`);
      return undefined;
    }
    if (atoms.length > 1) {
      this.report(spanRange(atoms[1]!.range, atoms[atoms.length - 1]!.range), 'error', 'too-many-values', `'${key}' takes just one value: ${serviceKey(key)!.syntax}`);
    }
    const a = atoms[0]!;
    if (wantString && a.kind !== 'string') {
      this.report(a.range, 'error', 'expected-string', `'${key}' expects a quoted string, as in ${key} "Realtek 8139 based card";`);
      return undefined;
    }
    if (!wantString && a.kind === 'string') {
      this.report(a.range, 'error', 'unexpected-string', `'${key}' expects a word, not a quoted string`);
      return undefined;
    }
    return a;
  }

  /** Checks the ALL/NONE/BASIC keywords, which MINIX allows only alone. */
  private keywordAlone(key: string, atoms: ConfAtom[], keywords: readonly string[]): string | undefined {
    const first = atoms[0];
    for (let i = 0; i < atoms.length; i++) {
      const a = atoms[i]!;
      if (keywords.includes(a.text) && (i > 0 || atoms.length > 1)) {
        this.report(a.range, 'error', 'keyword-in-list', `'${a.text}' must stand alone after '${key}', not in a list`);
      }
    }
    return first !== undefined && keywords.includes(first.text) && atoms.length === 1 ? first.text : undefined;
  }

  /** Checks a service label; `keywords` are the words that may stand in its place (SELF, KERNEL, ALL...), for suggestions. */
  private label(a: ConfAtom, what: string, keywords: readonly string[] = []): void {
    if (this.knownLabels.has(a.text)) return;
    // MINIX's RS compares names exactly (servers/rs/manager.c, add_forward_ipc), and its processes' names are lower case.
    const lower = a.text.toLowerCase();
    if (lower !== a.text && this.knownLabels.has(lower)) {
      this.report(a.range, 'warning', 'unknown-label', `${what} '${a.text}' matches no process: MINIX compares names exactly and the process is '${lower}', so this entry grants nothing (some of MINIX's own files write it so)`, lower);
      return;
    }
    const best = closest(a.text, [...this.knownLabels, ...keywords]);
    this.report(a.range, 'warning', 'unknown-label', `unknown ${what} '${a.text}'${didYouMean(best)}: no service of that name is defined here or in MINIX`, best);
  }

  private apply(key: string, head: ConfAtom, values: ConfItem[], acc: Acc): void {
    switch (key) {
      case 'uid': {
        const a = this.single(key, head, values, false);
        if (a === undefined) return;
        // Own properties only: a login named like an Object property (`uid constructor`) is not a login.
        const login = Object.hasOwn(MINIX_LOGINS, a.text) ? MINIX_LOGINS[a.text] : undefined;
        if (login !== undefined) {
          acc.uid = login;
          acc.uidLogin = a.text;
        } else if (a.text === 'SELF') {
          acc.uid = 'SELF';
          acc.uidLogin = null;
        } else {
          const n = parseCNumber(a.text, 0, true);
          if (n === undefined) {
            const best = closest(a.text, [...Object.keys(MINIX_LOGINS), 'SELF']);
            this.report(a.range, 'error', 'bad-uid', `bad uid/login '${a.text}'${didYouMean(best)}: expected a number, SELF or a login such as root or service`, best);
          } else {
            acc.uid = n;
            acc.uidLogin = null;
          }
        }
        return;
      }
      case 'sigmgr':
      case 'scheduler': {
        const a = this.single(key, head, values, false);
        if (a === undefined) return;
        const special = key === 'sigmgr' ? 'SELF' : 'KERNEL';
        if (a.text !== special) this.label(a, key === 'sigmgr' ? 'signal manager' : 'scheduler', [special]);
        if (key === 'sigmgr') acc.sigmgr = a.text;
        else acc.scheduler = a.text;
        return;
      }
      case 'priority':
      case 'quantum':
      case 'cpu': {
        const a = this.single(key, head, values, false);
        if (a === undefined) return;
        const n = parseCNumber(a.text, 0, true);
        if (n === undefined) {
          this.report(a.range, 'error', `bad-${key}`, `bad ${key} value '${a.text}': expected an integer`);
          return;
        }
        if (key === 'priority') {
          if (n < 0 || n >= NR_SCHED_QUEUES) this.report(a.range, 'error', 'bad-priority', `priority ${n} out of range: expected 0 to ${NR_SCHED_QUEUES - 1}`);
          else acc.priority = n;
        } else if (key === 'quantum') {
          if (n <= 0) this.report(a.range, 'error', 'bad-quantum', `quantum ${n} out of range: expected a positive number of milliseconds`);
          else acc.quantumMs = n;
        } else if (n < 0) this.report(a.range, 'error', 'bad-cpu', `cpu ${n} out of range: expected 0 or more`);
        else acc.cpu = n;
        return;
      }
      case 'type': {
        const a = this.single(key, head, values, false);
        if (a === undefined) return;
        if (acc.type !== null) this.report(head.range, 'error', 'duplicate-key', "another 'type': only one is allowed");
        if (a.text === 'net') acc.type = 'net';
        else {
          const best = closest(a.text, ['net']);
          this.report(a.range, 'error', 'bad-type', `unknown type '${a.text}'${didYouMean(best)}: MINIX knows only 'net'`, best);
        }
        return;
      }
      case 'descr': {
        const a = this.single(key, head, values, true);
        if (a === undefined) return;
        if (acc.descr !== null) this.report(head.range, 'error', 'duplicate-key', "another 'descr': only one is allowed");
        acc.descr = a.text;
        return;
      }
      case 'irq':
      case 'io': {
        const atoms = this.plainAtoms(key, values);
        const kw = this.keywordAlone(key, atoms, ['ALL', 'NONE']);
        if (kw === 'ALL') {
          if (key === 'irq') acc.irqAll = true;
          else acc.ioAll = true;
        }
        if (kw !== undefined) return;
        // A misspelt ALL or NONE is suggested only where it could stand: alone.
        const keyword = (a: ConfAtom) => (atoms.length === 1 ? closest(a.text, ALONE_KEYWORDS[key]!) : undefined);
        for (const a of atoms) {
          if (a.text === 'ALL' || a.text === 'NONE') continue;
          if (key === 'irq') {
            const n = parseCNumber(a.text, 0, false);
            if (n === undefined) this.report(a.range, 'error', 'bad-irq', `bad IRQ '${a.text}'${didYouMean(keyword(a))}: expected a number`, keyword(a));
            else if (acc.irqs.length >= MAX_IRQS) this.report(a.range, 'error', 'too-many-irqs', `too many IRQs (at most ${MAX_IRQS})`);
            else acc.irqs.push(n);
          } else {
            const r = parseIoRange(a.text);
            if (r === undefined) this.report(a.range, 'error', 'bad-io-range', `bad I/O range '${a.text}'${didYouMean(keyword(a))}: expected hex base[:len], as in 378:4`, keyword(a));
            else if (acc.io.length >= MAX_IO_RANGES) this.report(a.range, 'error', 'too-many-io-ranges', `too many I/O ranges (at most ${MAX_IO_RANGES})`);
            else {
              if (r.length === 0) this.report(a.range, 'warning', 'empty-io-range', `I/O range '${a.text}' has length 0 and allows no port`);
              if (r.base + r.length > 0x10000) this.report(a.range, 'warning', 'io-range-beyond-ports', `I/O range '${a.text}' goes past port ffff`);
              acc.io.push(r);
            }
          }
        }
        return;
      }
      case 'pci': {
        const atoms = this.plainAtoms(key, values);
        const kind = atoms[0];
        if (kind === undefined) return;
        if (kind.text !== 'device' && kind.text !== 'class') {
          const best = closest(kind.text, ['device', 'class']);
          this.report(kind.range, 'error', 'bad-pci', `unexpected word '${kind.text}' after 'pci'${didYouMean(best)}: expected 'device' or 'class'`, best);
          return;
        }
        for (const a of atoms.slice(1)) {
          if (kind.text === 'device') {
            const id = parsePciDeviceId(a.text);
            if (id === undefined) this.report(a.range, 'error', 'bad-pci-id', `bad PCI device id '${a.text}': expected vid:did or vid:did/subvid:subdid in hex`);
            else if (acc.pciDevices.length >= MAX_PCI_DEVICES) this.report(a.range, 'error', 'too-many-pci-ids', `too many PCI device ids (at most ${MAX_PCI_DEVICES})`);
            else acc.pciDevices.push(id);
          } else {
            const c = parsePciClass(a.text);
            if (c === undefined) this.report(a.range, 'error', 'bad-pci-class', `bad PCI class '${a.text}': expected class[/subclass[/interface]] in hex`);
            else if (acc.pciClasses.length >= MAX_PCI_CLASSES) this.report(a.range, 'error', 'too-many-pci-classes', `too many PCI classes (at most ${MAX_PCI_CLASSES})`);
            else acc.pciClasses.push(c);
          }
        }
        return;
      }
      case 'ipc': {
        const atoms = this.plainAtoms(key, values);
        if (acc.ipc !== undefined) this.report(head.range, 'error', 'duplicate-key', "another 'ipc': MINIX allows only one ipc list per service");
        const kw = this.keywordAlone(key, atoms, ['ALL', 'ALL_SYS', 'NONE']);
        if (kw === 'ALL') acc.ipc = { kind: 'all' };
        else if (kw === 'ALL_SYS') acc.ipc = { kind: 'all-sys' };
        else if (kw === 'NONE') acc.ipc = { kind: 'list', labels: [] };
        else {
          const labels: string[] = [];
          for (const a of atoms) {
            if (a.text === 'ALL' || a.text === 'ALL_SYS' || a.text === 'NONE') continue;
            this.label(a, 'IPC target', atoms.length === 1 ? ALONE_KEYWORDS.ipc : []);
            labels.push(a.text);
          }
          if (atoms.length === 0) this.report(head.range, 'warning', 'empty-list', "empty 'ipc' list: the service can send to no one (MINIX's RS rejects an empty list)");
          acc.ipc = { kind: 'list', labels };
        }
        return;
      }
      case 'system':
      case 'vm': {
        const atoms = this.plainAtoms(key, values);
        const kw = this.keywordAlone(key, atoms, ['ALL', 'BASIC', 'NONE']);
        if (kw === 'ALL') {
          if (key === 'system') acc.sysAll = true;
          else acc.vmAll = true;
        } else if (kw === 'NONE') {
          if (key === 'system') acc.sysBasic = false;
          else acc.vmBasic = false;
        }
        if (kw !== undefined) return;
        for (const a of atoms) {
          if (a.text === 'ALL' || a.text === 'BASIC' || a.text === 'NONE') continue;
          this.callName(a, key, key === 'system' ? acc.sysListed : acc.vmListed, atoms.length === 1);
        }
        return;
      }
      case 'control': {
        for (const a of this.plainAtoms(key, values)) {
          this.label(a, 'controlling service');
          if (acc.control.length >= MAX_CONTROL) this.report(a.range, 'error', 'too-many-control', `too many controlling services (at most ${MAX_CONTROL})`);
          else acc.control.push(a.text);
        }
        return;
      }
      case 'class': {
        for (const a of this.plainAtoms(key, values)) this.classRef(a, acc);
        return;
      }
      case 'domain': {
        for (const a of this.plainAtoms(key, values)) {
          const named = Object.hasOwn(SOCKET_DOMAINS, a.text) ? SOCKET_DOMAINS[a.text] : undefined;
          const n = named ?? (/^\d+$/.test(a.text) ? Number(a.text) : undefined);
          if (n === undefined || n <= 0 || n >= PF_MAX) {
            const best = n === undefined ? closest(a.text, Object.keys(SOCKET_DOMAINS)) : undefined;
            this.report(a.range, 'error', 'bad-domain', `unknown protocol family '${a.text}'${didYouMean(best)}: expected a name such as INET, INET6, LOCAL or ROUTE, or a number from 1 to ${PF_MAX - 1}`, best);
          } else if (acc.domains.length >= NR_DOMAIN) this.report(a.range, 'error', 'too-many-domains', `too many protocol families (at most ${NR_DOMAIN})`);
          else acc.domains.push(n);
        }
        return;
      }
    }
  }

  private plainAtoms(key: string, values: ConfItem[]): ConfAtom[] {
    return this.atoms(key, values).filter((a) => {
      if (a.kind === 'string') {
        this.report(a.range, 'error', 'unexpected-string', `'${key}' expects words, not a quoted string`);
        return false;
      }
      return true;
    });
  }

  /**
   * A name in a `system` or `vm` list: unknown names are errors; obsolete ones, and ones MINIX 3.4 does not accept there, are said so.
   * `alone`: the only word of the list, where a misspelt ALL, BASIC or NONE may be meant.
   */
  private callName(a: ConfAtom, key: 'system' | 'vm', listed: string[], alone: boolean): void {
    const list = CALL_LISTS[key];
    const info = list.lookup(a.text);
    if (info === undefined) {
      const best = closest(a.text, alone ? [...list.names, ...ALONE_KEYWORDS[key]!] : list.names);
      this.report(a.range, 'error', `unknown-${list.code}`, `unknown ${list.what} '${a.text}'${didYouMean(best)}`, best);
      return;
    }
    if (info.obsolete !== undefined) {
      this.report(a.range, 'information', `obsolete-${list.code}`, `${list.what} '${a.text}' is obsolete (${info.obsolete}); it has no effect in the simulator`);
    } else if (!info.listable) {
      const granted = simulatorHasCall(key, a.text) ? '; the simulator grants it' : '';
      const why = info.basic ? `it is a basic ${list.what} and is granted anyway` : `MINIX 3.4's service utility ignores it${granted}`;
      this.report(a.range, 'information', `${list.code}-not-listable`, `${list.what} '${a.text}' is not accepted in a '${key}' list by MINIX 3.4: ${why}`);
    }
    if (!listed.includes(a.text)) listed.push(a.text);
  }

  private classRef(a: ConfAtom, acc: Acc): void {
    const target = this.entries.get(a.text);
    if (target === undefined) {
      this.report(a.range, 'error', 'unknown-class', `no entry found for class '${a.text}': expected the label of a service in this file`);
      return;
    }
    if (this.classStack.includes(a.text)) {
      this.cycle ??= [...this.classStack, a.text];
      return;
    }
    acc.classes.push(a.text);
    this.classStack.push(a.text);
    this.quiet++;
    this.body(target.body, acc, []);
    this.quiet--;
    this.classStack.pop();
    // A cycle found inside class entries is reported at the reference in the entry being parsed.
    if (this.quiet === 0 && this.cycle !== undefined) {
      this.report(a.range, 'error', 'class-cycle', `class '${a.text}' leads back to an entry already being read (${this.cycle.join(' -> ')})`);
      this.cycle = undefined;
    }
  }
}

function collectEntries(statements: ConfStatement[], diagnostics: ConfDiagnostic[]): Entry[] {
  const out: Entry[] = [];
  const pending: ConfItem[][] = statements.map((s) => s.items);
  const terminated = new Map<ConfItem[], boolean>(statements.map((s) => [s.items, s.semicolon !== undefined]));
  while (pending.length > 0) {
    const items = pending.shift()!;
    const done = terminated.get(items) ?? true;
    const head = items[0]!;
    if (head.kind !== 'word' || head.text !== 'service') {
      if (head.kind !== 'list') {
        const best = head.kind === 'word' ? closest(head.text, ['service']) : undefined;
        diagnostics.push(suggesting(head.range, 'error', 'expected-service', `expected 'service <label> { ... };', found ${itemText(head)}${didYouMean(best)}`, best));
      }
      continue;
    }
    const label = items[1];
    if (label === undefined || label.kind !== 'word') {
      diagnostics.push(diagnostic(label?.range ?? after(head.range), 'error', 'expected-label', "expected a service label after 'service'"));
      continue;
    }
    const body = items[2];
    if (body === undefined || body.kind !== 'list') {
      diagnostics.push(diagnostic(body?.range ?? after(label.range), 'error', 'expected-block', `expected '{' after 'service ${label.text}'`));
      continue;
    }
    out.push({ label: label.text, labelRange: label.range, body, range: spanRange(head.range, body.range) });
    const rest = items.slice(3);
    if (rest.length > 0) {
      diagnostics.push(diagnostic(after(body.range), 'error', 'missing-semicolon', `expected ';' after '}' of service '${label.text}'`));
      const again = rest.findIndex((it) => it.kind === 'word' && it.text === 'service');
      if (again >= 0) {
        const next = rest.slice(again);
        terminated.set(next, done);
        pending.unshift(next);
      }
    } else if (!done && body.closed) {
      diagnostics.push(diagnostic(after(body.range), 'warning', 'missing-semicolon', `expected ';' after '}' of service '${label.text}'`));
    }
  }
  return out;
}

function parseEntries(entries: Entry[], options: ParseOptions, diagnostics: ConfDiagnostic[]): ServiceDescription[] {
  const byLabel = new Map<string, Entry>();
  const unique: Entry[] = [];
  for (const e of entries) {
    const first = byLabel.get(e.label);
    if (first !== undefined) {
      diagnostics.push(
        diagnostic(e.labelRange, 'warning', 'duplicate-service', `service '${e.label}' is already described at ${first.labelRange.file}:${first.labelRange.line}; MINIX uses the first entry`),
      );
      continue;
    }
    byLabel.set(e.label, e);
    unique.push(e);
  }
  const parser = new ServiceParser(byLabel, options.knownLabels ?? [], diagnostics);
  return unique.map((e) => parser.service(e));
}

function sortDiagnostics(d: ConfDiagnostic[]): ConfDiagnostic[] {
  return d.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
}

/** Parses one system.conf-format file (the global /etc/system.conf or a per-driver file). Never throws. */
export function parseSystemConf(text: string, file: string, options: ParseOptions = {}): ParseResult {
  const diagnostics: ConfDiagnostic[] = [];
  const entries = collectEntries(readConf(text, file, diagnostics, options.resolveInclude), diagnostics);
  const services = parseEntries(entries, options, diagnostics);
  return { description: { services }, diagnostics: sortDiagnostics(diagnostics) };
}

/** Parses several files into one system; labels from every file are known to all, and a label described twice is reported. */
export function parseSystemConfFiles(files: readonly ConfFile[], options: ParseOptions = {}): ParseResult {
  const diagnostics: ConfDiagnostic[] = [];
  const entries: Entry[] = [];
  for (const f of files) entries.push(...collectEntries(readConf(f.text, f.path, diagnostics, options.resolveInclude), diagnostics));
  const services = parseEntries(entries, options, diagnostics);
  return { description: { services }, diagnostics: sortDiagnostics(diagnostics) };
}

/** Checks configuration files together, for `mklab conf check`: diagnostics grouped by file, in the order given. */
export function checkConfFiles(files: readonly ConfFile[], options: ParseOptions = {}): FileDiagnostics[] {
  const { diagnostics } = parseSystemConfFiles(files, options);
  const byFile = new Map<string, ConfDiagnostic[]>(files.map((f) => [f.path, []]));
  for (const d of diagnostics) {
    let list = byFile.get(d.file);
    if (list === undefined) byFile.set(d.file, (list = []));
    list.push(d);
  }
  return [...byFile].map(([path, ds]) => ({ path, diagnostics: ds }));
}

/**
 * A minimal `service rs` entry with which a file boots on its own: the simulator boots a
 * system.conf as the whole system and starts RS first, and RS needs every kernel call and IPC to
 * every process to start the other services (MINIX's own entry for RS grants these too). With
 * `service rs { };` the file boots, but RS can start nothing.
 */
export const STANDALONE_RS_ENTRY = 'service rs\n{\n\tuid\t0;\n\tipc\tALL;\n\tsystem\tALL;\n\tsigmgr\tSELF;\n\tscheduler\tKERNEL;\n};\n\n';

/** The hint that a file cannot boot by itself, with the entry that makes it boot. */
export interface StandaloneHint extends ConfDiagnostic {
  /**
   * Inserts STANDALONE_RS_ENTRY before the file's first service. Present only when the file has
   * no error: with the entry it then boots (the boot refuses a description with errors).
   */
  readonly insertion?: ConfEdit;
}

function labelList(labels: readonly string[]): string {
  if (labels.length === 1) return labels[0]!;
  const shown = labels.length > 4 ? [...labels.slice(0, 3), `${labels.length - 3} more`] : labels;
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]!}`;
}

/**
 * Why the file `file` (parsed as `parsed`) cannot boot by itself, or undefined if it can or has no
 * service at all: a per-driver file, or a system.conf without `service rs`. Starting a system.conf
 * boots it as the whole system, in which RS starts every other service; nothing lays such a file
 * over the built-in base system (only a scenario's user driver brings its .conf in beside it). An
 * information, on the label of the file's first service, for the editor; `mklab conf check` and
 * the boot do not report it (a per-driver file is a good MINIX file).
 */
export function standaloneHint(parsed: ParseResult, file: string): StandaloneHint | undefined {
  const services = parsed.description.services.filter((s) => s.file === file);
  const first = services[0];
  if (first === undefined || parsed.description.services.some((s) => s.label === 'rs')) return undefined;
  const labels = services.map((s) => s.label);
  const bootable = !parsed.diagnostics.some((d) => d.severity === 'error');
  const parts = [
    labels.length === 1
      ? `This file describes ${first.label} only: no \`service rs\`, so it cannot boot by itself.`
      : `This file describes ${labelList(labels)}, but no \`service rs\`, so it cannot boot by itself.`,
    'Start System boots a system.conf as the whole system, in which RS (the reincarnation server) starts every other service; it does not add the file to the built-in base system.',
    bootable
      ? 'To boot it alone, add a `service rs` entry (Quick Fix): RS then starts the services here that the simulator has a program for.'
      : 'To boot it alone, fix its errors and add a `service rs` entry: RS then starts the services here that the simulator has a program for.',
  ];
  if (labels.length === 1) {
    parts.push(
      `To run ${first.label} beside the built-in base system, it must be a driver of your own: ${first.label}.ts, with this entry beside it as ${first.label}.conf, named in a scenario's userDrivers (New Driver writes all three).`,
    );
  }
  const hint = diagnostic(first.labelRange, 'information', 'cannot-boot-alone', parts.join(' '));
  if (!bootable) return hint;
  const at = { file, line: first.range.line, column: first.range.column, endLine: first.range.line, endColumn: first.range.column };
  return { ...hint, insertion: { range: at, text: STANDALONE_RS_ENTRY } };
}

/** Formats a diagnostic the way compilers do: `file:line:column: severity: message [code]`. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.code}]`;
}
