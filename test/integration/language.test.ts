// system.conf language features and scenario files as a user's VS Code runs them: detection, diagnostics, completion, hover, templates.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { parseScenario } from '../../simulator/config/scenario';
import { eventually, extensionId, labApi, within } from './labApi';

const BAD_CONF = ['service rtl8139', '{', '\tsystem DEVIO FOO;', '\tio 378:4 zz9;', '\tipc SYSTEM pm nosuchsrv;', '\tirq 11', '\tuid 0;', '};', ''].join('\n');

function folder(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the integration tests run with a workspace folder open');
  return vscode.Uri.joinPath(f.uri, 'language-test');
}

/** Writes a file and opens it; each test uses a path of its own, since VS Code may keep a closed document's old text a while. */
async function writeAndOpen(relative: string, text: string): Promise<vscode.TextDocument> {
  const uri = vscode.Uri.joinPath(folder(), relative);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document);
  return document;
}

/** The diagnostics of `uri` once `ready` accepts them. */
function diagnosticsOf(uri: vscode.Uri, ready: (d: readonly vscode.Diagnostic[]) => boolean, what: string): Promise<readonly vscode.Diagnostic[]> {
  return within(
    new Promise<readonly vscode.Diagnostic[]>((resolve) => {
      const check = (): boolean => {
        const d = vscode.languages.getDiagnostics(uri);
        if (!ready(d)) return false;
        resolve(d);
        return true;
      };
      if (check()) return;
      const sub = vscode.languages.onDidChangeDiagnostics((e) => {
        if (e.uris.some((u) => u.toString() === uri.toString()) && check()) sub.dispose();
      });
    }),
    20_000,
    what,
  );
}

function positionOf(document: vscode.TextDocument, needle: string, delta = 0): vscode.Position {
  const offset = document.getText().indexOf(needle);
  assert.ok(offset >= 0, `${needle} is not in the document`);
  return document.positionAt(offset + delta);
}

