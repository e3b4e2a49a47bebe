// The campaign view's static markup; main.ts fills it in. The extension puts
// it inside its locked-down page shell (extension/webviewHtml.ts).
export const CAMPAIGN_VIEW_MARKUP = `<main>
  <h1>Fault Campaign</h1>
  <p class="muted">Each trial boots the default system in one configuration, injects a fault into the running NIC driver under a packet stream, and classifies what became of the system.</p>
  <form id="form">
    <label>Faults in all <input id="faults" type="number" min="1" max="10000" value="32"></label>
    <label>Faults per trial <input id="faults-per-trial" type="number" min="1" max="1000" value="1"></label>
    <label>Seed <input id="seed" type="number" min="0" max="4294967295" value="1"></label>
    <fieldset id="types"><legend>Fault types</legend></fieldset>
    <fieldset id="configurations"><legend>Configurations</legend></fieldset>
  </form>
  <div class="row">
    <button id="run" type="button">Run</button>
    <button id="cancel" type="button" disabled>Cancel</button>
    <button id="copy" type="button" disabled>Copy Table</button>
  </div>
  <progress id="progress" max="1" value="0" hidden></progress>
  <p id="status" role="status" aria-live="polite"></p>
  <section id="charts">
    <figure><figcaption>Survival by fault type (share of trials without a system failure)</figcaption><div id="chart-survival" class="chart"></div></figure>
  </section>
  <table id="results"><thead></thead><tbody></tbody></table>
  <h2>Trials that harmed the system</h2>
  <p class="muted">A trial's id is all it takes to replay it: click one to run it again and open its trace (or run <code>mklab replay ID</code>).</p>
  <ul id="harmful"></ul>
</main>`;
