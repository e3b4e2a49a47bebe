// MINIX's `service` utility as a user program: sends one request (up, down,
// restart, refresh, update, clone) to the reincarnation server and exits with its answer.
import { Errno, Message, type Program, type Sys } from '../sdk';
import { RS_LABEL_BYTES, RS_LABEL_OFFSET, RS_PROGRAM_BYTES, RS_PROGRAM_OFFSET, RsRequest, writeString } from '../services/messages';

export type ServiceOperation = 'up' | 'down' | 'restart' | 'refresh' | 'update' | 'clone';

const requestOf: Record<ServiceOperation, number> = {
  up: RsRequest.UP,
  down: RsRequest.DOWN,
  restart: RsRequest.RESTART,
  refresh: RsRequest.REFRESH,
  update: RsRequest.UPDATE,
  clone: RsRequest.CLONE,
};

export const SERVICE_PROGRAM = 'service';

export function* serviceUtility(sys: Sys): Program {
  const op = sys.args['op'];
  const label = sys.args['label'];
  if (typeof op !== 'string' || !(op in requestOf) || typeof label !== 'string') return Errno.EINVAL;
  const program = sys.args['program'];
  const lookup = { name: 'rs', endpoint: 0 };
  let r = yield sys.sys_getendpoint(lookup);
  if (r !== 0) return r;
  const m = new Message(requestOf[op as ServiceOperation]);
  writeString(m, RS_LABEL_OFFSET, RS_LABEL_BYTES, label);
  writeString(m, RS_PROGRAM_OFFSET, RS_PROGRAM_BYTES, typeof program === 'string' ? program : '');
  r = yield sys.sendrec(lookup.endpoint, m);
  return r !== 0 ? r : m.type;
}
