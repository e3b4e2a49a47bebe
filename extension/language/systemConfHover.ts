// Hovers in system.conf documents: what a key, a kernel or VM call, a keyword or a service label means.
import * as vscode from 'vscode';
import { wordRoleAt, type ConfWordRole } from '../../simulator/config/confContext';
import { KERNEL_CALL_BASE, VM_CALL_BASE, kernelCall, serviceKey, vmCall } from '../../simulator/config/minixNames';
import { simulatorHasCall } from '../../simulator/config/privileges';
import { parseIoRange } from '../../simulator/config/systemConf';

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

export function keyMarkdown(name: string): vscode.MarkdownString | undefined {
  const k = serviceKey(name);
  if (k === undefined) return undefined;
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${k.name}** (system.conf key)\n\n`);
  md.appendCodeblock(k.syntax, 'minix-system-conf');
  md.appendMarkdown(`\n${k.description}\n\n`);
  md.appendMarkdown(`Default: ${k.defaultText}.`);
  return md;
}

export function kernelCallMarkdown(name: string): vscode.MarkdownString | undefined {
  const c = kernelCall(name);
  if (c === undefined) return undefined;
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**SYS_${c.name}** (kernel call ${hex(KERNEL_CALL_BASE + c.offset)} = KERNEL_CALL + ${c.offset})\n\n`);
  md.appendMarkdown(`${c.description}\n\n`);
  if (c.basic) md.appendMarkdown('Basic call: every system service has it unless its entry says `system NONE`.');
  else md.appendMarkdown('Not basic: a service has it only if its `system` list names it, or says `ALL`.');
  if (c.obsolete !== undefined) md.appendMarkdown(`\n\nObsolete: ${c.obsolete}.`);
  else if (!c.listable && !c.basic) md.appendMarkdown("\n\nMINIX 3.4's `service` utility does not accept it in a `system` list.");
  if (c.obsolete === undefined) {
    md.appendMarkdown(simulatorHasCall('system', c.name) ? "\n\nThe simulator's kernel has this call." : "\n\nThe simulator's kernel does not have this call: granting it has no effect there.");
  }
  return md;
}

export function vmCallMarkdown(name: string): vscode.MarkdownString | undefined {
  const c = vmCall(name);
  if (c === undefined) return undefined;
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**VM_${c.name}** (VM call ${hex(VM_CALL_BASE + c.offset)} = VM_RQ_BASE + ${c.offset})\n\n`);
  md.appendMarkdown(`${c.description}\n\n`);
  md.appendMarkdown(c.basic ? 'Basic VM call: granted unless the entry says `vm NONE`.' : 'Not basic: granted only if the `vm` list names it, or says `ALL`.');
  if (c.obsolete !== undefined) md.appendMarkdown(`\n\nObsolete: ${c.obsolete}.`);
  else if (simulatorHasCall('vm', c.name)) md.appendMarkdown("\n\nThe simulator's kernel carries it out itself, with a kernel call of its own.");
  else md.appendMarkdown('\n\nThe simulator has no VM server: granting it has no effect there.');
  return md;
}

const KEYWORDS: Record<string, string> = {
  ALL: 'everything this key can grant',
  ALL_SYS: 'every system process, but no user process (the default for `ipc`)',
  NONE: 'nothing; after `system` or `vm` not even the basic calls',
  BASIC: 'only the basic calls (the default)',
  SELF: 'the service itself',
  KERNEL: 'the kernel',
};

function roleMarkdown(role: ConfWordRole): vscode.MarkdownString | undefined {
  switch (role.kind) {
    case 'service-keyword':
      return new vscode.MarkdownString('**service** `<label>` `{ ... };` describes one system service: its privileges, scheduling and devices.');
    case 'service-label':
      return new vscode.MarkdownString(`Service **${role.label}**: the label other entries name in \`ipc\`, \`control\` and \`class\`.`);
    case 'key':
      return keyMarkdown(role.key);
    case 'kernel-call':
      return kernelCallMarkdown(role.name);
    case 'vm-call':
      return vmCallMarkdown(role.name);
    case 'keyword':
      return new vscode.MarkdownString(`**${role.name}** after \`${role.key}\`: ${KEYWORDS[role.name] ?? ''}.`);
    case 'label': {
      const where = role.defined ? 'described in this file' : role.standard ? 'a standard MINIX service' : 'not described here, nor a standard MINIX service';
      return new vscode.MarkdownString(`Service **${role.label}** (${where}).`);
    }
    case 'value': {
      const io = role.key === 'io' ? parseIoRange(role.text) : undefined;
      if (io === undefined || io.length === 0) return undefined;
      const last = io.base + io.length - 1;
      const ports = io.length === 1 ? `port ${hex(io.base)}` : `ports ${hex(io.base)} to ${hex(last)} (${io.length} ports)`;
      return new vscode.MarkdownString(`I/O ${ports}: the service may read and write them with \`DEVIO\`, \`SDEVIO\` and \`VDEVIO\`.`);
    }
  }
}

export class SystemConfHoverProvider implements vscode.HoverProvider {
  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const role = wordRoleAt(document.getText(), document.offsetAt(position));
    if (role === undefined) return undefined;
    const md = roleMarkdown(role);
    if (md === undefined) return undefined;
    const span = role.word.span;
    return new vscode.Hover(md, new vscode.Range(document.positionAt(span.start), document.positionAt(span.end)));
  }
}
