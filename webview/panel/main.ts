// The lab panel's page: shows the system and the simulator's answers.
import type { FromLabPanel, ToLabPanel } from '../protocol/labPanelProtocol';
import './style.css';

declare function acquireVsCodeApi(): { postMessage(message: FromLabPanel): void };

const vscode = acquireVsCodeApi();
const byId = (id: string) => document.getElementById(id) as HTMLElement;

byId('ping').addEventListener('click', () => {
  byId('answer').textContent = 'Asking the simulator…';
  vscode.postMessage({ type: 'ping' });
});

window.addEventListener('message', (event: MessageEvent<ToLabPanel>) => {
  const m = event.data;
  switch (m.type) {
    case 'system': {
      const s = m.system;
      byId('system').textContent = `System '${s.name}' (${s.configuration}), ${s.processes.length} processes, ${s.running ? 'running' : 'not running'}.`;
      const list = byId('processes');
      list.replaceChildren(
        ...s.processes.map((p) => {
          const li = document.createElement('li');
          li.textContent = `${p.label} (endpoint ${p.endpoint}) — ${p.state}`;
          return li;
        }),
      );
      return;
    }
    case 'pingAnswer': {
      const answer = byId('answer');
      answer.textContent = m.text;
      answer.classList.toggle('error', m.isError);
      return;
    }
    case 'echoRequest':
      vscode.postMessage({ type: 'echoReply', inReplyTo: m.messageId, text: `echo:${m.text}` });
      return;
  }
});

vscode.postMessage({ type: 'ready' });
