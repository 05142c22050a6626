export { normaliseStatus, readProgress, stateOf, taskTimestamp, type TaskState, type TaskStatus } from './status';
export { TaskScheduler, taskFailedError, taskTimeoutError, type SchedulerOptions } from './scheduler';
export type { TaskKind, TaskOutcome, TaskReader, TaskSnapshot, WaitOptions } from './types';
export { readVideoTask, videoContentEndpoint, videoDetails, videoTaskKind, type VideoApiFormat, type VideoDetails, type VideoSubmit } from './video';
export {
	DEFAULT_QUEUE_FULL_POLICY,
	describedPrompts,
	midjourneyDetails,
	midjourneyTaskKind,
	readMidjourneyTask,
	readSubmitAnswer,
	type MidjourneyButton,
	type MidjourneyDetails,
	type MidjourneyKindOptions,
	type MidjourneyRoute,
	type MidjourneySpeed,
	type MidjourneySubmit,
	type QueueFullPolicy,
} from './midjourney';
export { readSunoSubmit, readSunoTask, sunoDetails, sunoTaskKind, sunoTaskReader, type SunoAction, type SunoClip, type SunoSubmit, type SunoTaskDetails } from './suno';
