/**
 * A task's status, whatever words and casing the relay uses: OpenAI Videos (queued, in_progress,
 * completed, failed), new-api's task table (NOT_START, SUBMITTED, QUEUED, IN_PROGRESS, SUCCESS,
 * FAILURE, UNKNOWN), Google and flat channels (queued, processing, succeeded, failed), Kling
 * (submitted, processing, succeed, failed), midjourney-proxy (... CANCEL, MODAL), Suno clips
 * (streaming, complete, error).
 */
/** `needs_input`: the task waits for the user (midjourney-proxy's MODAL); its kind's reader says so, the words do not. */
export type TaskStatus = 'queued' | 'in_progress' | 'needs_input' | 'completed' | 'failed' | 'unknown';

/**
 * What the waiting does with a status: poll again, fetch the result, or report the failure; or,
 * for a task that waits for the user (midjourney-proxy's MODAL), stop waiting without either.
 */
export type TaskState = 'pending' | 'input' | 'done' | 'failed';

const WORDS: Record<string, TaskStatus> = {};
const add = (status: TaskStatus, words: string[]) => words.forEach((word) => (WORDS[word] = status));
add('queued', ['queued', 'queue', 'in_queue', 'queueing', 'not_start', 'not_started', 'submitted', 'pending', 'waiting', 'created', 'accepted', 'scheduled']);
add('in_progress', ['in_progress', 'inprogress', 'processing', 'running', 'started', 'generating', 'rendering', 'streaming']);
add('completed', ['completed', 'complete', 'success', 'succeeded', 'succeed', 'successful', 'done', 'finished', 'finish']);
add('failed', ['failed', 'failure', 'fail', 'error', 'errored', 'cancelled', 'canceled', 'cancel', 'expired', 'timeout', 'timed_out', 'rejected', 'banned', 'blocked']);

/** The status in our words; a word we do not know (new-api's UNKNOWN included) is "unknown". */
export function normaliseStatus(relayStatus: unknown): TaskStatus {
	if (typeof relayStatus !== 'string') return 'unknown';
	const key = relayStatus.trim().toLowerCase().replace(/[\s-]+/g, '_');
	return WORDS[key] ?? 'unknown';
}

/** Queued, running and unknown statuses are all still pending: only completed and failed end a wait. */
export function stateOf(status: TaskStatus): TaskState {
	if (status === 'completed') return 'done';
	if (status === 'failed') return 'failed';
	if (status === 'needs_input') return 'input';
	return 'pending';
}

/** Progress as a number from 0 to 100: relays send 45, "45", "45%" or "45.5 %". */
export function readProgress(value: unknown): number | undefined {
	const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim().replace(/\s*%$/, '')) : NaN;
	if (!Number.isFinite(number) || (typeof value === 'string' && value.trim() === '')) return undefined;
	return Math.min(100, Math.max(0, number));
}

/** A task's time as ISO 8601: Unix seconds or milliseconds, or a date string; 0 and nonsense are unknown. */
export function taskTimestamp(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim() && !/^\d+$/.test(value.trim())) {
		const parsed = Date.parse(value);
		return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
	}
	const number = Number(value);
	if (value === null || value === undefined || value === '' || !Number.isFinite(number) || number <= 0) return undefined;
	return new Date(number > 1e12 ? number : number * 1000).toISOString();
}
