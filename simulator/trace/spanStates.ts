// The states of a lane's spans, shared by the model, its summary and the windows.
export const SPAN_RUNNING = 1;
export const SPAN_BLOCKED_SEND = 2;
export const SPAN_BLOCKED_RECEIVE = 3;
export const SPAN_BLOCKED_SENDREC = 4;
export const SPAN_KERNEL = 5;
export const SPAN_STATE_COUNT = 6;
