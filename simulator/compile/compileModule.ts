// Turns one user driver file into instrumented CommonJS for the sandbox, keeping every line where it was.
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import { transform, type Transform } from 'sucrase';
import type { Diagnostic, DiagnosticCode } from './diagnostics';
import { compareSplices, openMutationSites, type MutationSite, type Splice } from './mutation';
import {
  clampPositions,
  composePositions,
  identityMap,
  insertionPositions,
  offsetPositions,
  sourceMapPositions,
  type Insertion,
  type Position,
  type PositionMap,
} from './positions';

/** The name of the step counter the instrumented code calls; user code may not use names starting with `__mklab`. */
export const TICK_NAME = '__mklabTick';
const RESERVED_PREFIX = '__mklab';

const TYPESCRIPT_EXTENSIONS = ['.ts', '.mts', '.cts'];
const JAVASCRIPT_EXTENSIONS = ['.js', '.mjs', '.cjs'];
export const DRIVER_EXTENSIONS: readonly string[] = [...TYPESCRIPT_EXTENSIONS, ...JAVASCRIPT_EXTENSIONS];

/** An import of another module, located in the user's source (1-based). */
export interface ModuleImport {
  readonly specifier: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface CompiledModule {
  readonly file: string;
  /** CommonJS code for a function of (exports, require, module, __mklabTick). */
  readonly code: string;
  /** From a zero-based position in `code` to one in the user's source. */
  readonly positions: PositionMap;
  /** Relative imports; host module imports are not listed. */
  readonly imports: readonly ModuleImport[];
  /** Where `main` or the default export is declared, if the source says so statically (1-based). */
  readonly mainLocation: { readonly line: number; readonly column: number } | undefined;
  /** With `mutable`, every site a code-level fault can strike; the code then also takes `__mklabMut` (mutation.ts). */
  readonly sites?: readonly MutationSite[];
}

export interface CompileOptions {
  /** Open every mutation site of the file (code-level faults, mutation.ts). */
  readonly mutable?: boolean;
}

export type CompileResult =
  | { readonly ok: true; readonly module: CompiledModule }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

function extensionOf(file: string): string {
  const dot = file.lastIndexOf('.');
  return dot < 0 ? '' : file.slice(dot).toLowerCase();
}

export function isRelativeSpecifier(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}

function sucraseSyntaxMessage(error: Error, text: string, pos: number): string {
  const bare = error.message.replace(/^Error transforming [^\n]*?: /, '').replace(/ \(\d+:\d+\)$/, '');
  if (pos >= text.trimEnd().length) {
    return `${bare}: the file ends too early (a bracket, brace or parenthesis is not closed)`;
  }
  const found = /^[\w$]+/.exec(text.slice(pos))?.[0] ?? text.charAt(pos);
  return bare.replace(/^Unexpected token/, `Unexpected ${JSON.stringify(found)}`);
}

/**
 * Compiles one file. The steps, each of which keeps line numbers:
 * sucrase strips TypeScript; acorn checks the result and finds loops and functions; a budget check
 * is spliced into each; sucrase turns ESM imports and exports into CommonJS for the module linker.
 */
export function compileDriverModule(file: string, text: string, hostModules: ReadonlySet<string>, options: CompileOptions = {}): CompileResult {
  const extension = extensionOf(file);
  if (!DRIVER_EXTENSIONS.includes(extension)) {
    return fail(file, 1, 1, 'unsupported-extension', `a driver must be a ${DRIVER_EXTENSIONS.join(', ')} file`);
  }
  const transforms: Transform[] = TYPESCRIPT_EXTENSIONS.includes(extension) ? ['typescript'] : [];

  let stripped: string;
  let strippedPositions: PositionMap;
  try {
    const result = transform(text, {
      transforms,
      filePath: file,
      disableESTransforms: true,
      sourceMapOptions: { compiledFilename: file },
    });
    stripped = result.code;
    strippedPositions = composePositions(result.sourceMap ? sourceMapPositions(result.sourceMap.mappings) : identityMap, clampPositions(text));
  } catch (error) {
    const pos = typeof (error as { pos?: unknown }).pos === 'number' ? (error as { pos: number }).pos : 0;
    const at = offsetPositions(text)(pos);
    return fail(file, at.line + 1, at.column + 1, 'syntax', sucraseSyntaxMessage(error as Error, text, pos));
  }

  let program: acorn.Program;
  try {
    program = acorn.parse(stripped, { ecmaVersion: 'latest', sourceType: 'module', locations: true, allowHashBang: true });
  } catch (error) {
    const loc = (error as { loc?: acorn.Position }).loc;
    const at = strippedPositions({ line: (loc?.line ?? 1) - 1, column: loc?.column ?? 0 });
    const message = (error as Error).message.replace(/ \(\d+:\d+\)$/, '');
    return fail(file, at.line + 1, at.column + 1, 'syntax', message);
  }

  const scan = scanProgram(file, program, strippedPositions, hostModules);
  if (scan.diagnostics.length > 0) return { ok: false, diagnostics: scan.diagnostics };

  let sites: readonly MutationSite[] | undefined;
  let splices: readonly Splice[] = scan.splices;
  if (options.mutable === true) {
    const opened = openMutationSites(program, stripped, (pos) => {
      const at = strippedPositions({ line: pos.line - 1, column: pos.column });
      return { line: at.line + 1, column: at.column + 1 };
    });
    sites = opened.sites;
    splices = [...scan.splices, ...opened.splices];
  }
  const instrumented = applyInsertions(stripped, splices);
  let code: string;
  let linkedPositions: PositionMap;
  try {
    const result = transform(instrumented.code, {
      transforms: ['imports'],
      filePath: file,
      disableESTransforms: true,
      sourceMapOptions: { compiledFilename: file },
    });
    code = result.code;
    linkedPositions = result.sourceMap ? sourceMapPositions(result.sourceMap.mappings) : identityMap;
  } catch (error) {
    return fail(file, 1, 1, 'syntax', `the driver could not be converted to a module: ${(error as Error).message}`);
  }

  return {
    ok: true,
    module: {
      file,
      code,
      positions: composePositions(linkedPositions, instrumented.positions, strippedPositions),
      imports: scan.imports,
      mainLocation: scan.mainLocation,
      ...(sites === undefined ? {} : { sites }),
    },
  };
}

function fail(file: string, line: number, column: number, code: DiagnosticCode, message: string): CompileResult {
  return { ok: false, diagnostics: [{ file, line, column, message, code }] };
}

interface Scan {
  readonly diagnostics: Diagnostic[];
  readonly imports: ModuleImport[];
  readonly splices: Splice[];
  mainLocation: { line: number; column: number } | undefined;
}

const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);

