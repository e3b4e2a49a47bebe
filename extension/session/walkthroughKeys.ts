// The context keys the walkthrough's steps complete on (package.json: `onContext:<key>`), apart
// from the code that sets them so that a plain-Node test can read them.

/** Each step of the walkthrough and the context key its completion event waits for (package.json: `onContext:<key>`). */
export const WALKTHROUGH_KEYS = {
  /** A system was started and runs. */
  start: 'microkernelLab.walkthrough.started',
  /** The System view was shown while a system runs. */
  look: 'microkernelLab.walkthrough.looked',
  /** A fault the user injected was followed by a restart by the reincarnation server. */
  crash: 'microkernelLab.walkthrough.restartSeen',
  /** Another kind of fault, or another system or configuration, was tried. */
  more: 'microkernelLab.walkthrough.wentFurther',
  /** A comparison finished, or S4, S5 or S7 ran to its end. */
  compare: 'microkernelLab.walkthrough.compared',
} as const;

