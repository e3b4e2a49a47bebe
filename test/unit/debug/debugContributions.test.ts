// The debugger's pure parts: package.json's `microkernel` debugger agrees with
// the adapter's launch arguments, and IPC function breakpoints parse and match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LAUNCH_ARGUMENTS, LaunchError, parseLaunchArguments } from '../../../node/dap/launchConfig';
import { BreakpointSyntaxError, matchesIpcBreakpoint, parseIpcBreakpoint } from '../../../node/dap/ipcBreakpoints';
import { IpcCall, KernelCall } from '../../../simulator/kernel/constants';
import { DlRequest } from '../../../simulator/services/messages';
import { costProfiles } from '../../../simulator/kernel/costs/costProfiles';
import { CONFIGURATION_TABLE, DEFAULT_CONFIGURATION } from '../../../simulator/config/configurations';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const debuggers: { type: string; configurationAttributes: { launch: { properties: Record<string, { description?: string; markdownDescription?: string }> } }; initialConfigurations: Record<string, unknown>[] }[] =
  pkg.contributes.debuggers;

test('package.json describes exactly the launch arguments the adapter reads, each with a description', () => {
  const d = debuggers.find((x) => x.type === 'microkernel');
  assert.ok(d, 'a microkernel debugger is contributed');
  const props = d.configurationAttributes.launch.properties;
  assert.deepEqual(Object.keys(props).sort(), [...LAUNCH_ARGUMENTS].sort());
  const enumOf = (name: string) => (props[name] as { enum?: string[] }).enum;
  assert.deepEqual(enumOf('configuration'), CONFIGURATION_TABLE.map((c) => c.name));
  assert.deepEqual((props['configuration'] as { enumDescriptions?: string[] }).enumDescriptions, CONFIGURATION_TABLE.map((c) => c.description));
  assert.deepEqual(enumOf('costProfile'), Object.keys(costProfiles));
  for (const [name, p] of Object.entries(props)) assert.ok((p.description ?? p.markdownDescription ?? '').length > 20, name);
  for (const c of d.initialConfigurations) assert.equal(parseLaunchArguments(c, false).description, c['scenario']);
  assert.deepEqual(pkg.contributes.breakpoints.map((b: { language: string }) => b.language).sort(), ['javascript', 'typescript']);
});

test("the defaultConfiguration setting offers the scenario's own and every configuration of the table, described as the table does", () => {
  const setting = pkg.contributes.configuration.properties['microkernelLab.defaultConfiguration'] as { enum: string[]; enumDescriptions: string[]; default: string };
  assert.deepEqual(setting.enum, ['scenario', ...CONFIGURATION_TABLE.map((c) => c.name)]);
  assert.deepEqual(setting.enumDescriptions.slice(1), CONFIGURATION_TABLE.map((c) => c.description));
  assert.ok(setting.enumDescriptions[0]!.includes(`${DEFAULT_CONFIGURATION} for a system.conf`), setting.enumDescriptions[0]);
  assert.equal(setting.default, 'scenario');
});

test('launch arguments of the wrong type are refused, naming the argument', () => {
  assert.throws(() => parseLaunchArguments({ stopOnEntry: 'yes' }, true), (e: Error) => e instanceof LaunchError && /"stopOnEntry" must be true or false, got "yes"/.test(e.message));
  assert.throws(() => parseLaunchArguments({ costProfile: 'pentium' }, true), /"costProfile" must be one of sel4-haswell, .*got "pentium"/);
  assert.throws(() => parseLaunchArguments({ heartbeatPeriodMs: 0 }, true), /"heartbeatPeriodMs" must be a positive number/);
  assert.throws(() => parseLaunchArguments({ configuration: 'exokernel' }, true), new RegExp(`"configuration" must be one of ${CONFIGURATION_TABLE.map((c) => c.name).join(', ')}, got "exokernel"`));
  assert.throws(() => parseLaunchArguments({ scenario: 42 }, true), /"scenario" must be the name of a built-in scenario/);
  assert.deepEqual(parseLaunchArguments({ scenario: 'S2', seed: 7 }, false).params, { source: { kind: 'builtin', name: 's2' }, speed: 0, trusted: false, seed: 7 });
});

test('IPC breakpoints: to and from a process, any type, notifications and kernel calls', () => {
  const sendrec = (caller: string, receiver: string, type: number) => ({ caller, kind: 'ipc' as const, callNr: IpcCall.SENDREC, receiver, messageType: type });
  const write = parseIpcBreakpoint('nic <- DL_WRITEV_S');
  assert.equal(write.type, DlRequest.WRITEV_S);
  assert.ok(matchesIpcBreakpoint(write, sendrec('inet', 'nic', DlRequest.WRITEV_S)));
  assert.ok(!matchesIpcBreakpoint(write, sendrec('inet', 'nic', DlRequest.READV_S)));
  assert.ok(!matchesIpcBreakpoint(write, sendrec('nic', 'inet', DlRequest.WRITEV_S)));
  const fromInet = parseIpcBreakpoint('inet->*');
  assert.ok(matchesIpcBreakpoint(fromInet, sendrec('inet', 'ds', 0x123)));
  assert.ok(!matchesIpcBreakpoint(fromInet, sendrec('nic', 'inet', 0x123)));
  assert.equal(parseIpcBreakpoint('nic <- 0x202').type, DlRequest.WRITEV_S);
  const notify = parseIpcBreakpoint('rs <- notify');
  assert.ok(matchesIpcBreakpoint(notify, { caller: 'nic', kind: 'ipc', callNr: IpcCall.NOTIFY, receiver: 'rs', messageType: undefined }));
  assert.ok(!matchesIpcBreakpoint(notify, sendrec('nic', 'rs', 0x123)));
  const devio = parseIpcBreakpoint('nic -> DEVIO');
  assert.ok(matchesIpcBreakpoint(devio, { caller: 'nic', kind: 'kernelCall', callNr: KernelCall.DEVIO, receiver: undefined, messageType: undefined }));
  assert.ok(!matchesIpcBreakpoint(devio, { caller: 'disk', kind: 'kernelCall', callNr: KernelCall.DEVIO, receiver: undefined, messageType: undefined }));
  assert.throws(() => parseIpcBreakpoint('nic <- DEVIO'), (e: Error) => e instanceof BreakpointSyntaxError && /write 'nic -> DEVIO'/.test(e.message));
  assert.throws(() => parseIpcBreakpoint('DL_WRITEV_S'), /expected 'label <- TYPE'/);
});
