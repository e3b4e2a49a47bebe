// The getting-started walkthrough's steps complete on what the user really
// did, not on a command being invoked (a cancelled pick, or a view merely
// shown): each step's completion event is a context key set here when its
// outcome is seen.
import * as vscode from 'vscode';
import { WALKTHROUGH_KEYS } from './walkthroughKeys';

export { WALKTHROUGH_KEYS };

export type WalkthroughStep = keyof typeof WALKTHROUGH_KEYS;

export class WalkthroughProgress {
  private readonly done = new Set<WalkthroughStep>();

  /** The steps completed in this window, in the order they were. */
  get completed(): readonly WalkthroughStep[] {
    return [...this.done];
  }

  /** Forgets what was done in this window (the context keys stay set); for tests. */
  resetForTests(): void {
    this.done.clear();
  }

  complete(step: WalkthroughStep): void {
    if (this.done.has(step)) return;
    this.done.add(step);
    void vscode.commands.executeCommand('setContext', WALKTHROUGH_KEYS[step], true);
  }
}
