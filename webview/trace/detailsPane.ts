// The details pane: the selected event's source, destination, type, decoded
// fields, times, cost, source location, related events and request chain.
import type { TraceChain, TraceEventDetails } from '../../simulator/protocol/traceProtocol';
import type { DetailsControl } from '../protocol/traceViewProtocol';
import { formatInstant } from './timeFormat';
import { chainStepLabel } from './viewModel';

export interface DetailsActions {
  select(seq: number): void;
  openSource(file: string, line: number, column: number | undefined, process: string | undefined): void;
  showChain(seq: number): void;
  debugFrom(seq: number): void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function table(rows: readonly (readonly [string, string | Node])[], label: string): HTMLTableElement {
  const t = el('table');
  t.setAttribute('aria-label', label);
  for (const [name, value] of rows) {
    const tr = el('tr');
    tr.append(el('th', name));
    const td = el('td');
    td.append(value);
    tr.append(td);
    t.append(tr);
  }
  return t;
}

function button(text: string, onClick: () => void, title?: string, control?: DetailsControl): HTMLButtonElement {
  const b = el('button', text, 'link');
  b.type = 'button';
  if (title) b.title = title;
  if (control) b.dataset.control = control;
  b.addEventListener('click', onClick);
  return b;
}

export function renderDetails(pane: HTMLElement, d: TraceEventDetails, clockHz: number, actions: DetailsActions): void {
  const parts: Node[] = [];
  const heading = el('h2', d.summary);
  heading.id = 'detailsSummary';
  parts.push(heading);
  const rows: [string, string | Node][] = [
    ['Kind', d.kindName],
    ['Time', formatInstant(d.timeCycles, clockHz)],
    ['Event', `#${d.seq}`],
  ];
  if (d.src) rows.push(['Source', `${d.src.name} (endpoint ${d.src.endpoint})`]);
  if (d.dst) rows.push(['Destination', `${d.dst.name} (endpoint ${d.dst.endpoint})`]);
  if (d.messageType) rows.push(['Message type', d.messageType.name ? `${d.messageType.name} (${d.messageType.type})` : String(d.messageType.type)]);
  if (d.linkId) rows.push(['Link id', String(d.linkId)]);
  if (d.location) {
    const loc = d.location;
    const where = `${loc.file}:${loc.line}${loc.column === undefined ? '' : `:${loc.column}`}`;
    rows.push(['Source line', button(where, () => actions.openSource(loc.file, loc.line, loc.column, d.src?.name), 'Open the source at the line that made this call', 'openSource')]);
  }
  parts.push(table(rows, 'Event'));
  if (d.fields.length > 0) {
    parts.push(el('h3', 'Fields'));
    parts.push(table(d.fields.map((f) => [f.name, f.raw !== undefined && String(f.raw) !== f.value ? `${f.value} (${f.raw})` : f.value] as const), 'Decoded fields'));
  }
  if (d.payload && d.payload.length > 0) {
    parts.push(el('h3', 'Payload'));
    parts.push(el('pre', d.payload.map((w, i) => `m${i}: ${w} (0x${(w >>> 0).toString(16)})`).join('\n')));
  }
  const cost: [string, string][] = [];
  const c = d.cost;
  if (c.kernelCallCycles !== undefined) cost.push(['Kernel call', `${c.kernelCallCycles} cycles`]);
  if (c.contextSwitchCycles !== undefined) cost.push(['Context switch', `${c.contextSwitchCycles} cycles${c.addressSpaceChanged ? ', address space changed' : ''}`]);
  if (c.deliveryCycles !== undefined) cost.push(['Send to delivery', formatInstant(c.deliveryCycles, clockHz)]);
  if (c.roundTripCycles !== undefined) cost.push(['Request to reply', formatInstant(c.roundTripCycles, clockHz)]);
  if (cost.length > 0 || c.notes.length > 0) {
    parts.push(el('h3', 'Cost'));
    if (cost.length > 0) parts.push(table(cost, 'Cost breakdown'));
    for (const note of c.notes) parts.push(el('p', note, 'muted'));
  }
  if (d.related.length > 0) {
    parts.push(el('h3', 'Related'));
    const list = el('ul', undefined, 'related');
    for (const r of d.related) {
      const li = el('li');
      li.append(button(`${r.role} (#${r.seq})`, () => actions.select(r.seq)));
      list.append(li);
    }
    parts.push(list);
  }
  const row = el('div', undefined, 'row');
  row.append(button('Debug from here', () => actions.debugFrom(d.seq), 'Start the debugger (or move its session) to this moment: the kernel entry that made this event', 'debugFromHere'));
  if (d.linkId) row.append(button('Show the chain of messages that served this request', () => actions.showChain(d.seq), undefined, 'showChain'));
  parts.push(row);
  const chain = el('div');
  chain.id = 'chain';
  parts.push(chain);
  pane.replaceChildren(...parts);
}

export function renderChain(pane: HTMLElement, chain: TraceChain, clockHz: number, actions: DetailsActions): void {
  const host = pane.querySelector('#chain') ?? pane;
  const parts: Node[] = [el('h3', `Request chain: ${chain.steps.length} messages${chain.complete ? '' : ' (the reply is not in the trace yet)'}`)];
  if (chain.endCycles !== undefined) parts.push(el('p', `From request to reply: ${formatInstant(chain.endCycles - chain.startCycles, clockHz)}`, 'muted'));
  const list = el('ol', undefined, 'chainList');
  for (const step of chain.steps) {
    const li = el('li');
    li.style.paddingLeft = `${step.depth * 12}px`;
    li.append(button(chainStepLabel(step), () => actions.select(step.seq)));
    list.append(li);
  }
  parts.push(list);
  host.replaceChildren(...parts);
}

export function renderDetailsMessage(pane: HTMLElement, text: string, isError = false): void {
  pane.replaceChildren(el('p', text, isError ? 'error' : 'muted'));
}
