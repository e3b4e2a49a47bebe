// Every command the extension contributes, with its argument types. A unit
// test checks package.json's contributes.commands against this table.

export const CommandId = {
  openPanel: 'microkernelLab.panel.open',
  pingSimulator: 'microkernelLab.simulator.ping',
  restartSimulator: 'microkernelLab.simulator.restart',
  refreshSystem: 'microkernelLab.system.refresh',
  newScenario: 'microkernelLab.scenario.new',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];

/** The arguments each command takes when called from code. */
export interface CommandArgs {
  [CommandId.openPanel]: [];
  [CommandId.pingSimulator]: [];
  [CommandId.restartSimulator]: [];
  [CommandId.refreshSystem]: [];
  /** A template id (s1, s2, s3, empty); without it the user picks one. */
  [CommandId.newScenario]: [templateId?: string];
}

export const CATEGORY = 'Microkernel Lab';
