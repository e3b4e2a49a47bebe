// The build's one plugin, shared by esbuild.mjs and the scripts that bundle tests and benches.
import * as esbuild from 'esbuild';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';

/**
 * `import text from 'bundle-text:./file.ts'`: the file bundled on its own, in strict mode, as a string. A user
 * driver's thread is started from such a text, and runs the driver's SDK (realm.ts) from one inside the driver's
 * own vm context, so the same code serves the CLI, the extension and the tests. realm.ts becomes a script whose
 * value is its exports; anything else a CommonJS script.
 */
export function bundleText({ minify = false } = {}) {
  const plugin = {
    name: 'bundle-text',
    setup(build) {
      // `import text from 'source-text:./file.ts'`: the file's own text, unbundled and untouched (a built-in
      // driver's source, which code-level faults compile with their mutation sites opened).
      build.onResolve({ filter: /^source-text:/ }, (args) => ({
        path: join(args.resolveDir, args.path.slice('source-text:'.length)),
        namespace: 'source-text',
      }));
      build.onLoad({ filter: /.*/, namespace: 'source-text' }, async (args) => ({
        contents: `export default ${JSON.stringify(await readFile(args.path, 'utf8'))};`,
        loader: 'js',
        watchFiles: [args.path],
      }));
      build.onResolve({ filter: /^bundle-text:/ }, (args) => ({
        path: join(args.resolveDir, args.path.slice('bundle-text:'.length)),
        namespace: 'bundle-text',
      }));
      build.onLoad({ filter: /.*/, namespace: 'bundle-text' }, async (args) => {
        const script = args.path.endsWith('realm.ts');
        const result = await esbuild.build({
          entryPoints: [args.path],
          bundle: true,
          write: false,
          metafile: true,
          minify,
          legalComments: 'none',
          logLevel: 'warning',
          platform: 'node',
          target: 'node20',
          format: script ? 'iife' : 'cjs',
          ...(script ? { globalName: '__mklabRealm', footer: { js: ';__mklabRealm' } } : {}),
          banner: { js: '"use strict";' },
          plugins: [plugin],
        });
        return {
          contents: `export default ${JSON.stringify(result.outputFiles[0].text)};`,
          loader: 'js',
          watchFiles: Object.keys(result.metafile.inputs).map((f) => join(process.cwd(), f)),
        };
      });
    },
  };
  return plugin;
}