function labels(list: vscode.CompletionList): string[] {
  return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

async function hoverText(document: vscode.TextDocument, position: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

async function closeAll(): Promise<void> {
  while (vscode.window.activeTextEditor !== undefined) await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}

describe('system.conf language', () => {
  before(async () => {
    await labApi();
  });
  afterEach(closeAll);

  it('recognises system.conf, system.conf.d files and files that begin with a service entry', async () => {
    assert.equal((await writeAndOpen('system.conf', BAD_CONF)).languageId, 'minix-system-conf');
    assert.equal((await writeAndOpen('system.conf.d/rtl8139', BAD_CONF)).languageId, 'minix-system-conf');
    assert.equal((await writeAndOpen('drivers/mydriver', 'service mydriver {\n\tsystem DEVIO;\n};\n')).languageId, 'minix-system-conf');
  });

  it('reports an unknown kernel call, a bad I/O range, an unknown IPC target and a missing ; at their exact ranges', async () => {
    const document = await writeAndOpen('diagnostics/system.conf', BAD_CONF);
    const diagnostics = await diagnosticsOf(document.uri, (d) => d.length >= 4, 'system.conf diagnostics');
    const byCode = new Map(diagnostics.map((d) => [String(d.code), d]));

    const foo = byCode.get('unknown-kernel-call');
    assert.ok(foo, 'no unknown-kernel-call diagnostic');
    assert.equal(foo.message, "unknown kernel call 'FOO'");
    assert.equal(foo.severity, vscode.DiagnosticSeverity.Error);
    const fooStart = positionOf(document, 'FOO');
    assert.deepEqual([foo.range.start.line, foo.range.start.character, foo.range.end.line, foo.range.end.character], [2, 14, 2, 17]);
    assert.ok(foo.range.start.isEqual(fooStart));
    assert.equal(document.getText(foo.range), 'FOO');

    const io = byCode.get('bad-io-range');
    assert.ok(io);
    assert.equal(document.getText(io.range), 'zz9');
    assert.match(io.message, /bad I\/O range 'zz9'/);

    const ipc = byCode.get('unknown-label');
    assert.ok(ipc);
    assert.equal(document.getText(ipc.range), 'nosuchsrv');
    assert.equal(ipc.severity, vscode.DiagnosticSeverity.Warning);

    const semicolon = byCode.get('missing-semicolon');
    assert.ok(semicolon);
    assert.equal(semicolon.message, "expected ';' after 'irq 11'");
    assert.ok(semicolon.range.isEmpty);
    assert.ok(semicolon.range.start.isEqual(positionOf(document, 'irq 11', 'irq 11'.length)));
  });

  it('updates the diagnostics as the document changes', async () => {
    const document = await writeAndOpen('edit/system.conf', BAD_CONF);
    await diagnosticsOf(document.uri, (d) => d.some((x) => x.code === 'unknown-kernel-call'), 'first diagnostics');
    const editor = vscode.window.activeTextEditor!;
    const foo = positionOf(document, 'FOO');
    await editor.edit((e) => e.replace(new vscode.Range(foo, foo.translate(0, 3)), 'IRQCTL'));
    const after = await diagnosticsOf(document.uri, (d) => !d.some((x) => x.code === 'unknown-kernel-call'), 'diagnostics after the edit');
    assert.ok(after.some((x) => x.code === 'bad-io-range'));
  });

  it('completes kernel calls inside system, VM calls inside vm, labels inside ipc and keys at a statement start', async () => {
    const document = await writeAndOpen(
      'completion/system.conf',
      'service mydriver\n{\n\tsystem ;\n\tvm ;\n\tipc ;\n\t\n};\nservice helper { };\n',
    );
    const complete = (needle: string, delta: number) =>
      vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, positionOf(document, needle, delta));
    const system = labels(await complete('system ;', 7));
    for (const name of ['DEVIO', 'IRQCTL', 'UMAP', 'ALL', 'BASIC', 'NONE']) assert.ok(system.includes(name), `${name} not offered in system: ${system.join(' ')}`);
    assert.ok(!system.includes('MAP_PHYS'));
    const vm = labels(await complete('vm ;', 3));
    assert.ok(vm.includes('MAP_PHYS') && !vm.includes('DEVIO'));
    const ipc = labels(await complete('ipc ;', 4));
    for (const name of ['helper', 'pm', 'rs', 'ALL_SYS']) assert.ok(ipc.includes(name), `${name} not offered in ipc`);
    const keys = labels(await complete('\t\n};', 1));
    for (const name of ['system', 'ipc', 'io', 'irq', 'pci', 'descr']) assert.ok(keys.includes(name), `${name} not offered as a key`);
  });

  it('explains a kernel call and a key on hover', async () => {
    const document = await writeAndOpen('hover/system.conf', BAD_CONF);
    const devio = await hoverText(document, positionOf(document, 'DEVIO', 2));
    assert.match(devio, /SYS_DEVIO/);
    assert.match(devio, /0x615/);
    assert.match(devio, /I\/O port/);
    assert.match(devio, /Not basic/);
    const io = await hoverText(document, positionOf(document, '\tio ', 1));
    assert.match(io, /io <ALL\|NONE\|base\[:len\] \.\.\.>;/);
    assert.match(io, /Default: NONE/);
    assert.match(io, /I\/O port ranges/);
  });

  /** Asks the editor for the quick fixes at `diagnostic`, applies the one titled `title`, and returns the document's new text. */
  async function applyQuickFix(document: vscode.TextDocument, diagnostic: vscode.Diagnostic, title: RegExp): Promise<string> {
    const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', document.uri, diagnostic.range);
    const fixes = actions.filter((a): a is vscode.CodeAction => 'kind' in a && a.kind !== undefined && vscode.CodeActionKind.QuickFix.contains(a.kind));
    const fix = fixes.find((a) => title.test(a.title));
    assert.ok(fix?.edit, `no quick fix ${title} at ${String(diagnostic.code)}; offered: ${fixes.map((a) => a.title).join('; ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit), 'the quick fix did not apply');
    return document.getText();
  }

  it('quick fixes put the suggested word in place of a misspelt call, IPC target, key or keyword', async () => {
    // RS is there so that the only problem of each file is the misspelt word.
    const rs = 'service rs { ipc ALL; system ALL; };\n';
    const cases: [string, string, string, string][] = [
      // [code, the line with the bad word, the bad word, the word meant]
      ['unknown-kernel-call', '\tsystem UMAP DEVIOO IRQCTL;', 'DEVIOO', 'DEVIO'],
      ['unknown-vm-call', '\tvm REMAPP;', 'REMAPP', 'REMAP'],
      ['unknown-label', '\tipc SYSTEM pm tyy ds;', 'tyy', 'tty'],
      ['unknown-key', '\tsytem UMAP;', 'sytem', 'system'],
      ['unknown-label', '\tipc ALL_SYSS;', 'ALL_SYSS', 'ALL_SYS'],
    ];
    for (const [i, [code, line, bad, meant]] of cases.entries()) {
      const text = `${rs}service mydriver\n{\n${line}\n\tuid 0;\n};\n`;
      const document = await writeAndOpen(`quickfix/${i}/system.conf`, text);
      const diagnostics = await diagnosticsOf(document.uri, (d) => d.some((x) => x.code === code), `the ${code} diagnostic of '${bad}'`);
      assert.deepEqual(diagnostics.map((d) => d.code), [code], `the only problem is '${bad}'`);
      const diagnostic = diagnostics[0]!;
      assert.equal(document.getText(diagnostic.range), bad);
      assert.match(diagnostic.message, new RegExp(`did you mean '${meant}'`));
      const fixed = await applyQuickFix(document, diagnostic, new RegExp(`^Change '${bad}' to '${meant}'$`));
      assert.equal(fixed, text.replace(`${line}\n`, `${line.replace(bad, meant)}\n`), 'the fix replaces exactly the bad word');
      await diagnosticsOf(document.uri, (d) => d.length === 0, `no diagnostic left after fixing '${bad}'`);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  it("hints that MINIX's e1000.conf cannot boot by itself, and its quick fix adds a `service rs` that lets it boot", async () => {
    const extensionUri = vscode.extensions.getExtension(extensionId)!.extensionUri;
    const e1000 = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'test', 'fixtures', 'minix', 'e1000.conf')));
    // Where MINIX installs a driver's file (/etc/system.conf.d/<label>): the editor knows the language by that path.
    const document = await writeAndOpen('boot-hint/system.conf.d/e1000', e1000);
    assert.equal(document.languageId, 'minix-system-conf');
    const diagnostics = await diagnosticsOf(document.uri, (d) => d.some((x) => x.code === 'cannot-boot-alone'), 'the hint that e1000.conf cannot boot alone');
    assert.deepEqual(diagnostics.map((d) => d.code), ['cannot-boot-alone'], 'MINIX\'s file has no other problem');
    const hint = diagnostics[0]!;
    assert.equal(hint.severity, vscode.DiagnosticSeverity.Information);
    assert.equal(document.getText(hint.range), 'e1000');
    assert.equal(hint.range.start.line, 0);
    assert.match(hint.message, /^This file describes e1000 only: no `service rs`, so it cannot boot by itself\./);
    assert.match(hint.message, /built-in base system/);
    const fixed = await applyQuickFix(document, hint, /^Add a `service rs` entry/);
    assert.ok(fixed.startsWith('service rs\n{\n') && fixed.endsWith(e1000), fixed);
    await diagnosticsOf(document.uri, (d) => d.length === 0, 'no hint once the file has RS');
  });
});

describe('scenario files', () => {
  afterEach(closeAll);

  for (const template of ['s1', 's2', 's3', 'empty']) {
    it(`New Scenario from Template (${template}) opens a scenario that loads with no diagnostics`, async () => {
      const document = await vscode.commands.executeCommand<vscode.TextDocument | undefined>('microkernelLab.scenario.new', template);
      assert.ok(document, 'the command returned no document');
      assert.match(document.uri.path, /\.mklab\.json$/);
      assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), document.uri.toString());
      const { scenario, diagnostics } = parseScenario(document.getText(), document.uri.path);
      assert.deepEqual(diagnostics, []);
      assert.ok(scenario);
    });
  }

  it('New Driver writes a driver, its .conf and a scenario that loads, opens the driver, and never overwrites', async function (this: Mocha.Context) {
    // The TypeScript server starts (and loads the drivers' project) for the typings check below.
    this.timeout(240_000);
    const label = `drv${Date.now() % 100000}`;
    const root = vscode.workspace.workspaceFolders![0]!.uri;
    const extensionUri = vscode.extensions.getExtension(extensionId)!.extensionUri;
    const typescript = vscode.workspace.getConfiguration('typescript');
    // code-server ships VS Code's TypeScript extension without a TypeScript of its own (desktop VS Code
    // bundles one): give it the checkout's, as a user setting, which it takes without asking.
    const tsdk = vscode.Uri.joinPath(extensionUri, 'node_modules', 'typescript', 'lib');
    const hasTsdk = await vscode.workspace.fs.stat(vscode.Uri.joinPath(tsdk, 'tsserver.js')).then(() => true, () => false);
    if (hasTsdk) await typescript.update('tsdk', tsdk.fsPath, vscode.ConfigurationTarget.Global);
    const probe = vscode.Uri.joinPath(root, `drivers/${label}-probe.ts`);
    try {
      const outcome = await vscode.commands.executeCommand<{ ok: boolean; files?: string[]; typings?: string[]; error?: string }>('microkernelLab.driver.new', label);
      assert.ok(outcome?.ok, outcome?.error);
      assert.deepEqual(outcome.files, [`drivers/${label}.ts`, `drivers/${label}.conf`, `${label}.mklab.json`]);
      assert.equal(vscode.window.activeTextEditor?.document.uri.path, vscode.Uri.joinPath(root, `drivers/${label}.ts`).path);
      const scenarioText = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(root, `${label}.mklab.json`)));
      const { scenario, diagnostics } = parseScenario(scenarioText, `${label}.mklab.json`);
      assert.deepEqual(diagnostics, []);
      assert.deepEqual(scenario?.userDrivers, [`drivers/${label}.ts`]);
      const again = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>('microkernelLab.driver.new', label);
      assert.equal(again?.ok, false);
      assert.match(again?.error ?? '', new RegExp(`drivers/${label}\\.ts already exists`));
      const bad = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>('microkernelLab.driver.new', 'Bad Label');
      assert.match(bad?.error ?? '', /not a MINIX label/);

      // The typings: the extension's copy of the SDK's declarations and a tsconfig.json that maps 'microkernel-lab' to it.
      assert.deepEqual(outcome.typings, ['drivers/.mklab/microkernel-lab.d.ts', 'drivers/tsconfig.json']);
      const shipped = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'dist', 'sdk', 'microkernel-lab.d.ts'));
      const copy = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(root, 'drivers/.mklab/microkernel-lab.d.ts'));
      assert.ok(Buffer.from(copy).equals(Buffer.from(shipped)), 'the workspace holds the extension\'s declarations');
      const driver = vscode.window.activeTextEditor!.document;
      await vscode.commands.executeCommand('typescript.restartTsServer');
      // A driver with a wrong call: the TypeScript server's error names the SDK's Sys, so the server runs,
      // resolved 'microkernel-lab' to the declarations and reports diagnostics for the drivers' folder.
      await vscode.workspace.fs.writeFile(
        probe,
        new TextEncoder().encode("import { ANY, Message, type Sys } from 'microkernel-lab';\nexport function* main(sys: Sys) {\n  yield sys.sendd(ANY, new Message());\n}\n"),
      );
      await vscode.window.showTextDocument(probe, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: false });
      const errorsOf = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
      await eventually(
        "the TypeScript server's error in a driver that calls sys.sendd",
        () => errorsOf(probe).find((d) => /'sendd' does not exist on type 'Sys'/.test(d.message)),
        180_000,
      );
      // The new driver itself: the server knows the SDK's types in it (a hover shows a method's signature), and it has no error.
      const at = driver.positionAt(driver.getText().indexOf('sys.receive(') + 'sys.'.length + 1);
      await eventually('the signature of sys.receive in a hover', async () => (/Sys\.receive\(src: number, m: Message\): Trap/.test(await hoverText(driver, at)) ? true : undefined), 60_000);
      await eventually(`no error in drivers/${label}.ts`, () => {
        const errors = errorsOf(driver.uri);
        if (errors.length > 0) throw new Error(errors.map((d) => `${d.range.start.line + 1}: ${d.message}`).join('; '));
        return true;
      });
    } finally {
      for (const f of [`drivers/${label}.ts`, `drivers/${label}.conf`, `${label}.mklab.json`, `drivers/${label}-probe.ts`, 'drivers/tsconfig.json']) {
        await vscode.workspace.fs.delete(vscode.Uri.joinPath(root, f)).then(undefined, () => undefined);
      }
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(root, 'drivers/.mklab'), { recursive: true }).then(undefined, () => undefined);
      if (hasTsdk) await typescript.update('tsdk', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('validates *.mklab.json files against the contributed JSON Schema', async () => {
    const document = await writeAndOpen(
      'bad.mklab.json',
      '{ "name": "x", "system": "default", "configuration": "microkernel-iommu", "seed": 1, "duration": "1s", "colour": "red" }\n',
    );
    const diagnostics = await diagnosticsOf(document.uri, (d) => d.length > 0, 'JSON Schema diagnostics');
    assert.ok(diagnostics.some((d) => /colour/.test(d.message) || document.getText(d.range).includes('colour')), diagnostics.map((d) => d.message).join('; '));
  });
});
