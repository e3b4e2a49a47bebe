// The request/reply and event layer between each webview and its host. A
// panel's protocol file declares, as types only, the requests each side may
// make (name → { params, result }) and the events each side pushes; both ends
// build an RpcEndpoint from that one declaration, so a request's parameters,
// its answer and its handler are checked against each other by the compiler.
//
// On the wire every message is an Envelope: a request carries an `id`, its
// reply the same number as `inReplyTo`. A request whose reply does not come
// within its time limit fails; an error thrown by the handler travels back as
// its message; a request nobody handles is answered with an error. Each side
// says `ready` once its page (or panel) listens: the host learns that the
// webview has (re)loaded, and requests the old page never answered fail then.
// Free of DOM and Node APIs beyond timers: both the extension and the
// webviews compile it.

/** One request: what it takes and what it answers. */
export interface RequestSpec {
  readonly params: unknown;
  readonly result: unknown;
}

export type ParamsOf<S> = S extends { readonly params: infer P } ? P : never;
export type ResultOf<S> = S extends { readonly result: infer R } ? R : never;

/**
 * Everything one panel's two ends say to each other. The request maps name
 * each request's RequestSpec; the event maps name each event's body (`void`
 * for an event without one).
 */
export interface PanelProtocol {
  /** Requests the webview makes and the host answers. */
  readonly hostRequests: object;
  /** Requests the host makes and the webview answers. */
  readonly viewRequests: object;
  /** Events the host pushes to the webview. */
  readonly hostEvents: object;
  /** Events the webview pushes to the host. */
  readonly viewEvents: object;
}

export type Envelope =
  | { readonly kind: 'request'; readonly id: number; readonly method: string; readonly params: unknown }
  | { readonly kind: 'reply'; readonly inReplyTo: number; readonly ok: true; readonly result: unknown }
  | { readonly kind: 'reply'; readonly inReplyTo: number; readonly ok: false; readonly error: string }
  | { readonly kind: 'event'; readonly event: string; readonly body: unknown }
  | { readonly kind: 'ready' };

/** How envelopes travel: VS Code's webview.postMessage and onDidReceiveMessage, the page's acquireVsCodeApi and window messages, or a test's fake. */
export interface Channel {
  post(message: Envelope): void;
  /** Calls `receive` with every message that arrives (not all of them need be envelopes); returns how to stop. */
  listen(receive: (message: unknown) => void): Disposable;
}

export interface Disposable {
  dispose(): void;
}

