// What the lab panel's webview (webview/panel/main.ts) and its host
// (extension/panels/labPanel.ts) say to each other, over webview/protocol/rpc.ts.
import type { ResultOf, SystemSnapshot } from '../../simulator/protocol/workerProtocol';

export interface LabPanelProtocol {
  hostRequests: {
    /** The system the simulator describes now. */
    describeSystem: { params: Record<string, never>; result: SystemSnapshot };
    /** A round trip to the simulator worker. */
    ping: { params: Record<string, never>; result: ResultOf<'ping'> };
  };
  viewRequests: {
    /** The page answers with `echo:` and the text (the tests' round trip through the webview). */
    echo: { params: { text: string }; result: { text: string } };
  };
  hostEvents: Record<string, never>;
  viewEvents: Record<string, never>;
}
