// A webview page's connection to its host: VS Code's webview API (acquired
// once per page, as VS Code requires) wrapped as an RpcEndpoint typed by the
// panel's protocol, and the state VS Code keeps while the panel is hidden.
import { viewEndpoint, type Channel, type Envelope, type PanelProtocol, type ViewEndpoint } from '../protocol/rpc';

interface VsCodeApi<S> {
  postMessage(message: Envelope): void;
  getState(): S | undefined;
  setState(state: S): void;
}

declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

export interface HostConnection<P extends PanelProtocol, S> {
  readonly rpc: ViewEndpoint<P>;
  /** What setState kept the last time this panel's page was loaded. */
  getState(): S | undefined;
  setState(state: S): void;
}

export function connectToHost<P extends PanelProtocol, S = never>(): HostConnection<P, S> {
  const api = acquireVsCodeApi<S>();
  const channel: Channel = {
    post: (m) => api.postMessage(m),
    listen: (receive) => {
      const listener = (event: MessageEvent) => receive(event.data);
      window.addEventListener('message', listener);
      return { dispose: () => window.removeEventListener('message', listener) };
    },
  };
  return {
    rpc: viewEndpoint<P>(channel, { peerName: 'the extension' }),
    getState: () => api.getState(),
    setState: (state) => api.setState(state),
  };
}
