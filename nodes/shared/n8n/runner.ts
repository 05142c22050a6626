import { setMaxListeners } from 'node:events';

import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { RelayClient } from '../transport';
import { clientPerCredential, runClient } from './client';
import { toNodeError, type NodeError, type RunSettings } from './errors';
import { withFixedParametersReadOnce } from './fixed-parameters';
import { answersStreamingCaller } from './streaming';

/**
 * The one way a node runs its input items. A node supplies what is its own, as an operation: how
 * to read and validate one item, the call, and how an answer becomes items. The runner owns the
 * rest: fixed parameters read once per run and expressions per item, one client per run, reading
 * every item before its call, up to Max Concurrent Requests calls at once, output in input order
 * and paired to its input, n8n's cancel signal, Continue On Fail, and the one error mapper.
 */

const DEFAULT_CONCURRENCY = 5;

export const maxConcurrencyOption: INodeProperties = {
	displayName: 'Max Concurrent Requests',
	name: 'maxConcurrency',
	type: 'number',
	default: DEFAULT_CONCURRENCY,
	typeOptions: { minValue: 1, maxValue: 100 },
	description:
		'How many input items are sent to the relay at once. Output order always follows input order. 1 sends them one at a time.',
};

/** Max Concurrent Requests from a node's Options collection. */
function readConcurrency(options: IDataObject): number {
	const value = options.maxConcurrency;
	return typeof value === 'number' && value >= 1 ? Math.floor(value) : DEFAULT_CONCURRENCY;
}

/** What a node's functions get for the run. */
export interface RunScope {
	/**
	 * n8n's context: a parameter without an expression is read once per run and shared by every
	 * item (do not mutate it), one with an expression is resolved for each item.
	 */
	readonly context: IExecuteFunctions;
	readonly client: RelayClient;
	/** Aborted when the execution is cancelled, or when an item fails the node. */
	readonly signal: AbortSignal;
	/** What the run's error hints may name; for a node that maps an error itself (Chat, for its stream). */
	readonly settings: RunSettings;
}

/** What a node's error hints may name beyond what the runner knows (its concurrency, streaming). */
export type OperationHints = Omit<RunSettings, 'concurrency' | 'streaming'>;

/** What a node's functions get for one input item. */
export interface ItemScope extends RunScope {
	readonly itemIndex: number;
}

/** A node that sends one request for each input item. */
export interface ItemOperation<Request, Answer> {
	/**
	 * Reads and validates one item (parameters, expressions, binary data) into its request; nothing
	 * is sent. A throw fails that item alone, before its call.
	 */
	read: (item: ItemScope) => Request | Promise<Request>;
	/** The item's call to the relay. */
	call: (request: Request, item: ItemScope) => Promise<Answer>;
	/** The answer as the item's output items; pairedItem is filled in when left out. */
	toItems: (answer: Answer, request: Request, item: ItemScope) => INodeExecutionData[] | Promise<INodeExecutionData[]>;
	/**
	 * 'ahead' (the default): items are read in input order, up to the concurrency ahead of the
	 * calls. 'allFirst': every item is read before the first call, so an invalid item fails the
	 * node before anything is sent.
	 */
	reading?: 'ahead' | 'allFirst';
	/** Calls at once; default the node's Max Concurrent Requests option. */
	concurrency?: number;
	/**
	 * Read the credential for each item (it may hold an expression); items with the same credential
	 * share a client. Default: one client for the run, from item 0's credential.
	 */
	credentialPerItem?: boolean;
	/**
	 * The operation bounds its own requests (the task nodes: a submit or a download holds one of
	 * Max Concurrent Requests, a wait holds none): every item's call starts at once, and the run's
	 * concurrency is for the operation to apply (`settings.concurrency`).
	 */
	boundsItsOwnRequests?: boolean;
	hints?: OperationHints;
}

/** An input item read into its request, in a batch. */
export interface BatchEntry<Request> {
	itemIndex: number;
	request: Request;
}

