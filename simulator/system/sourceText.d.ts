// `import text from 'source-text:./file.ts'` gives the file's own text as a string: the build's bundle-text
// plugin (scripts/bundleText.mjs) makes it. Built-in drivers' sources reach code-level faults this way.
declare module 'source-text:*' {
  const text: string;
  export default text;
}
