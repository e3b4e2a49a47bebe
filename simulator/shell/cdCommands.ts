// `ls` and `cat` of the disc in the CD drive, read with the ISO 9660 reader
// straight from the drive's medium (outside the simulated machine: reading
// costs no simulated time and sends no messages).
import { utf8Decode } from '../core/utf8';
import { IsoError, tryOpenIso, type IsoEntry, type IsoImage } from '../services/isofs/iso9660';
import type { RunningSystem } from '../system/boot';
import { colour, dim, padStart, printable } from './ansi';
import { ShellError, type ShellCommand, type ShellContext } from './command';

/** The most of one file that `cat` prints. */
export const CAT_LIMIT_BYTES = 64 * 1024;

const opened = new WeakMap<Uint8Array, IsoImage | IsoError>();

function disc(system: RunningSystem): IsoImage {
  const drive = system.machine.cdrom;
  const media = drive.media;
  if (media === undefined) throw new ShellError(`there is no disc in the CD drive (${drive.name})`);
  let image = opened.get(media);
  if (image === undefined) {
    image = tryOpenIso(media);
    opened.set(media, image);
  }
  if (image instanceof IsoError) throw new ShellError(`the disc in ${drive.name} is not a readable ISO 9660 volume: ${image.message}`);
  return image;
}

/** An absolute path: relative paths start at the disc's root; '.' and '..' are resolved. */
export function normalisePath(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

function readerError(e: unknown, path: string): never {
  if (e instanceof IsoError) {
    switch (e.code) {
      case 'not-found':
        throw new ShellError(`${path}: no such file or directory on the CD`);
      case 'not-a-directory':
        throw new ShellError(`${path}: not a directory`);
      case 'not-a-file':
        throw new ShellError(`${path}: is a directory`);
      default:
        throw new ShellError(`${path}: the disc is damaged here (${e.code}: ${e.message})`);
    }
  }
  throw e;
}

function entryLine(e: IsoEntry, sizeWidth: number): string {
  const size = padStart(e.isDirectory ? '-' : String(e.size), sizeWidth);
  return `${size}  ${e.isDirectory ? colour('blue', `${printable(e.name)}/`) : printable(e.name)}`;
}

function list(system: RunningSystem, path: string): string {
  const image = disc(system);
  const abs = normalisePath(path);
  let entry: IsoEntry;
  let entries: IsoEntry[];
  try {
    entry = image.stat(abs);
    entries = entry.isDirectory ? image.list(abs) : [entry];
  } catch (e) {
    readerError(e, abs);
  }
  if (entries.length === 0) return dim(`${abs}: empty directory`);
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const width = Math.max(...sorted.map((e) => (e.isDirectory ? 1 : String(e.size).length)));
  return sorted.map((e) => entryLine(e, width)).join('\n');
}

function decode(bytes: Uint8Array): string {
  try {
    return utf8Decode(bytes);
  } catch {
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return s;
  }
}

function cat(system: RunningSystem, path: string): string {
  const image = disc(system);
  const abs = normalisePath(path);
  let entry: IsoEntry;
  let bytes: Uint8Array;
  try {
    entry = image.stat(abs);
    if (entry.isDirectory) throw new ShellError(`${abs}: is a directory`);
    bytes = image.readEntry(entry, 0, Math.min(entry.size, CAT_LIMIT_BYTES));
  } catch (e) {
    if (e instanceof ShellError) throw e;
    readerError(e, abs);
  }
  if (bytes.includes(0)) return dim(`${abs}: a binary file of ${entry.size} bytes (not shown)`);
  let text = printable(decode(bytes));
  if (!text.endsWith('\n') && text !== '') text += '\n';
  if (entry.size > bytes.length) text += dim(`… ${entry.size - bytes.length} more bytes not shown (cat shows the first ${CAT_LIMIT_BYTES / 1024} KiB)`) + '\n';
  return text.replace(/\n$/, '');
}

/** Paths on the disc that complete the word being typed (directories end in '/'). */
function completePath(system: RunningSystem | undefined, word: string): readonly string[] {
  if (system === undefined) return [];
  try {
    const image = disc(system);
    const slash = word.lastIndexOf('/');
    const dir = slash < 0 ? '' : word.slice(0, slash + 1);
    const base = slash < 0 ? word : word.slice(slash + 1);
    return image
      .list(normalisePath(dir))
      .filter((e) => e.name.toLowerCase().startsWith(base.toLowerCase()))
      .map((e) => `${dir}${e.name}${e.isDirectory ? '/' : ''}`)
      .sort();
  } catch {
    return [];
  }
}

function pathCompletion(before: readonly string[], context: ShellContext, word: string): readonly string[] {
  return before.length === 0 ? completePath(context.system, word) : [];
}

export const lsCommand: ShellCommand = {
  name: 'ls',
  usage: 'ls [path]',
  summary: 'list a directory of the CD in the drive',
  details: ['Sizes are in bytes; directories end in /. Paths start at the disc\'s root.'],
  needsSystem: true,
  run(args, { system }) {
    if (args.length > 1) throw new ShellError('usage: ls [path]');
    return list(system, args[0] ?? '/');
  },
  complete: pathCompletion,
};

export const catCommand: ShellCommand = {
  name: 'cat',
  usage: 'cat <path>',
  summary: 'print a file of the CD in the drive',
  details: [`Prints at most the first ${CAT_LIMIT_BYTES / 1024} KiB; control characters are shown as ^X.`],
  needsSystem: true,
  run(args, { system }) {
    if (args.length !== 1) throw new ShellError('usage: cat <path>');
    return cat(system, args[0]!);
  },
  complete: pathCompletion,
};
