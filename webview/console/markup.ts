// The console's static markup: the element xterm.js draws the terminal in (main.ts).
export const CONSOLE_MARKUP = '<div id="terminal" role="application" aria-label="Microkernel Lab console"></div>';
