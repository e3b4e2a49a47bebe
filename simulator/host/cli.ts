// The `mklab` command line.
import { SIMULATOR_VERSION } from '../protocol/workerProtocol';

const [command] = process.argv.slice(2);
if (command === '--version' || command === 'version') {
  console.log(`mklab ${SIMULATOR_VERSION}`);
} else {
  console.log(`mklab ${SIMULATOR_VERSION}: the simulator's command line (run, conf check) arrives with the machine.`);
}
