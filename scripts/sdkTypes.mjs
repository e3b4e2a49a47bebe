// The SDK's types as user drivers import them (`import { Message, ANY, OK, type Sys } from 'microkernel-lab'`):
// one self-contained declaration file made from simulator/sdk/index.ts, which esbuild.mjs writes to
// dist/sdk/microkernel-lab.d.ts (shipped in the .vsix; New Driver copies it into the workspace) and
// scripts/packCli.mjs puts in the CLI's npm package (its "types").
//   node scripts/sdkTypes.mjs [OUT]   writes OUT (default dist/sdk/microkernel-lab.d.ts)
//
// The compiler emits each module's declarations; this script keeps the declarations the SDK's exports
// reach, through the parts that are kept, and writes them as one module with no imports. What a driver
// gets at run time is the SDK of its realm (node/userDrivers/isolation/realm.ts), so:
//   - a class the realm makes itself (Sys, UserMemory, RandomStream) keeps only the public members the
//     realm's class has and does not just throw in (Sys.senda), and a private constructor: only the
//     simulator makes them;
//   - a class the SDK exports as a type only (GrantTable) is opaque: a driver only passes it on.
//   - the globals the realm adds (a console) are declared too.
// The result is type-checked on its own (no project file, no @types) before it is returned.
import ts from 'typescript';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where the build writes the declarations, from the checkout's root. */
export const SDK_TYPES_OUT = 'dist/sdk/microkernel-lab.d.ts';
const ENTRY = 'simulator/sdk/index.ts';
const REALM = 'node/userDrivers/isolation/realm.ts';
const MODULE = 'microkernel-lab';

/**
 * What a driver's realm adds to the language's globals (setUpGlobals in realm.ts): a console whose lines go to
 * the simulation's output. Declared as DOM and @types/node declare theirs, so that either may be there too.
 */
const GLOBALS = `declare global {
    /** A driver's console: each call writes its values (as JSON, strings as they are) as one line of output. */
    interface Console {
        log(...values: unknown[]): void;
        info(...values: unknown[]): void;
        warn(...values: unknown[]): void;
        error(...values: unknown[]): void;
        debug(...values: unknown[]): void;
    }
    var console: Console;
}`;

/** The declaration file's text, built from the checkout at `root`. Throws if it cannot be made self-contained. */
export function sdkDeclarations(root) {
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'simulator/tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  const options = { ...parsed.options, noEmit: false, declaration: true, emitDeclarationOnly: true, declarationMap: false, sourceMap: false };
  const entry = resolve(root, ENTRY);
  const program = ts.createProgram([entry, resolve(root, REALM)], options);
  const checker = program.getTypeChecker();
  const realmClasses = realmClassMembers(program, checker, resolve(root, REALM));

  /** Each source module's emitted declarations, parsed, by the source's path. */
  const modules = new Map();
  const moduleOf = (file) => {
    let m = modules.get(file);
    if (m) return m;
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`sdk types: ${relative(root, file)} is not in the program`);
    let text;
    const emitted = program.emit(source, (name, data) => {
      if (name.endsWith('.d.ts')) text = data;
    }, undefined, true);
    if (emitted.diagnostics.length > 0 || text === undefined) {
      throw new Error(`sdk types: no declarations for ${relative(root, file)}: ${emitted.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('; ')}`);
    }
    m = parseModule(file, ts.createSourceFile(file.replace(/\.ts$/, '.d.ts'), text, ts.ScriptTarget.ES2022, true), options);
    modules.set(file, m);
    return m;
  };

  /** The module and name of the declaration `name` exported from `file` is. */
  const resolveExport = (file, name, seen = new Set()) => {
    const key = `${file}#${name}`;
    if (seen.has(key)) throw new Error(`sdk types: ${name} is exported in a cycle`);
    seen.add(key);
    const m = moduleOf(file);
    if (m.locals.has(name)) return { file, name };
    const via = m.reexports.get(name) ?? m.imports.get(name);
    if (via) return resolveExport(via.from, via.name, seen);
    throw new Error(`sdk types: ${relative(root, file)} has no declaration of ${name}`);
  };

  const entryModule = moduleOf(entry);
  /** The SDK's exports in their order: each names a declaration and says whether it is exported as a type only. */
  const exported = entryModule.exportList.map((e) => ({ ...e, target: resolveExport(entry, e.local) }));
  const typeOnlyClasses = new Set();
  for (const e of exported) {
    const m = moduleOf(e.target.file);
    if (e.typeOnly && m.locals.get(e.target.name).some((s) => ts.isClassDeclaration(s))) typeOnlyClasses.add(`${e.target.file}#${e.target.name}`);
  }

  // The declarations the exports reach, in the order they are found.
  const needed = new Map();
  const byName = new Map();
  const queue = [];
  const need = (target) => {
    const key = `${target.file}#${target.name}`;
    if (needed.has(key)) return;
    const clash = byName.get(target.name);
    if (clash !== undefined) throw new Error(`sdk types: two declarations named ${target.name} (${relative(root, clash)} and ${relative(root, target.file)})`);
    byName.set(target.name, target.file);
    needed.set(key, target);
    queue.push(key);
  };
  for (const e of exported) need(e.target);
  const texts = [];
  while (queue.length > 0) {
    const { file, name } = needed.get(queue.shift());
    const m = moduleOf(file);
    for (const statement of m.locals.get(name)) {
      const shaped = shape(statement, m.source, {
        realmMembers: ts.isClassDeclaration(statement) ? realmClasses.get(name) : undefined,
        opaque: typeOnlyClasses.has(`${file}#${name}`),
      });
      texts.push(shaped.text);
      for (const ref of shaped.references) {
        if (m.locals.has(ref)) need({ file, name: ref });
        else if (m.imports.has(ref)) {
          const imported = m.imports.get(ref);
          if (imported.name !== ref) throw new Error(`sdk types: ${relative(root, file)} imports ${imported.name} as ${ref}; rename the import`);
          need(resolveExport(imported.from, imported.name));
        }
      }
    }
  }
  const exportList = exported.map((e) => `${e.typeOnly ? 'type ' : ''}${e.target.name === e.exported ? e.exported : `${e.target.name} as ${e.exported}`}`);
  const text = [
    `// The SDK of Microkernel Lab ${version} as a driver imports it: import { Message, ANY, OK, type Sys } from '${MODULE}'.`,
    '// Generated from simulator/sdk by scripts/sdkTypes.mjs; do not edit (New Driver refreshes its copy in drivers/.mklab).',
    ...texts,
    GLOBALS,
    `export {\n${wrap(exportList, '    ')}\n};`,
    '',
  ].join('\n');
  checkAlone(text);
  return text;
}

