// Reads a file the user picked in the editor as one kind of input, checking
// first that it is a regular file within that kind's size limit, as the CLI's
// reader does (simulator/config/inputLimits.ts holds the limits).
import * as vscode from 'vscode';
import { INPUT_LIMITS, notRegularFileMessage, tooLargeMessage, type InputKind } from '../simulator/config/inputLimits';

/** The bytes of `uri` as an input of `kind`; throws an Error naming the file and the reason when it cannot be. */
export async function readInputFile(uri: vscode.Uri, kind: InputKind): Promise<Uint8Array> {
  const file = uri.scheme === 'file' ? uri.fsPath : uri.toString();
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  if ((stat.type & vscode.FileType.File) === 0) {
    throw new Error(notRegularFileMessage(kind, file, (stat.type & vscode.FileType.Directory) !== 0 ? 'a folder' : 'something else'));
  }
  if (stat.size > INPUT_LIMITS[kind].maxBytes) throw new Error(tooLargeMessage(kind, file, stat.size));
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (bytes.length > INPUT_LIMITS[kind].maxBytes) throw new Error(tooLargeMessage(kind, file, bytes.length));
  return bytes;
}
