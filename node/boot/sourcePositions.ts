// Where a kernel entry's frames are located in a Node host: through the source maps Node has loaded (it keeps them
// when run with --enable-source-maps, as the editor runs the debug adapter and the simulator's worker), so that an
// entry names a driver's TypeScript line, as Node's own stack text would.
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { setPositionMapper, type PositionMapper } from '../../simulator/sdk/sys';

interface SourceMapEntry {
  readonly originalSource?: string;
  readonly originalLine?: number;
  readonly originalColumn?: number;
}

/** A generated position as Node's source-mapped stack text shows it: the original file, line and column, 1-based. */
export const sourceMappedPosition: PositionMapper = (file, line, column) => {
  let map: ReturnType<typeof findSourceMap>;
  try {
    map = findSourceMap(file);
  } catch {
    map = undefined;
  }
  if (map !== undefined) {
    const e = map.findEntry(line - 1, column - 1) as SourceMapEntry;
    if (e.originalSource !== undefined && e.originalSource !== '' && e.originalLine !== undefined && e.originalColumn !== undefined) {
      const source = e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : e.originalSource;
      return `${source}:${e.originalLine + 1}:${e.originalColumn + 1}`;
    }
  }
  return `${file}:${line}:${column}`;
};

/** Kernel entries in this process are located through its source maps from now on. */
export function locateThroughSourceMaps(): void {
  setPositionMapper(sourceMappedPosition);
}
