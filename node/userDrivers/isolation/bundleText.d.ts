// `import text from 'bundle-text:./file.ts'` gives the file bundled on its own (strict mode, its imports
// included) as a string: the build's bundle-text plugin (esbuild.mjs) makes it.
declare module 'bundle-text:*' {
  const text: string;
  export default text;
}
