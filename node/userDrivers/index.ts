// Loading drivers that users write in their workspace: the entry points the kernel and the front ends use.
export { CpuBudgetExceeded, CpuGuard, DEFAULT_CPU_BUDGET, isCpuBudgetExceeded } from './cpuGuard';
export { formatDiagnostic, type Diagnostic, type DiagnosticCode } from './diagnostics';
export { locateError, type ErrorLocation, type LocatableProgram } from './locateError';
export {
  DEFAULT_LOAD_TIMEOUT_MS,
  GuardedGenerator,
  loadUserDriver,
  type LoadOptions,
  type LoadResult,
  type UserMain,
  type UserProgram,
} from './loader';
export type { ConsoleLevel, SandboxOptions } from './sandbox';
