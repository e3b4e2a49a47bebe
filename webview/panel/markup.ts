// The lab panel's static markup; main.ts fills it in. The extension puts it
// inside its locked-down page shell (extension/webviewHtml.ts).
export const LAB_PANEL_MARKUP = `<main>
  <h1>Microkernel Lab</h1>
  <p id="system" class="muted">Loading the system…</p>
  <div class="row"><button id="ping" type="button">Ping the simulator</button></div>
  <p id="answer" role="status" aria-live="polite"></p>
  <ul id="processes"></ul>
</main>`;
