// The trace view's elements, found once in its markup (markup.ts) by id.

export type TraceElements = ReturnType<typeof traceElements>;

export function traceElements() {
  const byId = <T extends HTMLElement = HTMLElement>(id: string) => {
    const element = document.getElementById(id);
    if (!element) throw new Error(`the trace view's markup has no element #${id}`);
    return element as T;
  };
  return {
    timeline: byId<HTMLCanvasElement>('timeline'),
    ruler: byId<HTMLCanvasElement>('ruler'),
    lanesScroll: byId('lanesScroll'),
    laneList: byId<HTMLUListElement>('laneList'),
    sourceName: byId('sourceName'),
    status: byId('status'),
    details: byId('details'),
    follow: byId<HTMLInputElement>('follow'),
    search: byId<HTMLInputElement>('search'),
    searchNext: byId<HTMLButtonElement>('searchNext'),
    searchPrev: byId<HTMLButtonElement>('searchPrev'),
    filters: byId<HTMLDetailsElement>('filters'),
    laneFilter: byId('laneFilter'),
    kindFilter: byId('kindFilter'),
    typeFilter: byId<HTMLInputElement>('typeFilter'),
    fromFilter: byId<HTMLInputElement>('fromFilter'),
    toFilter: byId<HTMLInputElement>('toFilter'),
    rangeFromView: byId<HTMLButtonElement>('rangeFromView'),
    clearFilters: byId<HTMLButtonElement>('clearFilters'),
    messageTypes: byId<HTMLDataListElement>('messageTypes'),
    fit: byId<HTMLButtonElement>('fit'),
    zoomIn: byId<HTMLButtonElement>('zoomIn'),
    zoomOut: byId<HTMLButtonElement>('zoomOut'),
    tabTimeline: byId<HTMLButtonElement>('tabTimeline'),
    tabMsc: byId<HTMLButtonElement>('tabMsc'),
    timelinePane: byId('timelinePane'),
    mscPane: byId('mscPane'),
    mscHead: byId('mscHead'),
    mscScroll: byId('mscScroll'),
    mscSpacer: byId('mscSpacer'),
    msc: byId<HTMLCanvasElement>('msc'),
    mscTableBody: byId<HTMLTableElement>('mscTable').tBodies[0]!,
    loadFile: byId<HTMLButtonElement>('loadFile'),
    showSystem: byId<HTMLButtonElement>('showSystem'),
    exportPerfetto: byId<HTMLButtonElement>('exportPerfetto'),
    exportCsv: byId<HTMLButtonElement>('exportCsv'),
    exportMktrace: byId<HTMLButtonElement>('exportMktrace'),
  };
}
