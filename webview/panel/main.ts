// The lab panel's page: shows the system and the simulator's answers.
import type { SystemSnapshot } from '../../simulator/protocol/workerProtocol';
import type { LabPanelProtocol } from '../protocol/labPanelProtocol';
import { connectToHost } from '../shared/connect';
import './style.css';

const { rpc } = connectToHost<LabPanelProtocol>();
const byId = (id: string) => document.getElementById(id) as HTMLElement;

function showAnswer(text: string, isError: boolean): void {
  const answer = byId('answer');
  answer.textContent = text;
  answer.classList.toggle('error', isError);
}

function showSystem(s: SystemSnapshot): void {
  byId('system').textContent = `System '${s.name}' (${s.configuration}), ${s.processes.length} processes, ${s.running ? 'running' : 'not running'}.`;
  byId('processes').replaceChildren(
    ...s.processes.map((p) => {
      const li = document.createElement('li');
      li.textContent = `${p.label} (endpoint ${p.endpoint}) — ${p.state}`;
      return li;
    }),
  );
}

byId('ping').addEventListener('click', () => {
  byId('answer').textContent = 'Asking the simulator…';
  rpc.request('ping', {}).then(
    (answer) => showAnswer(`Simulator answered: ${answer.payload} (simulator ${answer.simulatorVersion})`, false),
    (e: Error) => showAnswer(`The simulator did not answer: ${e.message}`, true),
  );
});

rpc.handle('echo', ({ text }) => ({ text: `echo:${text}` }));
rpc.announceReady();
rpc.request('describeSystem', {}).then(showSystem, (e: Error) => showAnswer(`The simulator did not answer: ${e.message}`, true));
