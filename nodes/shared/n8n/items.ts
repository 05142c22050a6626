import { setMaxListeners } from 'node:events';

import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { toNodeError, type NodeError } from './errors';

/** Work for one input item: its output items (pairedItem is filled in when left out). */
export type ItemHandler = (itemIndex: number, signal: AbortSignal) => Promise<INodeExecutionData[]>;

export const DEFAULT_CONCURRENCY = 5;

/**
 * Runs `handler` for every input item, up to `concurrency` at once, and returns the node's single
 * output in input order, each item paired to its input. n8n's cancel signal aborts what is in
 * flight. A failing item fails the node (the others in flight are aborted, nothing more starts),
 * or, under Continue On Fail, becomes an error item while the rest go on.
 */
export async function runPerItem(
	context: IExecuteFunctions,
	handler: ItemHandler,
	concurrency = DEFAULT_CONCURRENCY,
): Promise<INodeExecutionData[][]> {
	const items = context.getInputData();
	const results: INodeExecutionData[][] = new Array(items.length);
	const controller = new AbortController();
	// Every request in flight listens to it (the transport removes its listener when done): above
	// 10 at once Node would print a false "possible EventTarget memory leak" warning.
	setMaxListeners(0, controller.signal);
	const cancelSignal = context.getExecutionCancelSignal?.();
	const onCancel = () => controller.abort();
	if (cancelSignal?.aborted) controller.abort();
	cancelSignal?.addEventListener('abort', onCancel);

	const continueOnFail = context.continueOnFail();
	let failure: { itemIndex: number; error: NodeError } | undefined;
	let next = 0;

	const worker = async () => {
		while (failure === undefined && !controller.signal.aborted && next < items.length) {
			const itemIndex = next++;
			try {
				const output = await handler(itemIndex, controller.signal);
				results[itemIndex] = output.map((item) => ({
					...item,
					pairedItem: item.pairedItem ?? { item: itemIndex },
				}));
			} catch (caught) {
				// Items we aborted because another one failed are not failures of their own.
				if (failure !== undefined) continue;
				const error = toNodeError(context.getNode(), caught, itemIndex);
				if (continueOnFail) {
					results[itemIndex] = [errorItem(error, itemIndex)];
				} else {
					failure = { itemIndex, error };
					controller.abort();
				}
			}
		}
	};

	try {
		const workers = Math.max(1, Math.min(Math.floor(concurrency) || 1, items.length));
		await Promise.all(Array.from({ length: workers }, worker));
	} finally {
		cancelSignal?.removeEventListener('abort', onCancel);
	}
	if (failure !== undefined) throw failure.error;
	return [results.flatMap((output) => output ?? [])];
}

/** The item n8n users expect from a failed item under Continue On Fail. */
export function errorItem(error: NodeError, itemIndex: number): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	const httpCode = 'httpCode' in error ? error.httpCode : null;
	if (httpCode) json.httpCode = httpCode;
	return { json, pairedItem: { item: itemIndex } };
}