/** How the items of a batching node share requests. */
export interface Batching<Request> {
	/** Items share a request only when their keys are equal (same model, same options). */
	key: (request: Request) => string;
	/** What an item takes of the per-request budget (e.g. its characters). */
	weight: (request: Request) => number;
	/** At most this many items a request. */
	maxItems: number;
	/** At most this much weight a request; an item heavier than that goes alone. */
	maxWeight: number;
}

/**
 * A node whose API takes many inputs in one request (embeddings): every item is read first, the
 * valid ones grouped by key in input order and cut into batches by count and weight. A failed
 * request fails the items it carried.
 */
export interface BatchOperation<Request, Answer> {
	read: (item: ItemScope) => Request | Promise<Request>;
	/** Read once for the run, before any item (from item 0's parameters); a throw fails the run. */
	batching: (context: IExecuteFunctions) => Batching<Request>;
	call: (batch: Array<BatchEntry<Request>>, run: RunScope) => Promise<Answer>;
	/** For each entry, in the order given, its output items or the error that fails that item alone. */
	toItems: (
		answer: Answer,
		batch: Array<BatchEntry<Request>>,
		run: RunScope,
	) => Array<INodeExecutionData[] | Error> | Promise<Array<INodeExecutionData[] | Error>>;
	concurrency?: number;
	hints?: OperationHints;
}

export type NodeOperation<Request, Answer> = ItemOperation<Request, Answer> | BatchOperation<Request, Answer>;

/**
 * Runs a node's input items through `operation` and returns its single output. A failing item
 * fails the node (the calls in flight are aborted, nothing more starts), or, under Continue On
 * Fail, becomes an error item while the rest go on. Timeout, Max Retries and Max Concurrent
 * Requests shape the run: they are read from item 0's Options.
 */
export async function runNode<Request, Answer>(
	context: IExecuteFunctions,
	operation: NodeOperation<Request, Answer>,
): Promise<INodeExecutionData[][]> {
	const itemCount = context.getInputData().length;
	if (itemCount === 0) return [[]];
	const parameters = withFixedParametersReadOnce(context);
	const options = parameters.getNodeParameter('options', 0, {}) as IDataObject;
	const concurrency = operation.concurrency ?? readConcurrency(options);
	const settings: RunSettings = { ...operation.hints, concurrency, streaming: answersStreamingCaller(context) };
	const clientOf =
		'batching' in operation || !operation.credentialPerItem
			? sameClient(await runClient(parameters, options))
			: clientPerCredential(parameters, options);

	const run = new Run(parameters, itemCount, settings);
	try {
		if ('batching' in operation) await runBatches(run, operation, await clientOf(0), concurrency);
		else await runItems(run, operation, clientOf, concurrency);
	} finally {
		run.close();
	}
	if (run.failure !== undefined) throw run.failure;
	return [run.output()];
}

/**
 * The work that serves one or more input items: for each of `itemIndexes`, in that order, its
 * output items, or the error that failed that item alone. A throw fails every item of the unit.
 */
interface WorkUnit {
	itemIndexes: number[];
	run: () => Promise<Array<INodeExecutionData[] | Error>>;
}

const sameClient = (client: RelayClient) => async () => client;

/** Lets pending I/O (answers that arrived, requests to write) run before the next read. */
const yieldToIo = async () => await new Promise<void>((resolve) => setImmediate(resolve));

async function runItems<Request, Answer>(
	run: Run,
	operation: ItemOperation<Request, Answer>,
	clientOf: (itemIndex: number) => Promise<RelayClient>,
	concurrency: number,
): Promise<void> {
	const read = async (itemIndex: number) => {
		const item: ItemScope = { context: run.context, client: await clientOf(itemIndex), itemIndex, signal: run.signal, settings: run.settings };
		return { item, request: await operation.read(item) };
	};
	const send = async ({ item, request }: { item: ItemScope; request: Request }) => [
		await operation.toItems(await operation.call(request, item), request, item),
	];

	if (operation.reading === 'allFirst') {
		const entries = await readAll(run, read);
		const units = entries.map(({ itemIndex, request }): WorkUnit => ({ itemIndexes: [itemIndex], run: async () => await send(request) }));
		return await run.work(units, operation.boundsItsOwnRequests ? units.length : concurrency);
	}
	const reads = readAhead(run, read, concurrency);
	const units = Array.from({ length: run.itemCount }, (_, itemIndex): WorkUnit => ({
		itemIndexes: [itemIndex],
		run: async () => await send(await reads.get(itemIndex)),
	}));
	await run.work(units, operation.boundsItsOwnRequests ? units.length : concurrency);
}

