// Builds one of the project's Node bundles for a test the way esbuild.mjs does, with the build's plugin
// (a user driver's thread and SDK are bundled into it as text).
import { build, type BuildOptions } from 'esbuild';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type PluginFactory = (options?: { minify?: boolean }) => NonNullable<BuildOptions['plugins']>[number];

async function plugin(): Promise<PluginFactory> {
  // Loaded at run time from the checkout: the build script is plain JavaScript beside the sources.
  const url = pathToFileURL(resolve('scripts/bundleText.mjs')).href;
  const loaded = (await import(url)) as { bundleText: PluginFactory };
  return loaded.bundleText;
}

/** Bundles `entry` (a path from the checkout's root) into `outfile` as a CommonJS script for Node. */
export async function bundleForTest(entry: string, outfile: string, extra: BuildOptions = {}): Promise<void> {
  const bundleText = await plugin();
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'error', ...extra, plugins: [bundleText()] });
}