/** For each class `install` of realm.ts declares, the names of its members, inherited ones included, that do more than throw. */
function realmClassMembers(program, checker, realmFile) {
  const out = new Map();
  const visit = (node) => {
    if (ts.isClassDeclaration(node) && node.name) {
      const type = checker.getDeclaredTypeOfSymbol(checker.getSymbolAtLocation(node.name));
      // A method the realm declares to return `never` only throws (Sys.senda): not there for a driver either.
      const throwsOnly = (p) => (p.declarations ?? []).some((d) => ts.isMethodDeclaration(d) && d.type?.kind === ts.SyntaxKind.NeverKeyword);
      out.set(node.name.text, new Set(checker.getPropertiesOfType(type).filter((p) => !throwsOnly(p)).map((p) => p.name)));
    }
    ts.forEachChild(node, visit);
  };
  visit(program.getSourceFile(realmFile));
  if (!out.has('Sys')) throw new Error(`sdk types: ${realmFile} declares no class Sys`);
  return out;
}

/** A module's top-level declarations by name, its imports, its re-exports and (for the entry) its export list. */
function parseModule(file, source, options) {
  const locals = new Map();
  const imports = new Map();
  const reexports = new Map();
  const exportList = [];
  const target = (specifier) => {
    const r = ts.resolveModuleName(specifier, file, options, ts.sys).resolvedModule;
    if (!r) throw new Error(`sdk types: ${specifier} does not resolve from ${file}`);
    return r.resolvedFileName;
  };
  const isExported = (s) => ts.getCombinedModifierFlags(s) & ts.ModifierFlags.Export;
  const add = (name, statement) => locals.set(name, [...(locals.get(name) ?? []), statement]);
  for (const s of source.statements) {
    if (ts.isImportDeclaration(s)) {
      const bindings = s.importClause?.namedBindings;
      if (s.importClause?.name || (bindings && !ts.isNamedImports(bindings))) throw new Error(`sdk types: ${file}: only named imports are supported`);
      for (const el of bindings?.elements ?? []) imports.set(el.name.text, { from: target(s.moduleSpecifier.text), name: (el.propertyName ?? el.name).text });
    } else if (ts.isExportDeclaration(s)) {
      if (!s.exportClause) {
        if (s.moduleSpecifier) throw new Error(`sdk types: ${file}: export * is not supported`);
        continue;
      }
      if (!ts.isNamedExports(s.exportClause)) throw new Error(`sdk types: ${file}: only named exports are supported`);
      for (const el of s.exportClause.elements) {
        const local = (el.propertyName ?? el.name).text;
        if (s.moduleSpecifier) reexports.set(el.name.text, { from: target(s.moduleSpecifier.text), name: local });
        exportList.push({ exported: el.name.text, local, typeOnly: s.isTypeOnly || el.isTypeOnly });
      }
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) throw new Error(`sdk types: ${file}: destructured declarations are not supported`);
        add(d.name.text, s);
        if (isExported(s)) exportList.push({ exported: d.name.text, local: d.name.text, typeOnly: false });
      }
    } else if ((ts.isClassDeclaration(s) || ts.isFunctionDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEnumDeclaration(s) || ts.isModuleDeclaration(s)) && s.name) {
      add(s.name.text, s);
      const typeOnly = ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s);
      if (isExported(s) && !exportList.some((e) => e.exported === s.name.text)) exportList.push({ exported: s.name.text, local: s.name.text, typeOnly });
    } else if (s.kind !== ts.SyntaxKind.EmptyStatement) {
      throw new Error(`sdk types: ${file}: unexpected ${ts.SyntaxKind[s.kind]}`);
    }
  }
  return { source, locals, imports, reexports, exportList };
}

