// The relay: a thread of the simulator's process (one per thread that runs
// simulators with user drivers) that owns the driver hosts, the processes the
// drivers run in (driverHost.ts), one per driver instance. The simulator waits
// for a driver synchronously on the driver's SharedArrayBuffer and cannot wait
// on a pipe, so the relay carries each message from that buffer to the host's
// standard input, and each frame the host writes on its standard output back
// into the buffer, waking the simulator. When a host's process ends by itself
// (the engine's fatal out of memory, its watchdog, any exit or signal) the
// relay writes why into the buffer, and the simulator ends the driver as a
// crash with that reason. It keeps one host started ahead (for a minute), so
// that a driver restarted by RS rarely waits for a process to start. Bundled on
// its own and started from its text; the hosts' code comes to it as text too.
import { spawn, type ChildProcess } from 'node:child_process';
import { parentPort, workerData } from 'node:worker_threads';
import { classifyHostDeath } from './hostDeath';
import { Ctl, DATA_BYTES, Death, FRAME_HEADER_BYTES, semiSpaceMb, Wire } from './protocol';

export interface RelayData {
  readonly role: 'relay';
  /** The driver host's code (driverHost.ts bundled). */
  readonly hostSource: string;
  /** Hosts kept started ahead (0 or 1). */
  readonly spares: number;
}

export type RelayRequest =
  /** Start a host for a driver instance, whose buffer is `buffer`; `init` is the host's first frame (a HostInit). */
  | { readonly op: 'spawn'; readonly id: number; readonly buffer: SharedArrayBuffer; readonly memoryMb: number; readonly init: string }
  /** The simulator has written a message for the driver into its buffer. */
  | { readonly op: 'send'; readonly id: number }
  /** The driver instance is over: end its host, and report nothing more. */
  | { readonly op: 'kill'; readonly id: number };

/** How long a host started ahead waits for a driver before it is ended. */
const SPARE_IDLE_MS = 60_000;

/** How much of a host's standard error is kept for the reason of its end. */
const STDERR_TAIL_CHARS = 16 * 1024;

/**
 * The host's whole command-line program: it reads the host's code, in one frame, from its standard input and runs
 * it. The code is too long for a command line on every platform, and reading it needs no file.
 */
const BOOTSTRAP =
  '"use strict";{const f=require("node:fs"),r=(b)=>{let o=0;while(o<b.length){let n=0;try{n=f.readSync(0,b,o,b.length-o,null)}' +
  'catch(e){if(e.code==="EAGAIN")continue;process.exit(0)}if(n===0)process.exit(0);o+=n}return b},h=r(Buffer.alloc(8)),' +
  's=r(Buffer.alloc(h.readUInt32LE(0))).toString("utf8");' +
  'require("node:vm").compileFunction(s,["exports","require","module"],{filename:"microkernel-lab:driver-host"})({},require,{exports:{}})}';

/**
 * Node's permission model, where this Node has it and it is Node (not an editor's Electron, whose flags differ):
 * a host may read no file, start no process, open nothing; only its watchdog thread is allowed.
 */
function permissionFlags(): string[] {
  if (process.versions.electron !== undefined) return [];
  const flags = process.allowedNodeEnvironmentFlags;
  if (flags.has('--permission')) return ['--permission', '--allow-worker'];
  if (flags.has('--experimental-permission')) return ['--experimental-permission', '--allow-worker'];
  return [];
}

/** A host's command line after the executable. */
export function hostArguments(memoryMb: number): string[] {
  return [...permissionFlags(), '--no-warnings', `--max-old-space-size=${memoryMb}`, `--max-semi-space-size=${semiSpaceMb(memoryMb)}`, '-e', BOOTSTRAP];
}

/** Nothing of the simulator's environment: only what the executable needs to run as Node. */
function hostEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  if (process.versions.electron !== undefined) env.ELECTRON_RUN_AS_NODE = '1';
  if (process.platform === 'win32' && process.env.SystemRoot !== undefined) env.SystemRoot = process.env.SystemRoot;
  return env;
}

function frameOf(json: Uint8Array | string): Buffer {
  const text = typeof json === 'string' ? Buffer.from(json, 'utf8') : json;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + text.length);
  frame.writeUInt32LE(text.length, 0);
  frame.writeUInt32LE(0, 4);
  frame.set(text, FRAME_HEADER_BYTES);
  return frame;
}

/** One driver host: a process, and the buffer of the driver instance it runs once it has one. */
class Host {
  private readonly child: ChildProcess;
  private wire: Wire | undefined;
  /** Whether the host owes the simulator a frame (it may write one only then). */
  private owing = false;
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes of the frame being received, once its header is in. */
  private frameBytes = 0;
  private stderr = '';
  ended = false;

