import type { IDisplayOptions, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import {
	RelayAbortError,
	TaskScheduler,
	taskTimeoutError,
	type RelayClient,
	type TaskKind,
	type TaskOutcome,
	type TaskSnapshot,
} from '../transport';
import { invalidParameter } from './errors';
import { readRequiredText } from './parameters';
import type { ItemOperation, ItemScope, OperationHints } from './runner';

/** How one item waits for its task: Wait for Completion, Max Wait, Poll Interval, On Timeout. */
export interface TaskWait {
	enabled: boolean;
	maxWaitMs: number;
	pollIntervalMs: number;
	/** A wait that ends unfinished fails the item instead of putting out `done: false, timedOut: true`. */
	timeoutIsError: boolean;
}

const DEFAULT_MAX_WAIT_MINUTES = 10;
const DEFAULT_POLL_INTERVAL_SECONDS = 10;
const WAITING: NonNullable<IDisplayOptions['show']> = { waitForCompletion: [true] };

/**
 * The waiting of every task node (video, Midjourney, music): one set of parameters, read by
 * readTaskWait. `displayOptions` narrows them further (e.g. to some operations).
 */
export function taskWaitProperties(what: string, displayOptions: IDisplayOptions = {}): INodeProperties[] {
	const show = (extra: IDisplayOptions['show'] = {}): IDisplayOptions => ({ ...displayOptions, show: { ...displayOptions.show, ...extra } });
	return [
		{
			displayName: 'Wait for Completion',
			name: 'waitForCompletion',
			type: 'boolean',
			default: true,
			displayOptions: show(),
			description: `Whether to wait until the ${what} is ready (polling the relay) and put it out. Off: put out the task as submitted, and fetch it later with the Get operation.`,
		},
		{
			displayName: 'Max Wait (Minutes)',
			name: 'maxWaitMinutes',
			type: 'number',
			default: DEFAULT_MAX_WAIT_MINUTES,
			typeOptions: { minValue: 0.05, numberPrecision: 2 },
			displayOptions: show(WAITING),
			description: `How long to wait for each ${what} at most. Relays give up on a task after about an hour.`,
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollIntervalSeconds',
			type: 'number',
			default: DEFAULT_POLL_INTERVAL_SECONDS,
			typeOptions: { minValue: 0.5, numberPrecision: 1 },
			displayOptions: show(WAITING),
			description:
				"How often to ask the relay whether a task is done. Every item's task is polled side by side; when the relay rate limits, polls slow down by themselves.",
		},
		{
			displayName: 'On Timeout',
			name: 'onTimeout',
			type: 'options',
			default: 'output',
			displayOptions: show(WAITING),
			options: [
				{
					name: 'Output the Unfinished Task',
					value: 'output',
					description: 'The item says done: false and timedOut: true, with the task ID, so a Wait and IF loop can go on with Get',
				},
				{ name: 'Fail the Item', value: 'error', description: 'An error (or, under Continue On Fail, an error item)' },
			],
			description: `What a wait that ends before the ${what} is ready gives`,
		},
	];
}

/** The wait settings of one item; a Max Wait or Poll Interval that cannot be used names itself. */
export function readTaskWait(context: IExecuteFunctions, itemIndex: number): TaskWait {
	const enabled = context.getNodeParameter('waitForCompletion', itemIndex, true) !== false;
	if (!enabled) return { enabled, maxWaitMs: 0, pollIntervalMs: 0, timeoutIsError: false };
	const minutes = Number(context.getNodeParameter('maxWaitMinutes', itemIndex, DEFAULT_MAX_WAIT_MINUTES));
	const seconds = Number(context.getNodeParameter('pollIntervalSeconds', itemIndex, DEFAULT_POLL_INTERVAL_SECONDS));
	if (!(minutes > 0)) throw invalidParameter(context.getNode(), itemIndex, 'Max Wait (Minutes)', `must be above 0, got ${minutes}`);
	if (!(seconds > 0)) throw invalidParameter(context.getNode(), itemIndex, 'Poll Interval (Seconds)', `must be above 0, got ${seconds}`);
	return {
		enabled,
		maxWaitMs: Math.round(minutes * 60_000),
		pollIntervalMs: Math.round(seconds * 1000),
		timeoutIsError: context.getNodeParameter('onTimeout', itemIndex, 'output') === 'error',
	};
}

/**
 * A task (or clip) ID typed or mapped in: required, and, as it goes into a URL path, without
 * spaces or slashes. `hint` says where the ID comes from in this node's output.
 */
export function readTaskId(
	context: IExecuteFunctions,
	itemIndex: number,
	hint: string,
	name = 'taskId',
	field = 'Task ID',
): string {
	const id = readRequiredText(context, itemIndex, name, field, hint).trim();
	if (/[\s/?#]/.test(id)) throw invalidParameter(context.getNode(), itemIndex, field, `"${id}" is not an ID (it holds spaces or slashes)`);
	return id;
}

/** What a task node's item must say about its waiting. */
export interface TaskItemRequest {
	wait: TaskWait;
}

/** How a task node reads an item, starts its task and turns how it ended into output items. */
export interface TaskOperation<R extends TaskItemRequest> {
	/** Reads and validates one item. Every item is read before the first task is submitted. */
	read: (item: ItemScope) => R | Promise<R>;
	/** The routes and answer reader of the item's task. */
	kind: (request: R) => TaskKind<never>;
	/**
	 * Submits the task (its first snapshot), or names an existing one by id (a Get). Holds a
	 * request slot. Several tasks of one item (Midjourney's U1-U4 pressed together) come as a
	 * list: waited for side by side, put out in that order; one failing fails the item.
	 */
	start: (request: R, item: ItemScope) => Promise<TaskSnapshot | string | Array<TaskSnapshot | string>>;
	/**
	 * The item's output once its wait ended (done; unfinished; or not waited for): downloads here
	 * hold a request slot. A task that failed never gets here: it fails its item.
	 */
	output: (request: R, outcome: TaskOutcome, item: ItemScope) => Promise<INodeExecutionData[]>;
	hints?: OperationHints;
}

/** What a run's tasks share: the request slots and the one scheduler that polls them all. */
interface RunWaiting {
	slots: RequestSlots;
	scheduler: TaskScheduler;
}

// Keyed by the run's client: a run has its own (see runNode), so each run waits apart.
const waitingOfRun = new WeakMap<RelayClient, RunWaiting>();

function waitingOf({ client, settings }: ItemScope): RunWaiting {
	let waiting = waitingOfRun.get(client);
	if (!waiting) {
		const concurrency = settings.concurrency ?? 1;
		waiting = { slots: new RequestSlots(concurrency), scheduler: new TaskScheduler(client, { maxPollsInFlight: concurrency }) };
		waitingOfRun.set(client, waiting);
	}
	return waiting;
}

/**
 * A task node as the runner runs it: every item read and validated first; then the tasks
 * submitted, at most Max Concurrent Requests requests at a time (submits and downloads), and all
 * of them waited for side by side by one scheduler, which polls at most that many at a time, so
 * waiting holds no request slot and 50 tasks end about when the slowest does. Order, pairing,
 * cancel and Continue On Fail are the runner's: a failed task (the relay's reason) fails its item,
 * as does a wait that ends unfinished when On Timeout says so.
 */
export function taskOperation<R extends TaskItemRequest>(task: TaskOperation<R>): ItemOperation<R, TaskOutcome[]> {
	return {
		reading: 'allFirst',
		boundsItsOwnRequests: true,
		hints: task.hints,
		read: task.read,
		call: async (request, item) => {
			const { slots, scheduler } = waitingOf(item);
			const kind = task.kind(request);
			const started = await slots.use(item.signal, async () => await task.start(request, item));
			const { wait } = request;
			const options = { pollIntervalMs: wait.pollIntervalMs, maxWaitMs: wait.enabled ? wait.maxWaitMs : 0 };
			const outcomes = await waitForAll(scheduler, kind, Array.isArray(started) ? started : [started], options, item.signal);
			const unfinished = outcomes.find((outcome) => outcome.timedOut);
			if (unfinished && wait.timeoutIsError) throw taskTimeoutError(kind.name, unfinished);
			return outcomes;
		},
		toItems: async (outcomes, request, item) => {
			const items: INodeExecutionData[] = [];
			for (const outcome of outcomes) {
				const output = async () => await task.output(request, outcome, item);
				items.push(...(outcome.done ? await waitingOf(item).slots.use(item.signal, output) : await output()));
			}
			return items;
		},
	};
}

/** The tasks of one item, waited for side by side; the first to fail stops the others' waits. */
async function waitForAll(
	scheduler: TaskScheduler,
	kind: TaskKind<never>,
	tasks: Array<TaskSnapshot | string>,
	options: { pollIntervalMs: number; maxWaitMs: number },
	signal: AbortSignal,
): Promise<TaskOutcome[]> {
	if (tasks.length === 1) return [await scheduler.wait(kind, tasks[0], { ...options, signal })];
	const item = new AbortController();
	const stop = () => item.abort();
	if (signal.aborted) stop();
	signal.addEventListener('abort', stop, { once: true });
	try {
		return await Promise.all(
			tasks.map((task) => {
				const waiting = scheduler.wait(kind, task, { ...options, signal: item.signal });
				waiting.catch(stop);
				return waiting;
			}),
		);
	} finally {
		signal.removeEventListener('abort', stop);
	}
}

/** At most `size` requests at a time, first come first served; a waiter whose signal fires leaves the line. */
class RequestSlots {
	private free: number;

	private readonly line: Array<() => void> = [];

	constructor(size: number) {
		this.free = Math.max(1, Math.floor(size) || 1);
	}

	async use<T>(signal: AbortSignal, run: () => Promise<T>): Promise<T> {
		await this.take(signal);
		try {
			return await run();
		} finally {
			const next = this.line.shift();
			if (next) next();
			else this.free++;
		}
	}

	private take(signal: AbortSignal): Promise<void> {
		if (signal.aborted) return Promise.reject(new RelayAbortError());
		if (this.free > 0) {
			this.free--;
			return Promise.resolve();
		}
		return new Promise<void>((resolve, reject) => {
			const onAbort = () => {
				const index = this.line.indexOf(granted);
				if (index >= 0) this.line.splice(index, 1);
				reject(new RelayAbortError());
			};
			const granted = () => {
				signal.removeEventListener('abort', onAbort);
				resolve();
			};
			signal.addEventListener('abort', onAbort, { once: true });
			this.line.push(granted);
		});
	}
}