/**
 * The text of one declaration as the bundle has it (no `export`; a class shaped as the header says) and
 * the names its kept parts refer to.
 */
function shape(statement, source, { realmMembers, opaque }) {
  const leading = source.text.slice(statement.getFullStart(), statement.getStart(source)).replace(/^\s*\n/, '');
  const strip = (text) => text.replace(/^export\s+/, '');
  if (!ts.isClassDeclaration(statement) || (realmMembers === undefined && !opaque)) {
    return { text: leading + strip(statement.getText(source)), references: references([statement]) };
  }
  const head = strip(source.text.slice(statement.getStart(source), statement.members.pos));
  const isPublic = (m) => !(ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) && !ts.isPrivateIdentifier(m.name);
  const kept = opaque ? [] : statement.members.filter((m) => !ts.isConstructorDeclaration(m) && m.name !== undefined && isPublic(m) && realmMembers.has(memberName(m)));
  const body = [
    '\n    private constructor();',
    ...(opaque ? ['\n    /** Made by the simulator: a driver only passes it on. */\n    private readonly __opaque;'] : []),
    ...kept.map((m) => source.text.slice(m.getFullStart(), m.end)),
  ].join('');
  return {
    text: `${leading}${head}${body}\n}`,
    references: references([...(statement.typeParameters ?? []), ...(statement.heritageClauses ?? []), ...kept]),
  };
}

function memberName(member) {
  const name = member.name;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return name.getText();
}

/** The names in type positions under `nodes` that may name another declaration: the first identifier of each. */
function references(nodes) {
  const out = new Set();
  const first = (n) => {
    while (ts.isQualifiedName(n) || ts.isPropertyAccessExpression(n)) n = ts.isQualifiedName(n) ? n.left : n.expression;
    if (ts.isIdentifier(n)) out.add(n.text);
  };
  const visit = (n) => {
    if (ts.isTypeReferenceNode(n)) first(n.typeName);
    else if (ts.isExpressionWithTypeArguments(n)) first(n.expression);
    else if (ts.isTypeQueryNode(n)) first(n.exprName);
    else if (ts.isComputedPropertyName(n)) first(n.expression);
    ts.forEachChild(n, visit);
  };
  nodes.forEach(visit);
  return out;
}

function wrap(items, indent, width = 110) {
  const lines = [];
  let line = '';
  for (const item of items) {
    const next = line ? `${line}, ${item}` : item;
    if (line && indent.length + next.length + 1 > width) {
      lines.push(`${indent}${line},`);
      line = item;
    } else line = next;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

/** Type-checks `text` as the only source file, with the standard library and nothing else. */
function checkAlone(text) {
  const file = `/${MODULE}.d.ts`;
  const options = { target: ts.ScriptTarget.ES2022, lib: ['lib.es2023.d.ts'], types: [], strict: true, noEmit: true, noResolve: true };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language) => (name === file ? ts.createSourceFile(file, text, language) : getSourceFile(name, language));
  const program = ts.createProgram([file], options, host);
  const source = program.getSourceFile(file);
  if (source.statements.some((s) => ts.isImportDeclaration(s) || (ts.isExportDeclaration(s) && s.moduleSpecifier))) {
    throw new Error('sdk types: the declarations import another module');
  }
  const problems = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source), ...program.getGlobalDiagnostics()];
  if (problems.length > 0) {
    const where = (d) => (d.start === undefined ? '' : `${source.getLineAndCharacterOfPosition(d.start).line + 1}: `);
    throw new Error(`sdk types: the declarations do not check on their own:\n${problems.map((d) => where(d) + ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('\n')}`);
  }
}

/** Writes the declarations of the checkout at `root` to `out` (a path from the root, or absolute). */
export function writeSdkDeclarations(root, out = SDK_TYPES_OUT) {
  const file = resolve(root, out);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, sdkDeclarations(root));
  return file;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log(writeSdkDeclarations(resolve(import.meta.dirname, '..'), process.argv[2]));
}