  constructor(
    readonly memoryMb: number,
    source: Buffer,
    private readonly onEnd: (host: Host) => void,
  ) {
    this.child = spawn(process.execPath, hostArguments(memoryMb), {
      env: hostEnvironment(),
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const { stdin, stdout, stderr } = this.child;
    // A host that has died refuses what is still written to it; its end is reported by 'close'.
    stdin!.on('error', () => undefined);
    stdout!.on('data', (chunk: Buffer) => this.received(chunk));
    stderr!.setEncoding('utf8');
    stderr!.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-STDERR_TAIL_CHARS);
    });
    this.child.on('error', (error) => {
      this.end(Death.failed, `its process could not be started (${error.message})`);
      this.child.kill('SIGKILL');
    });
    this.child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      const death = classifyHostDeath(code, signal, this.stderr);
      this.end(death.death, death.detail);
    });
    stdin!.write(source);
  }

  /** Gives the host its driver instance. */
  attach(wire: Wire, init: string): void {
    this.wire = wire;
    this.owing = true;
    this.child.stdin!.write(frameOf(init));
  }

  /** Carries the simulator's message in the driver's buffer to the host. */
  forward(): void {
    const wire = this.wire;
    if (wire === undefined || this.ended) return;
    let frame: Uint8Array;
    try {
      frame = wire.frame();
    } catch {
      this.fail('the simulator wrote a damaged message');
      return;
    }
    this.owing = true;
    this.child.stdin!.write(frame);
  }

  /** Ends the host's process without reporting anything: the simulator is done with the instance. */
  kill(): void {
    this.wire = undefined;
    this.ended = true;
    this.child.kill('SIGKILL');
    this.onEnd(this);
  }

  private fail(detail: string): void {
    this.end(Death.failed, detail);
    this.child.kill('SIGKILL');
  }

  private end(death: number, detail: string): void {
    if (this.ended) return;
    this.ended = true;
    const wire = this.wire;
    this.wire = undefined;
    wire?.die(death, detail);
    this.onEnd(this);
  }

  /** The host's output: frames for the simulator, each written into the driver's buffer when whole. */
  private received(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.frameBytes === 0) {
        if (this.buffered < FRAME_HEADER_BYTES) return;
        const head = this.flatten();
        const jsonBytes = head.readUInt32LE(0);
        const binBytes = head.readUInt32LE(4);
        if (jsonBytes + binBytes > DATA_BYTES) {
          this.fail('its process wrote a message too large for its channel');
          return;
        }
        this.frameBytes = FRAME_HEADER_BYTES + jsonBytes + binBytes;
      }
      if (this.buffered < this.frameBytes) return;
      const all = this.flatten();
      const frame = all.subarray(0, this.frameBytes);
      const rest = all.subarray(this.frameBytes);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.frameBytes = 0;
      if (this.ended) return;
      // The sides take turns: a host that writes out of turn is not running the host's code.
      if (!this.owing || this.wire === undefined) {
        this.fail('its process wrote out of turn');
        return;
      }
      this.owing = false;
      const jsonBytes = frame.readUInt32LE(0);
      const binBytes = frame.readUInt32LE(4);
      const text = frame.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + jsonBytes);
      this.wire.writeBytes(Ctl.toHost, text, binBytes > 0 ? frame.subarray(FRAME_HEADER_BYTES + jsonBytes) : undefined);
    }
  }

  private flatten(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0]!;
  }
}

function relay(data: RelayData): void {
  const source = frameOf(data.hostSource);
  const drivers = new Map<number, Host>();
  let spare: Host | undefined;
  const forget = (host: Host): void => {
    if (spare === host) spare = undefined;
    for (const [id, h] of drivers) if (h === host) drivers.delete(id);
  };
  const take = (memoryMb: number): Host => {
    let host = spare;
    spare = undefined;
    if (host === undefined || host.ended || host.memoryMb !== memoryMb) {
      if (host !== undefined && !host.ended) host.kill();
      host = new Host(memoryMb, source, forget);
    }
    if (data.spares > 0) {
      setImmediate(() => {
        if (spare !== undefined) return;
        const ahead = new Host(memoryMb, source, forget);
        spare = ahead;
        // A host nobody takes is not kept: an editor's simulator may stay idle for hours.
        setTimeout(() => {
          if (spare === ahead) ahead.kill();
        }, SPARE_IDLE_MS).unref();
      });
    }
    return host;
  };
  parentPort!.on('message', (request: RelayRequest) => {
    switch (request.op) {
      case 'spawn': {
        const host = take(request.memoryMb);
        drivers.set(request.id, host);
        host.attach(new Wire(request.buffer), request.init);
        return;
      }
      case 'send':
        drivers.get(request.id)?.forward();
        return;
      case 'kill':
        drivers.get(request.id)?.kill();
        drivers.delete(request.id);
        return;
    }
  });
}

const data = workerData as RelayData | undefined;
if (data?.role === 'relay') relay(data);
