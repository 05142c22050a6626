import type { RelayClient } from '../client';
import { RelayAbortError, RelayApiError, RelayError, RelayTaskError } from '../errors';
import { isRetryableError } from '../retry';
import type { TaskKind, TaskOutcome, TaskSnapshot, WaitOptions } from './types';

export interface SchedulerOptions {
	/** Polls in flight at once, over all the tasks waited for (default 10). */
	maxPollsInFlight?: number;
	/** How long one poll may take (default 60 s); a poll that takes longer failed and is tried again. */
	pollTimeoutMs?: number;
	/** The longest pause between polls while they keep failing, unless the relay asks for longer (default 60 s). */
	maxBackoffMs?: number;
	/** For tests: the jitter of back-offs. */
	random?: () => number;
}

const DEFAULT_MAX_POLLS_IN_FLIGHT = 10;
const DEFAULT_POLL_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_BACKOFF_MS = 60_000;

/** One task being waited for. */
interface Watch {
	kind: TaskKind<unknown>;
	id: string;
	snapshot?: TaskSnapshot;
	options: WaitOptions;
	startedAt: number;
	deadline: number;
	/** When it is to be polled next. */
	dueAt: number;
	polls: number;
	failedPolls: number;
	/** Failed polls since the last answered one: the back-off grows with them. */
	failuresInRow: number;
	lastPollError?: RelayError;
	/** The poll in flight, if any. */
	poll?: AbortController;
	resolve: (outcome: TaskOutcome) => void;
	reject: (error: unknown) => void;
	onAbort: () => void;
}

/**
 * Waits for many tasks at once with one timer: each task is polled at its interval until it is
 * done, failed or out of time, at most `maxPollsInFlight` polls at a time over all of them, so a
 * hundred tasks cost no more than their polls. A failed poll (429, 5xx, a lost connection, a poll
 * timeout) is not a failed task: that task is polled again later, backing off as failures repeat
 * or as long as the relay's Retry-After asks. A task's signal ends its wait at once, aborting its
 * poll in flight.
 */
export class TaskScheduler {
	private readonly watches = new Set<Watch>();

	private inFlight = 0;

	private timer?: NodeJS.Timeout;

	private readonly maxPollsInFlight: number;

	private readonly pollTimeoutMs: number;

	private readonly maxBackoffMs: number;

	private readonly random: () => number;

	constructor(
		private readonly client: RelayClient,
		options: SchedulerOptions = {},
	) {
		this.maxPollsInFlight = Math.max(1, Math.floor(options.maxPollsInFlight ?? DEFAULT_MAX_POLLS_IN_FLIGHT) || 1);
		this.pollTimeoutMs = options.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
		this.maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
		this.random = options.random ?? Math.random;
	}

	/** Tasks being waited for right now. */
	get waiting(): number {
		return this.watches.size;
	}

	/**
	 * Waits for the task: from the snapshot a submit answered (first poll one interval later), or
	 * from its id alone (first poll at once). Resolves when it is done, when it waits for the
	 * user's input (state "input": neither done nor timed out), or unfinished when `maxWaitMs` is
	 * over (`timedOut`; with `maxWaitMs` 0, after the first look and not timed out);
	 * rejects with a RelayTaskError when the relay says it failed, with a poll's error when that
	 * error will not go away (401, 404...), and with a RelayAbortError when the signal fires.
	 */
	wait<Request>(kind: TaskKind<Request>, task: TaskSnapshot | string, options: WaitOptions): Promise<TaskOutcome> {
		const now = Date.now();
		const snapshot = typeof task === 'string' ? undefined : task;
		const id = typeof task === 'string' ? task : task.id;
		return new Promise<TaskOutcome>((resolve, reject) => {
			if (options.signal?.aborted) {
				reject(new RelayAbortError());
				return;
			}
			const watch: Watch = {
				kind: kind as TaskKind<unknown>,
				id,
				snapshot,
				options,
				startedAt: now,
				deadline: now + Math.max(0, options.maxWaitMs),
				dueAt: snapshot ? now + options.pollIntervalMs : now,
				polls: 0,
				failedPolls: 0,
				failuresInRow: 0,
				resolve,
				reject,
				onAbort: () => this.settle(watch, () => reject(new RelayAbortError())),
			};
			if (snapshot && this.ended(watch, snapshot, now)) return;
			options.signal?.addEventListener('abort', watch.onAbort, { once: true });
			this.watches.add(watch);
			this.pump();
		});
	}

	/** Starts the polls that are due, as far as the limit allows, and sets the timer for the next one. */
	private pump(): void {
		clearTimeout(this.timer);
		this.timer = undefined;
		const now = Date.now();
		const idle = [...this.watches].filter((watch) => !watch.poll).sort((a, b) => a.dueAt - b.dueAt);
		for (const watch of idle) {
			if (this.inFlight >= this.maxPollsInFlight || watch.dueAt > now) break;
			this.startPoll(watch);
		}
		// When every slot is busy, the next poll starts as one ends.
		const next = idle.find((watch) => !watch.poll);
		if (next && this.inFlight < this.maxPollsInFlight) this.timer = setTimeout(() => this.pump(), Math.max(0, next.dueAt - now));
	}

