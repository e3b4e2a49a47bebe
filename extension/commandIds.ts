// Every command the extension contributes, with its argument types. A unit
// test checks package.json's contributes.commands against this table.

export const CommandId = {
  openPanel: 'microkernelLab.panel.open',
  pingSimulator: 'microkernelLab.simulator.ping',
  restartSimulator: 'microkernelLab.simulator.restart',
  refreshSystem: 'microkernelLab.system.refresh',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];

/** The arguments each command takes when called from code. */
export interface CommandArgs {
  [CommandId.openPanel]: [];
  [CommandId.pingSimulator]: [];
  [CommandId.restartSimulator]: [];
  [CommandId.refreshSystem]: [];
}

export const CATEGORY = 'Microkernel Lab';
