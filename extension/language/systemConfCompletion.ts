// Completion in system.conf documents: keys, kernel and VM calls, service labels and keywords, by context.
import * as vscode from 'vscode';
import { contextAt, definedLabels, type ConfWord } from '../../simulator/config/confContext';
import { KERNEL_CALL_BASE, KERNEL_CALLS, MINIX_LOGINS, SERVICE_KEYS, STANDARD_LABELS, VM_CALLS, VM_CALL_BASE } from '../../simulator/config/minixNames';
import { kernelCallMarkdown, keyMarkdown, vmCallMarkdown } from './systemConfHover';

const Kind = vscode.CompletionItemKind;

const KEYWORD_MEANINGS: Record<string, Record<string, string>> = {
  system: { ALL: 'every kernel call', BASIC: 'only the basic kernel calls (the default)', NONE: 'no kernel call at all, not even the basic ones' },
  vm: { ALL: 'every VM call', BASIC: 'only the basic VM calls (the default)', NONE: 'no VM call at all, not even the basic ones' },
  ipc: { ALL: 'every process, user processes included', ALL_SYS: 'every system process (the default)', NONE: 'no process' },
  io: { ALL: 'every I/O port', NONE: 'no I/O port (the default)' },
  irq: { ALL: 'every interrupt line', NONE: 'no interrupt line (the default)' },
  sigmgr: { SELF: 'the service handles its own signals; a fatal one panics the system' },
  scheduler: { KERNEL: 'the kernel schedules the service itself' },
  uid: { SELF: 'the uid of whoever starts the service' },
};

function item(label: string, kind: vscode.CompletionItemKind, word: ConfWord | undefined, position: vscode.Position, document: vscode.TextDocument, detail?: string): vscode.CompletionItem {
  const it = new vscode.CompletionItem(label, kind);
  if (detail !== undefined) it.detail = detail;
  if (word !== undefined) {
    // The editor's word pattern splits names such as `ALL_SYS` or `10ec:8139` differently from the parser.
    const start = document.positionAt(word.span.start);
    it.range = { inserting: new vscode.Range(start, position), replacing: new vscode.Range(start, document.positionAt(word.span.end)) };
  }
  return it;
}

export class SystemConfCompletionProvider implements vscode.CompletionItemProvider {
  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] {
    const text = document.getText();
    const context = contextAt(text, document.offsetAt(position));
    const make = (label: string, kind: vscode.CompletionItemKind, detail?: string) => item(label, kind, context.kind === 'comment' || context.kind === 'string' ? undefined : context.word, position, document, detail);
    switch (context.kind) {
      case 'top-level': {
        const service = make('service', Kind.Keyword, 'service <label> { ... };');
        service.insertText = new vscode.SnippetString('service ${1:label}\n{\n\t$0\n};');
        return [service, make('include', Kind.Keyword, 'include "<file>"')];
      }
      case 'key':
        return SERVICE_KEYS.map((k) => {
          const it = make(k.name, Kind.Property, k.syntax);
          it.documentation = keyMarkdown(k.name);
          return it;
        });
      case 'value':
        return this.values(context.key, context.values, text, make);
      default:
        return [];
    }
  }

  private values(
    key: string,
    values: readonly string[],
    text: string,
    make: (label: string, kind: vscode.CompletionItemKind, detail?: string) => vscode.CompletionItem,
  ): vscode.CompletionItem[] {
    const out: vscode.CompletionItem[] = [];
    const first = values.length === 0;
    if (first) {
      for (const [word, meaning] of Object.entries(KEYWORD_MEANINGS[key] ?? {})) {
        const it = make(word, Kind.Constant, meaning);
        it.sortText = `0${word}`;
        out.push(it);
      }
    }
    const written = new Set(values);
    switch (key) {
      case 'system':
        for (const c of KERNEL_CALLS) {
          if (written.has(c.name)) continue;
          const it = make(c.name, Kind.Function, `SYS_${c.name} (0x${(KERNEL_CALL_BASE + c.offset).toString(16)})${c.basic ? ', basic' : ''}`);
          it.documentation = kernelCallMarkdown(c.name);
          if (c.obsolete !== undefined) it.tags = [vscode.CompletionItemTag.Deprecated];
          out.push(it);
        }
        break;
      case 'vm':
        for (const c of VM_CALLS) {
          if (written.has(c.name)) continue;
          const it = make(c.name, Kind.Function, `VM_${c.name} (0x${(VM_CALL_BASE + c.offset).toString(16)})${c.basic ? ', basic' : ''}`);
          it.documentation = vmCallMarkdown(c.name);
          if (c.obsolete !== undefined) it.tags = [vscode.CompletionItemTag.Deprecated];
          out.push(it);
        }
        break;
      case 'ipc':
      case 'control':
      case 'sigmgr':
      case 'scheduler':
        if (key !== 'ipc' && key !== 'control' && !first) break;
        for (const label of labelsFor(text)) {
          if (written.has(label.name)) continue;
          const it = make(label.name, Kind.Module, label.defined ? 'service in this file' : 'MINIX service');
          it.sortText = `${label.defined ? 1 : 2}${label.name}`;
          out.push(it);
        }
        break;
      case 'class':
        for (const label of definedLabels(text)) if (!written.has(label)) out.push(make(label, Kind.Module, 'service in this file'));
        break;
      case 'uid':
        if (first) for (const [login, uid] of Object.entries(MINIX_LOGINS)) out.push(make(login, Kind.User, `uid ${uid}`));
        break;
      case 'type':
        if (first) out.push(make('net', Kind.EnumMember, 'a network driver: the network stack attaches to it'));
        break;
      case 'pci':
        if (first) out.push(make('device', Kind.Keyword, 'pci device <vid:did[/svid:sdid]> ...'), make('class', Kind.Keyword, 'pci class <class[/sub[/if]]> ...'));
        break;
    }
    return out;
  }
}

function labelsFor(text: string): { name: string; defined: boolean }[] {
  const defined = definedLabels(text);
  return [...defined.map((name) => ({ name, defined: true })), ...STANDARD_LABELS.filter((l) => !defined.includes(l)).map((name) => ({ name, defined: false }))];
}
