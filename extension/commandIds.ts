import type * as vscode from 'vscode';

// Every command the extension contributes, with its argument types. A unit
// test checks package.json's contributes.commands against this table.

export const CommandId = {
  openPanel: 'microkernelLab.panel.open',
  compareArchitectures: 'microkernelLab.compare.open',
  runCampaign: 'microkernelLab.campaign.open',
  pingSimulator: 'microkernelLab.simulator.ping',
  restartSimulator: 'microkernelLab.simulator.restart',
  refreshSystem: 'microkernelLab.system.refresh',
  newScenario: 'microkernelLab.scenario.new',
  newDriver: 'microkernelLab.driver.new',
  startSystem: 'microkernelLab.system.start',
  stopSystem: 'microkernelLab.system.stop',
  pauseSystem: 'microkernelLab.system.pause',
  resumeSystem: 'microkernelLab.system.resume',
  showSummary: 'microkernelLab.system.showSummary',
  restartDriver: 'microkernelLab.driver.restart',
  killDriver: 'microkernelLab.driver.kill',
  injectFault: 'microkernelLab.driver.injectFault',
  updateDriver: 'microkernelLab.driver.update',
  showPrivileges: 'microkernelLab.driver.showPrivileges',
  openDriverSource: 'microkernelLab.driver.openSource',
  openConsole: 'microkernelLab.console.open',
  openTrace: 'microkernelLab.trace.open',
  loadTrace: 'microkernelLab.trace.load',
  exportPerfetto: 'microkernelLab.trace.exportPerfetto',
  exportCsv: 'microkernelLab.trace.exportCsv',
  debugTraceFailure: 'microkernelLab.trace.debugFailure',
  debugFromHere: 'microkernelLab.trace.debugFromHere',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];

/** The arguments each command takes when called from code. */
export interface CommandArgs {
  [CommandId.openPanel]: [];
  [CommandId.compareArchitectures]: [];
  [CommandId.runCampaign]: [];
  [CommandId.pingSimulator]: [];
  [CommandId.restartSimulator]: [];
  [CommandId.refreshSystem]: [];
  /** A template id (s1, s2, s3, empty); without it the user picks one. */
  [CommandId.newScenario]: [templateId?: string];
  /** The new driver's label; without one the user types it. */
  [CommandId.newDriver]: [label?: string];
  /** A built-in scenario name or a workspace scenario file, and a configuration; without them the user picks. */
  [CommandId.startSystem]: [scenario?: string, configuration?: string];
  [CommandId.stopSystem]: [];
  [CommandId.pauseSystem]: [];
  [CommandId.resumeSystem]: [];
  [CommandId.showSummary]: [];
  /** A service label, or the System view's node; without one the user picks. */
  [CommandId.restartDriver]: [target?: unknown];
  [CommandId.killDriver]: [target?: unknown];
  /** A service label or node, and a fault type; without them the user picks. */
  [CommandId.injectFault]: [target?: unknown, faultType?: string];
  [CommandId.updateDriver]: [target?: unknown];
  [CommandId.showPrivileges]: [target?: unknown];
  [CommandId.openDriverSource]: [target?: unknown];
  [CommandId.openConsole]: [];
  [CommandId.openTrace]: [];
  /** A trace file's path; without one the user picks. */
  [CommandId.loadTrace]: [path?: string];
  /** Where to write; without it the user picks. */
  [CommandId.exportPerfetto]: [path?: string];
  [CommandId.exportCsv]: [path?: string];
  /** The trace file (a path or the Explorer's URI); without it the user picks. */
  [CommandId.debugTraceFailure]: [file?: string | vscode.Uri];
  /** A trace event's sequence number; without it, the event selected in the trace view. */
  [CommandId.debugFromHere]: [seq?: number];
}

export const CATEGORY = 'Microkernel Lab';