function scanProgram(file: string, program: acorn.Program, positions: PositionMap, hostModules: ReadonlySet<string>): Scan {
  const scan: Scan = { diagnostics: [], imports: [], splices: [], mainLocation: undefined };
  const original = (pos: acorn.Position): Position => {
    const at = positions({ line: pos.line - 1, column: pos.column });
    return { line: at.line + 1, column: at.column + 1 };
  };
  const range = (node: acorn.Node) => {
    const start = original(node.loc!.start);
    const end = original(node.loc!.end);
    return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  };
  const report = (node: acorn.Node, code: DiagnosticCode, message: string): void => {
    scan.diagnostics.push({ file, ...range(node), message, code });
  };
  const tickCall = (node: acorn.Node): string => {
    const at = original(node.loc!.start);
    return `${TICK_NAME}(${at.line},${at.column});`;
  };
  const checkSource = (source: acorn.Literal | acorn.Node): void => {
    const specifier = (source as acorn.Literal).value;
    if (typeof specifier !== 'string') return;
    if (hostModules.has(specifier)) return;
    if (isRelativeSpecifier(specifier)) {
      scan.imports.push({ specifier, ...range(source) });
      return;
    }
    report(
      source,
      'forbidden-import',
      `${JSON.stringify(specifier)} cannot be imported by a driver: only type-only imports and relative imports of ` +
        `files in the driver's folder are allowed${hostModules.size ? ` (and ${[...hostModules].join(', ')})` : ''}; ` +
        'the kernel\'s API reaches the driver as the argument of main',
    );
  };
  const requireCallees = new Set<acorn.Node>();
  const requireReferences: acorn.Identifier[] = [];

  walk.full(program, (node, _state, type) => {
    if (LOOPS.has(node.type)) {
      const loop = node as acorn.ForStatement | acorn.ForInStatement | acorn.ForOfStatement | acorn.WhileStatement | acorn.DoWhileStatement;
      if (loop.type === 'ForOfStatement' && loop.await) {
        report(loop, 'forbidden-syntax', '`for await` is not supported: a driver blocks with `yield*` on the SDK\'s calls');
      }
      const body = loop.body;
      const span = body.end - body.start;
      if (body.type === 'BlockStatement') {
        scan.splices.push({ offset: body.start + 1, text: tickCall(loop), span, closing: false });
      } else {
        scan.splices.push({ offset: body.start, text: `{${tickCall(loop)}`, span, closing: false });
        scan.splices.push({ offset: body.end, text: '}', span, closing: true });
      }
      return;
    }
    switch (node.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        if (node.async) {
          report(node, 'forbidden-syntax', 'async functions are not supported: a driver blocks with `yield*` on the SDK\'s calls, not `await`');
        }
        const body = node.body;
        const span = body.end - body.start;
        if (body.type === 'BlockStatement') {
          scan.splices.push({ offset: body.start + 1, text: tickCall(node), span, closing: false });
        } else {
          scan.splices.push({ offset: body.start, text: `(${tickCall(node).slice(0, -1)}, `, span, closing: false });
          scan.splices.push({ offset: body.end, text: ')', span, closing: true });
        }
        return;
      }
      case 'AwaitExpression':
        report(node, 'forbidden-syntax', '`await` is not supported: a driver blocks with `yield*` on the SDK\'s calls');
        return;
      case 'ImportDeclaration':
        checkSource(node.source);
        return;
      case 'ExportAllDeclaration':
        checkSource(node.source);
        return;
      case 'ExportNamedDeclaration':
        if (node.source) checkSource(node.source);
        noteMainExport(scan, node, original);
        return;
      case 'ExportDefaultDeclaration':
        scan.mainLocation ??= original(node.loc!.start);
        return;
      case 'ImportExpression':
        report(node, 'forbidden-import', 'dynamic `import()` is not allowed in a driver: import files statically');
        return;
      case 'MetaProperty':
        if (node.meta.name === 'import') report(node, 'forbidden-syntax', '`import.meta` is not available to a driver');
        return;
      case 'CallExpression':
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') {
          const argument = node.arguments[0];
          if (node.arguments.length === 1 && argument?.type === 'Literal' && typeof argument.value === 'string') {
            requireCallees.add(node.callee);
            checkSource(argument);
          }
        }
        return;
      case 'Identifier':
        if (node.name.startsWith(RESERVED_PREFIX)) {
          report(node, 'reserved-name', `names starting with ${RESERVED_PREFIX} are reserved for the simulator`);
        } else if (node.name === 'require' && type === 'Identifier') {
          requireReferences.push(node);
        }
        return;
      default:
        return;
    }
  });
  for (const reference of requireReferences) {
    if (!requireCallees.has(reference)) {
      report(reference, 'forbidden-require', '`require` is only allowed as require(\'./file\') with a relative path; use `import` instead');
    }
  }
  scan.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return scan;
}

