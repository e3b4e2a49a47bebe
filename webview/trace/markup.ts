// The trace view's static markup; main.ts and its modules fill it in. The
// extension puts it inside its locked-down page shell, and the benchmark's
// plain page (bench/traceView/page.ts) uses the same markup.

export const TRACE_VIEW_MARKUP = `<div id="app">
  <header class="toolbar" role="toolbar" aria-label="Trace view">
    <div class="tabs" role="tablist">
      <button id="tabTimeline" role="tab" aria-selected="true" aria-controls="timelinePane" type="button">Timeline</button>
      <button id="tabMsc" role="tab" aria-selected="false" aria-controls="mscPane" type="button">Message sequence</button>
    </div>
    <span class="sep"></span>
    <button id="fit" type="button" title="Fit the whole trace (F)">Fit</button>
    <button id="zoomIn" type="button" title="Zoom in (+)" aria-label="Zoom in">+</button>
    <button id="zoomOut" type="button" title="Zoom out (-)" aria-label="Zoom out">−</button>
    <label class="check"><input id="follow" type="checkbox"> Follow</label>
    <span class="sep"></span>
    <input id="search" type="search" placeholder="Search message type or endpoint" aria-label="Search for a message type or endpoint">
    <button id="searchPrev" type="button" title="Previous match (Shift+Enter)" aria-label="Previous match">↑</button>
    <button id="searchNext" type="button" title="Next match (Enter)" aria-label="Next match">↓</button>
    <span class="sep"></span>
    <button id="loadFile" type="button" title="Open a .mktrace file">Open…</button>
    <button id="showSystem" type="button" title="Show the running system's trace" hidden>Running system</button>
    <button id="exportPerfetto" type="button" title="Export for Perfetto (Chrome trace JSON)">Perfetto…</button>
    <button id="exportCsv" type="button" title="Export as CSV">CSV…</button>
    <button id="exportMktrace" type="button" title="Save in Microkernel Lab's own format">Save…</button>
  </header>
  <details id="filters" class="filters">
    <summary>Filters</summary>
    <div class="filterGrid">
      <fieldset><legend>Processes</legend><div id="laneFilter" class="checks"></div></fieldset>
      <fieldset><legend>Event kinds</legend><div id="kindFilter" class="checks"></div></fieldset>
      <fieldset><legend>Message types and time</legend>
        <label>Message types <input id="typeFilter" type="text" list="messageTypes" placeholder="e.g. DEV_WRITE, 1025"></label>
        <datalist id="messageTypes"></datalist>
        <label>From (cycles) <input id="fromFilter" type="number" min="0" step="1"></label>
        <label>To (cycles) <input id="toFilter" type="number" min="0" step="1"></label>
        <div class="row"><button id="rangeFromView" type="button">Use visible window</button><button id="clearFilters" type="button">Clear filters</button></div>
      </fieldset>
    </div>
  </details>
  <main class="body">
    <section id="timelinePane" role="tabpanel" aria-labelledby="tabTimeline" class="pane">
      <div class="rulerRow"><div class="gutterHead" id="sourceName"></div><canvas id="ruler" aria-hidden="true"></canvas></div>
      <div id="lanesScroll" class="lanesScroll">
        <ul id="laneList" class="laneList" aria-label="Lanes"></ul>
        <canvas id="timeline" tabindex="0" role="img" aria-label="Trace timeline. Arrow keys pan, plus and minus zoom, Home and End jump, F fits, Enter selects the event nearest the centre, comma and period step between events."></canvas>
      </div>
    </section>
    <section id="mscPane" role="tabpanel" aria-labelledby="tabMsc" class="pane" hidden>
      <div id="mscHead" class="mscHead"></div>
      <div id="mscScroll" class="mscScroll" tabindex="0" aria-label="Message sequence: arrow keys move the selection">
        <canvas id="msc" aria-hidden="true"></canvas>
        <div id="mscSpacer"></div>
      </div>
      <table id="mscTable" class="visuallyHidden">
        <caption>Message sequence, in time order</caption>
        <thead><tr><th scope="col">Time</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Event</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
    <aside id="details" class="details" tabindex="-1" aria-label="Details of the selected event">
      <p class="muted">Select an event to see its details.</p>
    </aside>
  </main>
  <footer><p id="status" role="status" aria-live="polite"></p></footer>
</div>`;