/** A request's failure: the other side's error message, no answer in time, or the channel closed. */
export class RpcError extends Error {
  constructor(
    message: string,
    readonly method: string,
    readonly reason: 'remote' | 'timeout' | 'closed',
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

export interface EndpointOptions {
  /** How error messages name the other side ("the extension", "the trace view"). */
  readonly peerName: string;
  /** Time limit of a request unless the call gives its own. */
  readonly timeoutMs?: number;
}

export interface RequestOptions {
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

type Body<E> = E extends void | undefined ? [] : [body: E];
type Handler<S> = (params: ParamsOf<S>) => ResultOf<S> | Promise<ResultOf<S>>;

interface Pending {
  readonly method: string;
  readonly settle: (reply: { ok: true; result: unknown } | { ok: false; error: RpcError }) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * One end of a channel. `Calls` are the requests it makes, `Serves` those it
 * answers, `Emits` and `Hears` the events it pushes and receives.
 */
export class RpcEndpoint<Calls extends object, Serves extends object, Emits extends object, Hears extends object> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, (params: unknown) => unknown>();
  private readonly listeners = new Map<string, Set<(body: unknown) => void>>();
  private readonly readyListeners = new Set<() => void>();
  private readonly subscription: Disposable;
  private disposed = false;

  constructor(
    private readonly channel: Channel,
    private readonly options: EndpointOptions,
  ) {
    this.subscription = channel.listen((m) => this.receive(m));
  }

  /** Asks the other side; resolves with its answer, rejects with an RpcError. */
  request<M extends keyof Calls & string>(method: M, params: ParamsOf<Calls[M]>, options: RequestOptions = {}): Promise<ResultOf<Calls[M]>> {
    if (this.disposed) return Promise.reject(new RpcError(`${this.options.peerName} is closed; '${method}' was not sent`, method, 'closed'));
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<ResultOf<Calls[M]>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcError(`${this.options.peerName} did not answer '${method}' within ${timeoutMs} ms`, method, 'timeout'));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        timer,
        // The channel carries no types: the answer is trusted to be what the protocol declares for `method`.
        settle: (reply) => (reply.ok ? resolve(reply.result as ResultOf<Calls[M]>) : reject(reply.error)),
      });
      this.channel.post({ kind: 'request', id, method, params });
    });
  }

  /** Answers `method` with `handler`; what it throws (or its promise rejects with) goes back as the error's message. */
  handle<M extends keyof Serves & string>(method: M, handler: Handler<Serves[M]>): Disposable {
    const entry = handler as (params: unknown) => unknown;
    this.handlers.set(method, entry);
    return { dispose: () => this.handlers.get(method) === entry && this.handlers.delete(method) };
  }

  emit<E extends keyof Emits & string>(event: E, ...body: Body<Emits[E]>): void {
    if (this.disposed) return;
    this.channel.post({ kind: 'event', event, body: body[0] });
  }

  on<E extends keyof Hears & string>(event: E, listener: (body: Hears[E]) => void): Disposable {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const entry = listener as (body: unknown) => void;
    set.add(entry);
    return { dispose: () => set.delete(entry) };
  }

  /** Tells the other side that this one listens now. */
  announceReady(): void {
    if (!this.disposed) this.channel.post({ kind: 'ready' });
  }

  /**
   * Calls `listener` each time the other side says it is ready. Requests sent
   * before that to an earlier load of the other side fail first: it has gone and will not answer.
   */
  onPeerReady(listener: () => void): Disposable {
    this.readyListeners.add(listener);
    return { dispose: () => this.readyListeners.delete(listener) };
  }

  /** Stops listening; requests still waiting fail, and answers that come later are dropped. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.subscription.dispose();
    this.failPending((method) => `${this.options.peerName} was closed before it answered '${method}'`);
    this.handlers.clear();
    this.listeners.clear();
    this.readyListeners.clear();
  }

  private failPending(message: (method: string) => string): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) {
      clearTimeout(p.timer);
      p.settle({ ok: false, error: new RpcError(message(p.method), p.method, 'closed') });
    }
  }

  private receive(message: unknown): void {
    if (this.disposed || !isEnvelope(message)) return;
    switch (message.kind) {
      case 'request':
        void this.answer(message.id, message.method, message.params);
        return;
      case 'reply': {
        const p = this.pending.get(message.inReplyTo);
        if (!p) return;
        this.pending.delete(message.inReplyTo);
        clearTimeout(p.timer);
        p.settle(message.ok ? { ok: true, result: message.result } : { ok: false, error: new RpcError(message.error, p.method, 'remote') });
        return;
      }
      case 'event':
        for (const l of [...(this.listeners.get(message.event) ?? [])]) l(message.body);
        return;
      case 'ready':
        this.failPending((method) => `${this.options.peerName} reloaded before it answered '${method}'`);
        for (const l of [...this.readyListeners]) l();
        return;
    }
  }

  private async answer(id: number, method: string, params: unknown): Promise<void> {
    const handler = this.handlers.get(method);
    let reply: Envelope;
    if (!handler) reply = { kind: 'reply', inReplyTo: id, ok: false, error: `unknown request '${method}'` };
    else {
      try {
        reply = { kind: 'reply', inReplyTo: id, ok: true, result: await handler(params) };
      } catch (e) {
        reply = { kind: 'reply', inReplyTo: id, ok: false, error: e instanceof Error ? e.message : String(e) };
      }
    }
    if (!this.disposed) this.channel.post(reply);
  }
}

/** The host's end of a panel's channel. */
export type HostEndpoint<P extends PanelProtocol> = RpcEndpoint<P['viewRequests'], P['hostRequests'], P['hostEvents'], P['viewEvents']>;
/** The webview's end of a panel's channel. */
export type ViewEndpoint<P extends PanelProtocol> = RpcEndpoint<P['hostRequests'], P['viewRequests'], P['viewEvents'], P['hostEvents']>;

export function hostEndpoint<P extends PanelProtocol>(channel: Channel, options: EndpointOptions): HostEndpoint<P> {
  return new RpcEndpoint(channel, options);
}

export function viewEndpoint<P extends PanelProtocol>(channel: Channel, options: EndpointOptions): ViewEndpoint<P> {
  return new RpcEndpoint(channel, options);
}

function isEnvelope(m: unknown): m is Envelope {
  if (typeof m !== 'object' || m === null) return false;
  const e = m as { kind?: unknown; id?: unknown; method?: unknown; inReplyTo?: unknown; ok?: unknown; event?: unknown };
  switch (e.kind) {
    case 'request':
      return typeof e.id === 'number' && typeof e.method === 'string';
    case 'reply':
      return typeof e.inReplyTo === 'number' && typeof e.ok === 'boolean';
    case 'event':
      return typeof e.event === 'string';
    case 'ready':
      return true;
    default:
      return false;
  }
}
