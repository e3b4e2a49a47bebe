// The extension's settings that shape a started system.
import * as vscode from 'vscode';

export const SETTINGS_SECTION = 'microkernelLab';

export interface SessionSettings {
  /** A configuration name, or undefined for the scenario's own. */
  readonly configuration: string | undefined;
  /** A cost profile name, or undefined for the scenario's own. */
  readonly costProfile: string | undefined;
  /** RS's heartbeat period, or undefined for the scenario's own. */
  readonly heartbeatPeriodMs: number | undefined;
  readonly traceBufferEvents: number;
  /** Simulated seconds per wall-clock second; 0 as fast as possible. */
  readonly speed: number;
}

export function readSessionSettings(): SessionSettings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const configuration = c.get<string>('defaultConfiguration', 'scenario');
  const costProfile = c.get<string>('costProfile', 'scenario');
  const heartbeat = c.get<number>('heartbeatPeriodMs', 0);
  const trace = c.get<number>('traceBufferEvents', 1_000_000);
  const speed = c.get<number>('simulationSpeed', 1);
  return {
    configuration: configuration === 'scenario' ? undefined : configuration,
    costProfile: costProfile === 'scenario' ? undefined : costProfile,
    heartbeatPeriodMs: typeof heartbeat === 'number' && heartbeat > 0 ? heartbeat : undefined,
    traceBufferEvents: typeof trace === 'number' && Number.isSafeInteger(trace) && trace >= 1000 ? trace : 1_000_000,
    speed: typeof speed === 'number' && Number.isFinite(speed) && speed >= 0 ? speed : 1,
  };
}
