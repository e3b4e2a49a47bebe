// Types for codeServer.mjs, so the TypeScript tests can use it.
import type { Browser } from 'playwright-core';

export declare const chromiumArgs: string[];
export declare function requireTools(): { node: string; codeServer: string; chromium: string; cacheRoot: string };
export declare function freePort(): Promise<number>;
export declare function isolatedEnv(root: string, extra?: Record<string, string>): NodeJS.ProcessEnv;
export declare function writeUserSettings(userDataDir: string, extra?: Record<string, unknown>): void;
export declare function installExtension(options: {
  vsix: string;
  extensionsDir: string;
  userDataDir: string;
  env: NodeJS.ProcessEnv;
}): string;
export interface CodeServer {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}
export declare function startCodeServer(options: {
  userDataDir: string;
  extensionsDir: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  folder?: string;
  extraArgs?: string[];
  timeoutMs?: number;
}): Promise<CodeServer>;
export declare function launchChromium(): Promise<Browser>;