function noteMainExport(scan: Scan, node: acorn.ExportNamedDeclaration, original: (pos: acorn.Position) => Position): void {
  const declaration = node.declaration;
  if (declaration?.type === 'FunctionDeclaration' && declaration.id.name === 'main') {
    scan.mainLocation = original(declaration.loc!.start);
  } else if (declaration?.type === 'VariableDeclaration') {
    for (const declarator of declaration.declarations) {
      if (declarator.id.type === 'Identifier' && declarator.id.name === 'main') scan.mainLocation = original(declarator.loc!.start);
    }
  } else {
    for (const specifier of node.specifiers) {
      const exported = specifier.exported;
      if (exported.type === 'Identifier' && exported.name === 'main') scan.mainLocation = original(specifier.loc!.start);
    }
  }
}

function applyInsertions(code: string, splices: readonly Splice[]): { code: string; positions: PositionMap } {
  const ordered = [...splices].sort(compareSplices);
  const parts: string[] = [];
  const insertions: Insertion[] = [];
  const positionOf = offsetPositions(code);
  let copied = 0;
  for (const splice of ordered) {
    parts.push(code.slice(copied, splice.offset), splice.text);
    copied = splice.offset;
    const at = positionOf(splice.offset);
    insertions.push({ line: at.line, column: at.column, length: splice.text.length });
  }
  parts.push(code.slice(copied));
  return { code: parts.join(''), positions: insertionPositions(insertions) };
}