async function runBatches<Request, Answer>(
	run: Run,
	operation: BatchOperation<Request, Answer>,
	client: RelayClient,
	concurrency: number,
): Promise<void> {
	const batching = operation.batching(run.context);
	const scope: RunScope = { context: run.context, client, signal: run.signal, settings: run.settings };
	const entries = await readAll(run, async (itemIndex) => await operation.read({ ...scope, itemIndex }));

	const groups = new Map<string, Array<BatchEntry<Request>>>();
	for (const entry of entries) {
		const key = batching.key(entry.request);
		const group = groups.get(key) ?? [];
		group.push(entry);
		groups.set(key, group);
	}
	const maxItems = Math.max(1, Math.floor(batching.maxItems) || 1);
	const units: WorkUnit[] = [];
	for (const group of groups.values()) {
		let batch: typeof group = [];
		let weight = 0;
		const flush = () => {
			if (batch.length === 0) return;
			const carried = batch;
			units.push({
				itemIndexes: carried.map((entry) => entry.itemIndex),
				run: async () => await operation.toItems(await operation.call(carried, scope), carried, scope),
			});
			batch = [];
			weight = 0;
		};
		for (const entry of group) {
			const entryWeight = batching.weight(entry.request);
			if (batch.length >= maxItems || (batch.length > 0 && weight + entryWeight > batching.maxWeight)) flush();
			batch.push(entry);
			weight += entryWeight;
		}
		flush();
	}
	// Units run in the order of their first item, so the first outputs come first.
	units.sort((a, b) => a.itemIndexes[0] - b.itemIndexes[0]);
	await run.work(units, concurrency);
}

/**
 * Every item read before the first call, in input order: the valid ones. An invalid item fails
 * the node before anything is sent, or, under Continue On Fail, becomes its error item.
 */
async function readAll<T>(run: Run, read: (itemIndex: number) => Promise<T>): Promise<Array<{ itemIndex: number; request: T }>> {
	const entries: Array<{ itemIndex: number; request: T }> = [];
	for (let itemIndex = 0; itemIndex < run.itemCount && !run.stopped; itemIndex++) {
		try {
			entries.push({ itemIndex, request: await read(itemIndex) });
		} catch (caught) {
			run.fail(caught, itemIndex);
		}
	}
	return entries;
}

/**
 * Items read in input order, up to `window` items ahead of the calls, one read per turn of the
 * event loop: in real n8n a read costs milliseconds of CPU (each expression is evaluated in its
 * isolate), and read while the calls in flight wait for the relay, the next item is ready when a
 * slot frees up instead of delaying every wave of answers by its reads.
 */
function readAhead<T>(run: Run, read: (itemIndex: number) => Promise<T>, concurrency: number): { get: (itemIndex: number) => Promise<T> } {
	const window = Math.max(1, Math.floor(concurrency) || 1);
	const reads: Array<Promise<T>> = [];
	let chain: Promise<unknown> = Promise.resolve();
	const readUpTo = (last: number) => {
		for (let itemIndex = reads.length; itemIndex <= Math.min(last, run.itemCount - 1); itemIndex++) {
			const next = chain.then(async () => {
				if (run.signal.aborted) throw run.signal.reason;
				if (itemIndex > 0) await yieldToIo();
				return await read(itemIndex);
			});
			// Its unit awaits it; until then a failed read must not count as unhandled.
			next.catch(() => undefined);
			reads.push(next);
			chain = next.catch(() => undefined);
		}
	};
	return {
		get: async (itemIndex) => {
			readUpTo(itemIndex);
			const request = await reads[itemIndex];
			readUpTo(itemIndex + window);
			return request;
		},
	};
}

