export { normaliseStatus, readProgress, stateOf, type TaskState, type TaskStatus } from './status';
export { TaskScheduler, taskFailedError, taskTimeoutError, type SchedulerOptions } from './scheduler';
export type { TaskKind, TaskOutcome, TaskReader, TaskSnapshot, WaitOptions } from './types';
export { readVideoTask, videoContentEndpoint, videoDetails, videoTaskKind, type VideoApiFormat, type VideoDetails, type VideoSubmit } from './video';
