import { setMaxListeners } from 'node:events';

import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { toNodeError, type NodeError } from './errors';

/** How the per-item runner reads an item and makes its call. */
export interface ItemSpec<T> {
	/**
	 * Reads and validates one item (parameters, expressions, binary data): a throw fails that item
	 * alone, before its call. Runs ahead of the calls, see runPerItem.
	 */
	read: (itemIndex: number, signal: AbortSignal) => T | Promise<T>;
	/** The item's call: its output items (pairedItem is filled in when left out). */
	send: (request: T, itemIndex: number, signal: AbortSignal) => Promise<INodeExecutionData[]>;
}

export const DEFAULT_CONCURRENCY = 5;

/**
 * One call that serves one or more input items: for each of `itemIndexes`, in that order, its
 * output items, or the error that failed that item alone. A throw fails every item of the unit.
 */
export interface WorkUnit {
	itemIndexes: number[];
	run: (signal: AbortSignal) => Promise<Array<INodeExecutionData[] | Error>>;
}

/** Lets pending I/O (answers that arrived, requests to write) run before the next read. */
const yieldToIo = async () => await new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs every input item, up to `concurrency` calls at once, and returns the node's single output
 * in input order, each item paired to its input. n8n's cancel signal aborts what is in flight. A
 * failing item fails the node (the others in flight are aborted, nothing more starts), or, under
 * Continue On Fail, becomes an error item while the rest go on.
 *
 * Items are read in input order, up to `concurrency` items ahead of the calls, one read per turn
 * of the event loop: in real n8n a read costs milliseconds of CPU (each expression is evaluated in
 * its isolate), and read while the calls in flight wait for the relay, the next item is ready
 * when a slot frees up instead of delaying every wave of answers by its reads.
 */
export async function runPerItem<T>(
	context: IExecuteFunctions,
	spec: ItemSpec<T>,
	concurrency = DEFAULT_CONCURRENCY,
): Promise<INodeExecutionData[][]> {
	const items = context.getInputData();
	const window = Math.max(1, Math.floor(concurrency) || 1);
	const reads: Array<Promise<T>> = [];
	let readChain: Promise<unknown> = Promise.resolve();
	const readUpTo = (last: number, signal: AbortSignal) => {
		for (let itemIndex = reads.length; itemIndex <= Math.min(last, items.length - 1); itemIndex++) {
			const read = readChain.then(async () => {
				if (signal.aborted) throw signal.reason;
				if (itemIndex > 0) await yieldToIo();
				return await spec.read(itemIndex, signal);
			});
			// Its unit awaits it; until then a failed read must not count as unhandled.
			read.catch(() => undefined);
			reads.push(read);
			readChain = read.catch(() => undefined);
		}
	};
	const units = items.map((_, itemIndex): WorkUnit => ({
		itemIndexes: [itemIndex],
		run: async (signal) => {
			readUpTo(itemIndex, signal);
			const request = await reads[itemIndex];
			readUpTo(itemIndex + window, signal);
			return [await spec.send(request, itemIndex, signal)];
		},
	}));
	const results: INodeExecutionData[][] = new Array(items.length);
	await runUnits(context, units, concurrency, results);
	return [results.flatMap((output) => output ?? [])];
}

/** How the batching runner reads, groups and sends the items of a node that takes many inputs a request. */
export interface BatchSpec<T> {
	/** Reads and validates one item, before anything is sent; a throw fails that item alone. */
	read: (itemIndex: number) => T | Promise<T>;
	/** Items share a request only when their keys are equal (same model, same options). */
	key: (request: T) => string;
	/** What an item takes of the per-request budget (e.g. its characters). */
	weight: (request: T) => number;
	/** At most this many items a request. */
	maxItems: number;
	/** At most this much weight a request; an item heavier than that alone goes alone. */
	maxWeight: number;
	/**
	 * One request for the batch: for each entry, in the order given, its output items or the error
	 * that fails that item alone. A throw fails the whole batch.
	 */
	send: (
		batch: Array<{ itemIndex: number; request: T }>,
		signal: AbortSignal,
	) => Promise<Array<INodeExecutionData[] | Error>>;
}

/**
 * Like runPerItem, for APIs that take many inputs in one request (embeddings): every item is read
 * and validated first, then the valid ones are grouped by key in input order and cut into batches
 * by count and weight, and up to `concurrency` batches are sent at once. Order, pairing, cancel
 * and Continue On Fail are runPerItem's: an invalid item fails alone (the node, before anything
 * is sent; or, under Continue On Fail, just its own error item while its batch goes without it),
 * and a failed request fails the items it carried.
 */
