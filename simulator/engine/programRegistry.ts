// The program registry: servers, drivers and user programs by name, so that a
// restart creates a fresh instance and scenario files can name them.
import type { ProgramMain } from '../sdk/sys';

export interface ProgramDefinition {
  readonly name: string;
  readonly main: ProgramMain;
  /** Where the program's source lives, for debuggers and error messages. */
  readonly sourceFile?: string;
}

export class ProgramRegistry {
  private readonly programs = new Map<string, ProgramDefinition>();

  register(name: string, main: ProgramMain, options: { sourceFile?: string } = {}): this {
    if (this.programs.has(name)) throw new Error(`program ${name} is already registered`);
    this.programs.set(name, { name, main, ...(options.sourceFile === undefined ? {} : { sourceFile: options.sourceFile }) });
    return this;
  }

  /** Replaces a program (live update, or a user editing a driver). */
  replace(name: string, main: ProgramMain, options: { sourceFile?: string } = {}): this {
    this.programs.delete(name);
    return this.register(name, main, options);
  }

  get(name: string): ProgramDefinition | undefined {
    return this.programs.get(name);
  }

  has(name: string): boolean {
    return this.programs.has(name);
  }

  names(): string[] {
    return [...this.programs.keys()].sort();
  }
}
