// The trace view's lists drawn as elements: the lane list beside the
// timeline, the filter's check boxes, and the sequence tab's heading and its
// accessible table (what the canvas draws, for screen readers and tests).
import type { TraceInfo } from '../../simulator/protocol/traceProtocol';
import type { MscRowSummary } from '../protocol/traceViewProtocol';
import { groupTitles, type Layout } from './layout';
import type { MscModel } from './mscRenderer';
import { formatSeconds } from './timeFormat';
import type { FilterChoice } from './viewModel';

export function renderLaneList(list: HTMLUListElement, layout: Layout): void {
  const items: HTMLLIElement[] = [];
  for (const row of layout.rows) {
    const li = document.createElement('li');
    li.style.height = `${row.height}px`;
    if (row.kind === 'group') {
      li.className = 'group';
      li.textContent = groupTitles[row.group];
      li.setAttribute('role', 'presentation');
    } else {
      const lane = row.lane!;
      li.className = 'lane';
      li.dataset.lane = lane.label;
      li.textContent = lane.label;
      if (lane.restarts > 0) {
        const badge = document.createElement('span');
        badge.className = 'badge';
        badge.textContent = `↻${lane.restarts}`;
        badge.title = `${lane.restarts} restart${lane.restarts === 1 ? '' : 's'}`;
        li.append(badge);
      }
      li.title = `${lane.label} (${groupTitles[lane.group]})${lane.endpoints.length ? `, endpoints ${lane.endpoints.join(', ')}` : ''}`;
    }
    items.push(li);
  }
  list.replaceChildren(...items);
}

/** Fills a fieldset with one check box per choice; `changed` hears which was switched. */
export function renderChoices(host: HTMLElement, choices: readonly FilterChoice[], changed: (key: string, on: boolean) => void): void {
  host.replaceChildren(
    ...choices.map((c) => {
      const label = document.createElement('label');
      label.className = 'check';
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.id = c.id;
      input.checked = c.checked;
      input.addEventListener('change', () => changed(c.key, input.checked));
      label.append(input, ` ${c.label}`);
      return label;
    }),
  );
}

/** The message types the filter's field suggests. */
export function renderMessageTypes(list: HTMLDataListElement, info: TraceInfo): void {
  list.replaceChildren(
    ...info.messageTypes.map((t) => {
      const option = document.createElement('option');
      option.value = t.name;
      option.label = `${t.name} (${t.type})`;
      return option;
    }),
  );
}

/** The chart's title and its column names, each above its column. */
export function renderMscHead(head: HTMLElement, title: string, model: MscModel): void {
  const titleElement = document.createElement('div');
  titleElement.className = 'mscTitle';
  titleElement.textContent = title;
  const columns = document.createElement('div');
  columns.className = 'mscColumns';
  columns.setAttribute('role', 'list');
  columns.setAttribute('aria-label', 'Sequence chart columns');
  for (const lane of model.columns) {
    const c = document.createElement('span');
    c.setAttribute('role', 'listitem');
    c.textContent = lane.label;
    c.style.left = `${(model.columnX.get(lane.id) ?? 0) - 45}px`;
    columns.append(c);
  }
  head.replaceChildren(titleElement, columns);
}

/** The sequence chart's rows as a table; `timeLabels` are the chart's own labels of the rows' times (see MscModel). */
export function renderMscTable(body: HTMLTableSectionElement, rows: readonly MscRowSummary[], timeLabels: readonly string[], clockHz: number): void {
  body.replaceChildren(
    ...rows.map((r, index) => {
      const tr = document.createElement('tr');
      tr.dataset.seq = String(r.seq);
      tr.dataset.timeCycles = String(r.timeCycles);
      for (const text of [timeLabels[index] ?? formatSeconds(r.timeCycles, clockHz), r.from, r.to, r.label]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
}