export async function runBatched<T>(
	context: IExecuteFunctions,
	spec: BatchSpec<T>,
	concurrency = DEFAULT_CONCURRENCY,
): Promise<INodeExecutionData[][]> {
	const results: INodeExecutionData[][] = new Array(context.getInputData().length);
	const groups = new Map<string, Array<{ itemIndex: number; request: T }>>();
	for (const entry of await readEveryItem(context, spec.read, results)) {
		const key = spec.key(entry.request);
		const group = groups.get(key) ?? [];
		group.push(entry);
		groups.set(key, group);
	}

	const maxItems = Math.max(1, Math.floor(spec.maxItems) || 1);
	const units: WorkUnit[] = [];
	for (const group of groups.values()) {
		let batch: typeof group = [];
		let weight = 0;
		const flush = () => {
			if (batch.length === 0) return;
			const entries = batch;
			units.push({ itemIndexes: entries.map((entry) => entry.itemIndex), run: async (signal) => await spec.send(entries, signal) });
			batch = [];
			weight = 0;
		};
		for (const entry of group) {
			const entryWeight = spec.weight(entry.request);
			if (batch.length >= maxItems || (batch.length > 0 && weight + entryWeight > spec.maxWeight)) flush();
			batch.push(entry);
			weight += entryWeight;
		}
		flush();
	}
	// Units run in the order of their first item, so the first outputs come first.
	units.sort((a, b) => a.itemIndexes[0] - b.itemIndexes[0]);
	await runUnits(context, units, concurrency, results);
	return [results.flatMap((output) => output ?? [])];
}

/**
 * Every item read and validated before anything is sent, in input order: the valid ones' requests.
 * A failed read fails the node, or, under Continue On Fail, becomes that item's error item in `results`.
 */
export async function readEveryItem<T>(
	context: IExecuteFunctions,
	read: (itemIndex: number) => T | Promise<T>,
	results: INodeExecutionData[][],
): Promise<Array<{ itemIndex: number; request: T }>> {
	const continueOnFail = context.continueOnFail();
	const valid: Array<{ itemIndex: number; request: T }> = [];
	for (let itemIndex = 0; itemIndex < results.length; itemIndex++) {
		try {
			valid.push({ itemIndex, request: await read(itemIndex) });
		} catch (caught) {
			const error = toNodeError(context.getNode(), caught, itemIndex);
			if (!continueOnFail) throw error;
			results[itemIndex] = [errorItem(error, itemIndex)];
		}
	}
	return valid;
}

/**
 * The one loop behind the runners: up to `concurrency` units at once, each unit's outputs stored
 * at its items' indexes and paired to them, n8n's cancel signal and the first failure aborting
 * what is in flight, Continue On Fail turning failures into error items.
 */
export async function runUnits(
	context: IExecuteFunctions,
	units: WorkUnit[],
	concurrency: number,
	results: INodeExecutionData[][],
): Promise<void> {
	const controller = new AbortController();
	// Every request in flight listens to it (the transport removes its listener when done): above
	// 10 at once Node would print a false "possible EventTarget memory leak" warning.
	setMaxListeners(0, controller.signal);
	const cancelSignal = context.getExecutionCancelSignal?.();
	const onCancel = () => controller.abort();
	if (cancelSignal?.aborted) controller.abort();
	cancelSignal?.addEventListener('abort', onCancel);

	const node = context.getNode();
	const continueOnFail = context.continueOnFail();
	let failure: NodeError | undefined;
	let next = 0;

	const fail = (caught: unknown, itemIndex: number) => {
		const error = toNodeError(node, caught, itemIndex);
		if (continueOnFail) {
			results[itemIndex] = [errorItem(error, itemIndex)];
		} else if (failure === undefined) {
			failure = error;
			controller.abort();
		}
	};

	const worker = async () => {
		while (failure === undefined && !controller.signal.aborted && next < units.length) {
			const unit = units[next++];
			try {
				const outputs = await unit.run(controller.signal);
				unit.itemIndexes.forEach((itemIndex, position) => {
					const output = outputs[position];
					if (output instanceof Error) return fail(output, itemIndex);
					results[itemIndex] = (output ?? []).map((item) => ({
						...item,
						pairedItem: item.pairedItem ?? { item: itemIndex },
					}));
				});
			} catch (caught) {
				// Units we aborted because another one failed are not failures of their own.
				if (failure !== undefined) continue;
				for (const itemIndex of unit.itemIndexes) fail(caught, itemIndex);
			}
		}
	};

	try {
		const workers = Math.max(1, Math.min(Math.floor(concurrency) || 1, units.length));
		await Promise.all(Array.from({ length: workers }, worker));
	} finally {
		cancelSignal?.removeEventListener('abort', onCancel);
	}
	if (failure !== undefined) throw failure;
}

/** The item n8n users expect from a failed item under Continue On Fail. */
export function errorItem(error: NodeError, itemIndex: number): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	const httpCode = 'httpCode' in error ? error.httpCode : null;
	if (httpCode) json.httpCode = httpCode;
	return { json, pairedItem: { item: itemIndex } };
}
