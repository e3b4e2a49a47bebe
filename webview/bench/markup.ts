// The benchmark view's static markup; main.ts fills it in. The extension puts
// it inside its locked-down page shell (extension/webviewHtml.ts).
export const BENCH_VIEW_MARKUP = `<main>
  <h1>Compare Architectures</h1>
  <form id="form">
    <label>Workload <select id="workload"></select></label>
    <label>Cost profile <select id="profile"></select></label>
    <label>Seeds <input id="seeds" type="number" min="1" max="100" value="1"></label>
    <label>Simulated time per run (ms) <input id="duration" type="number" min="1" max="10000" value="200"></label>
    <fieldset id="configurations"><legend>Configurations</legend></fieldset>
  </form>
  <p id="workload-description" class="muted"></p>
  <div class="row">
    <button id="run" type="button">Run</button>
    <button id="cancel" type="button" disabled>Cancel</button>
    <button id="export-csv" type="button" disabled>Export CSV…</button>
    <button id="export-md" type="button" disabled>Export Markdown…</button>
  </div>
  <progress id="progress" max="1" value="0" hidden></progress>
  <p id="status" role="status" aria-live="polite"></p>
  <section id="charts">
    <figure><figcaption>Cycles per operation, by component (stacked)</figcaption><div id="chart-cycles" class="chart"></div></figure>
    <figure><figcaption>Latency (ns): p50, p99, p99.9</figcaption><div id="chart-latency" class="chart"></div></figure>
    <figure><figcaption>Context switches and kernel entries per operation</figcaption><div id="chart-switches" class="chart"></div></figure>
  </section>
  <table id="results"><thead></thead><tbody></tbody></table>
</main>`;
