// Loading drivers that users write in their workspace: the entry points the kernel and the front ends use.
export { CpuBudgetExceeded, CpuGuard, DEFAULT_CPU_BUDGET, isCpuBudgetExceeded } from '../../simulator/compile/cpuGuard';
export { formatDiagnostic, type Diagnostic, type DiagnosticCode } from '../../simulator/compile/diagnostics';
export { locateError, type ErrorLocation, type LocatableProgram } from './locateError';
export {
  DEFAULT_LOAD_TIMEOUT_MS,
  SDK_MODULE,
  loadUserDriver,
  type LoadOptions,
  type LoadResult,
  type UserMain,
  type UserProgram,
} from './loader';
export { DEFAULT_MEMORY_MB, DEFAULT_STALL_MS, DriverStopped, IsolatedInstance, type HostServices } from './isolation/host';