	private startPoll(watch: Watch): void {
		const poll = new AbortController();
		watch.poll = poll;
		this.inFlight++;
		// The scheduler retries failed polls itself, later: the client must not wait in between.
		const options = { signal: poll.signal, maxRetries: 0, timeoutMs: this.pollTimeoutMs };
		watch.kind
			.poll(this.client, watch.id, options)
			.then(
				(snapshot) => this.answered(watch, snapshot),
				(error: unknown) => this.pollFailed(watch, error),
			)
			.finally(() => {
				this.inFlight--;
				watch.poll = undefined;
				this.pump();
			});
	}

	private answered(watch: Watch, snapshot: TaskSnapshot): void {
		if (!this.watches.has(watch)) return;
		const now = Date.now();
		watch.polls++;
		watch.failuresInRow = 0;
		watch.lastPollError = undefined;
		watch.snapshot = snapshot;
		if (this.ended(watch, snapshot, now)) return;
		watch.dueAt = Math.min(now + watch.options.pollIntervalMs, watch.deadline);
	}

	private pollFailed(watch: Watch, error: unknown): void {
		if (!this.watches.has(watch)) return;
		const now = Date.now();
		if (!(error instanceof RelayError) || !isRetryableError(error)) {
			this.settle(watch, () => watch.reject(error));
			return;
		}
		watch.failedPolls++;
		watch.failuresInRow++;
		watch.lastPollError = error;
		if (now >= watch.deadline) {
			// Nothing known of the task but errors: those are the answer.
			if (!watch.snapshot) this.settle(watch, () => watch.reject(error));
			else this.finish(watch, watch.snapshot, now);
			return;
		}
		watch.dueAt = Math.min(now + this.backoffMs(watch, error), watch.deadline);
	}

	/** After a failed poll: as long as the relay asked (Retry-After), else doubling with each failure in a row. */
	private backoffMs(watch: Watch, error: RelayError): number {
		const interval = watch.options.pollIntervalMs;
		const asked = error instanceof RelayApiError ? error.retryAfterMs : undefined;
		if (asked !== undefined) return Math.max(interval, asked);
		const doubled = Math.min(this.maxBackoffMs, interval * 2 ** watch.failuresInRow);
		// Up to a quarter less, so that tasks failing together do not come back together.
		return Math.max(interval, Math.round(doubled * (1 - this.random() * 0.25)));
	}

	/** Settles the wait when the snapshot ends it (done, failed, or time is up); says whether it did. */
	private ended(watch: Watch, snapshot: TaskSnapshot, now: number): boolean {
		if (snapshot.state === 'failed') {
			this.settle(watch, () => watch.reject(taskFailedError(watch.kind.name, snapshot)));
			return true;
		}
		if (snapshot.state === 'done' || snapshot.state === 'input' || now >= watch.deadline) {
			this.finish(watch, snapshot, now);
			return true;
		}
		return false;
	}

	private finish(watch: Watch, snapshot: TaskSnapshot, now: number): void {
		const done = snapshot.state === 'done';
		const outcome: TaskOutcome = {
			snapshot,
			done,
			timedOut: !done && snapshot.state !== 'input' && watch.options.maxWaitMs > 0,
			polls: watch.polls,
			failedPolls: watch.failedPolls,
			waitedMs: now - watch.startedAt,
			lastPollError: watch.lastPollError,
		};
		this.settle(watch, () => watch.resolve(outcome));
	}

	private settle(watch: Watch, settle: () => void): void {
		watch.options.signal?.removeEventListener('abort', watch.onAbort);
		watch.poll?.abort();
		this.watches.delete(watch);
		settle();
		if (this.watches.size === 0) {
			clearTimeout(this.timer);
			this.timer = undefined;
		}
	}
}

/** The relay says the task failed: its reason is the message. */
export function taskFailedError(task: string, snapshot: TaskSnapshot): RelayTaskError {
	const reason = snapshot.failure?.trim() || 'the relay gave no reason';
	const status = snapshot.relayStatus ? ` (status ${snapshot.relayStatus})` : '';
	return new RelayTaskError('failed', `The ${task} task ${snapshot.id} failed: ${reason}${status}`, {
		taskId: snapshot.id,
		task,
		relayStatus: snapshot.relayStatus,
		relayMessage: snapshot.failure,
		progress: snapshot.progress,
	});
}

/** A wait that ended unfinished, as an error (for callers that want one instead of `timedOut`). */
export function taskTimeoutError(task: string, outcome: TaskOutcome): RelayTaskError {
	const { snapshot } = outcome;
	const last = [snapshot.relayStatus ?? snapshot.status, snapshot.progress !== undefined ? `${snapshot.progress} %` : undefined]
		.filter(Boolean)
		.join(', ');
	const failing = outcome.lastPollError ? `; the last polls failed: ${outcome.lastPollError.message}` : '';
	return new RelayTaskError('timeout', `The ${task} task ${snapshot.id} did not finish within ${formatWait(outcome.waitedMs)} (last status: ${last})${failing}`, {
		taskId: snapshot.id,
		task,
		relayStatus: snapshot.relayStatus,
		progress: snapshot.progress,
		waitedMs: outcome.waitedMs,
	});
}

function formatWait(ms: number): string {
	return ms >= 60_000 ? `${+(ms / 60_000).toFixed(1)} min` : `${+(ms / 1000).toFixed(1)} s`;
}
