// Two ends of a fake webview channel: what one end posts, the other receives
// on a later turn and as a structured clone, as VS Code's postMessage delivers.
import type { Channel, Envelope } from '../../../webview/protocol/rpc';

export type Side = 'host' | 'view';

export interface ChannelPair {
  readonly host: Channel;
  readonly view: Channel;
  /** Everything posted by either end, in order. */
  readonly sent: Envelope[];
  /** Delivers any message to one end, as if posted by the other. */
  inject(to: Side, message: unknown): void;
}

export function channelPair(): ChannelPair {
  const receivers: Record<Side, ((m: unknown) => void)[]> = { host: [], view: [] };
  const sent: Envelope[] = [];
  const inject = (to: Side, m: unknown) => setImmediate(() => receivers[to].forEach((r) => r(structuredClone(m))));
  const end = (self: Side, other: Side): Channel => ({
    post: (m) => {
      sent.push(m);
      inject(other, m);
    },
    listen: (receive) => {
      receivers[self].push(receive);
      return { dispose: () => (receivers[self] = receivers[self].filter((r) => r !== receive)) };
    },
  });
  return { host: end('host', 'view'), view: end('view', 'host'), sent, inject };
}
