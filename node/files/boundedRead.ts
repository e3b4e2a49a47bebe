// Reads a file a user named, as one kind of input: a regular file only, and
// no larger than that kind's limit. The size is checked before reading and
// again while reading (a file that grows in between is cut off at the limit
// and refused), so no input is ever read without end.
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { INPUT_LIMITS, notRegularFileMessage, tooLargeMessage, type InputKind } from '../../simulator/config/inputLimits';

/** A file could not be read as the input it was meant to be; the message names the file and why. */
export class InputFileError extends Error {}

function describe(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a pipe';
  if (stats.isSocket()) return 'a socket';
  return 'something else';
}

/**
 * Opens `path` for reading as an input of `kind`: a regular file (checked before opening, since opening a pipe would
 * wait for a writer, and again once open) no larger than the kind's limit. The caller closes the descriptor.
 */
function openRegularFile(path: string, kind: InputKind): { fd: number; stats: Stats } {
  let fd: number;
  try {
    const before = statSync(path);
    if (!before.isFile()) throw new InputFileError(notRegularFileMessage(kind, path, describe(before)));
    fd = openSync(path, 'r');
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    throw new InputFileError(`cannot read the ${INPUT_LIMITS[kind].what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new InputFileError(notRegularFileMessage(kind, path, describe(stats)));
    if (stats.size > INPUT_LIMITS[kind].maxBytes) throw new InputFileError(tooLargeMessage(kind, path, stats.size));
    return { fd, stats };
  } catch (e) {
    closeSync(fd);
    if (e instanceof InputFileError) throw e;
    throw new InputFileError(`cannot read the ${INPUT_LIMITS[kind].what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The bytes of `path` as an input of `kind`; throws InputFileError when it is unreadable, not a regular file, or too large. */
export function readInputBytes(path: string, kind: InputKind): Uint8Array {
  const limit = INPUT_LIMITS[kind].maxBytes;
  const { fd, stats } = openRegularFile(path, kind);
  try {
    // One byte more than the limit is asked for, so a file that grew since fstat is caught.
    const buffer = Buffer.alloc(Math.min(limit + 1, stats.size + 1));
    let length = 0;
    for (;;) {
      if (length === buffer.length) break;
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > limit) throw new InputFileError(tooLargeMessage(kind, path, length));
    if (length === buffer.length && length > stats.size) throw new InputFileError(`${path}: the ${INPUT_LIMITS[kind].what} changed while it was read`);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    throw new InputFileError(`cannot read the ${INPUT_LIMITS[kind].what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** The text of `path` (UTF-8) as an input of `kind`; throws InputFileError as readInputBytes does. */
export function readInputText(path: string, kind: InputKind): string {
  return new TextDecoder('utf-8').decode(readInputBytes(path, kind));
}

/**
 * The first `length` bytes (or fewer, at the end) of `path`, a regular file no larger than `kind`'s limit: a
 * large file's head, read before the rest. Throws InputFileError as readInputBytes does.
 */
export function readInputPrefix(path: string, kind: InputKind, length: number): { readonly bytes: Uint8Array; readonly fileBytes: number } {
  const { fd, stats } = openRegularFile(path, kind);
  try {
    const buffer = Buffer.alloc(Math.max(0, Math.min(length, stats.size)));
    let got = 0;
    while (got < buffer.length) {
      const n = readSync(fd, buffer, got, buffer.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return { bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, got), fileBytes: stats.size };
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    throw new InputFileError(`cannot read the ${INPUT_LIMITS[kind].what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}