/**
 * One node run: its abort signal (n8n's cancel, or the first failure), every item's outputs or
 * error item at its index, and the loop that runs the work units.
 */
class Run {
	readonly itemCount: number;

	failure: NodeError | undefined;

	private readonly controller = new AbortController();

	private readonly results: INodeExecutionData[][];

	private readonly continueOnFail: boolean;

	private readonly cancelSignal: AbortSignal | undefined;

	private readonly onCancel = () => this.controller.abort();

	constructor(
		readonly context: IExecuteFunctions,
		itemCount: number,
		readonly settings: RunSettings,
	) {
		this.itemCount = itemCount;
		this.results = new Array<INodeExecutionData[]>(itemCount);
		this.continueOnFail = context.continueOnFail();
		// Every request in flight listens to it (the transport removes its listener when done): above
		// 10 at once Node would print a false "possible EventTarget memory leak" warning.
		setMaxListeners(0, this.controller.signal);
		this.cancelSignal = context.getExecutionCancelSignal?.();
		if (this.cancelSignal?.aborted) this.controller.abort();
		this.cancelSignal?.addEventListener('abort', this.onCancel);
	}

	get signal(): AbortSignal {
		return this.controller.signal;
	}

	/** Nothing more starts: an item failed the node, or the execution was cancelled. */
	get stopped(): boolean {
		return this.failure !== undefined || this.controller.signal.aborted;
	}

	/** The node's output: every item's outputs in input order. */
	output(): INodeExecutionData[] {
		return this.results.flatMap((output) => output ?? []);
	}

	close(): void {
		this.cancelSignal?.removeEventListener('abort', this.onCancel);
	}

	/**
	 * A failed item, through the one error mapper: its error item under Continue On Fail, or the
	 * node's failure (the first one), which aborts what is in flight.
	 */
	fail(caught: unknown, itemIndex: number): void {
		const error = toNodeError(this.context.getNode(), caught, itemIndex, this.settings);
		if (this.continueOnFail) {
			this.results[itemIndex] = [errorItem(error, itemIndex)];
		} else if (this.failure === undefined) {
			this.failure = error;
			this.controller.abort();
		}
	}

	/** A unit's outcome, stored at its items' indexes: each item's outputs paired to it, or its error. */
	settle(unit: WorkUnit, outcome: Promise<Array<INodeExecutionData[] | Error>>): Promise<void> {
		return outcome.then(
			(outputs) =>
				unit.itemIndexes.forEach((itemIndex, position) => {
					const output = outputs[position];
					if (output instanceof Error) return this.fail(output, itemIndex);
					this.results[itemIndex] = (output ?? []).map((item) => ({
						...item,
						pairedItem: item.pairedItem ?? { item: itemIndex },
					}));
				}),
			(caught: unknown) => {
				// Units aborted because another one failed are not failures of their own.
				if (this.failure !== undefined) return;
				for (const itemIndex of unit.itemIndexes) this.fail(caught, itemIndex);
			},
		);
	}

	/** Runs the units in order, up to `concurrency` at once, until all are done or the run stopped. */
	async work(units: WorkUnit[], concurrency: number): Promise<void> {
		let next = 0;
		const worker = async () => {
			while (!this.stopped && next < units.length) {
				const unit = units[next++];
				await this.settle(unit, unit.run());
			}
		};
		const workers = Math.max(1, Math.min(Math.floor(concurrency) || 1, units.length));
		await Promise.all(Array.from({ length: workers }, worker));
	}
}

/** The item n8n users expect from a failed item under Continue On Fail. */
function errorItem(error: NodeError, itemIndex: number): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	const httpCode = 'httpCode' in error ? error.httpCode : null;
	if (httpCode) json.httpCode = httpCode;
	return { json, pairedItem: { item: itemIndex } };
}
