import type { Received } from '../bodies';
import type { RelayClient } from '../client';
import type { RelayError } from '../errors';
import type { CallOptions } from '../client-types';
import type { TaskState, TaskStatus } from './status';

/** A task as the relay last described it, read the same way whatever its shape. */
export interface TaskSnapshot {
	/** The relay's task id (new-api: "task_" + 32 characters). */
	id: string;
	status: TaskStatus;
	state: TaskState;
	/** The status as the relay wrote it, when it wrote one. */
	relayStatus?: string;
	/** 0 to 100, when the relay says. */
	progress?: number;
	/** Why it failed, in the relay's words (failed tasks only). */
	failure?: string;
	/** The answer it was read from, whole: what else a kind reads from it (links, sizes, usage). */
	body: unknown;
}

/**
 * One family of task routes (video, Midjourney, music): how a task is submitted and polled, and
 * how an answer is read. `submit` and `poll` return the answer's body; `read` turns any of them
 * into a snapshot, or throws (use `received` with wrongShape) when it is not a task at all.
 */
export interface TaskKind<Request> {
	/** What the task makes, for messages: "video". */
	readonly name: string;
	submit(client: RelayClient, request: Request, options: CallOptions): Promise<TaskSnapshot>;
	poll(client: RelayClient, id: string, options: CallOptions): Promise<TaskSnapshot>;
}

/** How a kind reads the body of any of its answers (submit or poll). */
export type TaskReader = (body: unknown, received: Received) => TaskSnapshot;

export interface WaitOptions {
	/** Time between two polls of this task. */
	pollIntervalMs: number;
	/** From the start of the wait; 0 polls once (when no snapshot is given) and never waits. */
	maxWaitMs: number;
	signal?: AbortSignal;
}

/** How a wait ended when the task did not fail: done, or still unfinished when the time was up. */
export interface TaskOutcome {
	snapshot: TaskSnapshot;
	done: boolean;
	/** The wait allowed was over before the task finished. */
	timedOut: boolean;
	/** Polls answered (failed polls not counted). */
	polls: number;
	/** Polls that failed (429, 5xx, lost connections) and were tried again later. */
	failedPolls: number;
	waitedMs: number;
	/** When the wait ended on polls that kept failing: the last one's error. */
	lastPollError?: RelayError;
}
