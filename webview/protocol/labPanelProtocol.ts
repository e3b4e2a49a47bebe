// Messages between the lab panel's webview (webview/panel/main.ts) and its
// host (extension/panels/labPanel.ts). Both import this file.
import type { SystemSnapshot } from '../../simulator/protocol/workerProtocol';

export type ToLabPanel =
  | { type: 'system'; system: SystemSnapshot }
  | { type: 'pingAnswer'; text: string; isError: boolean }
  | { type: 'echoRequest'; messageId: number; text: string };

export type FromLabPanel =
  | { type: 'ready' }
  | { type: 'ping' }
  | { type: 'echoReply'; inReplyTo: number; text: string };
