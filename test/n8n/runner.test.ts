/**
 * runNode, the one runner every node goes through, run by n8n-core in a real workflow: fixture
 * nodes whose reads and calls are logged, and whose calls wait until the test lets them answer,
 * so what was read while a call was in flight, and in what order answers came, is seen, not timed.
 */
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { DeerApiRelayApi } from '../../credentials/DeerApiRelayApi.credentials';
import { runNode, type BatchOperation, type ItemOperation, type NodeOperation } from '../../nodes/shared/n8n/runner';
import { createHarness, singleNodeWorkflow } from '../../harness/workflow';
import { countParameterReads, type ParameterReads } from '../nodes/parameter-reads';

const events: string[] = [];
const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
const aborted: number[] = [];
let changed: (() => void) | undefined;
let reads: ParameterReads | undefined;

function log(event: string) {
	events.push(event);
	changed?.();
}

/** Resolves once `predicate` holds for the events so far (the test fails by jest's timeout otherwise). */
async function until(predicate: () => boolean): Promise<void> {
	while (!predicate()) await new Promise<void>((resolve) => (changed = resolve));
}

async function answer(itemIndex: number): Promise<void> {
	await until(() => pending.has(itemIndex));
	pending.get(itemIndex)!.resolve();
	pending.delete(itemIndex);
}

async function reject(itemIndex: number, message: string): Promise<void> {
	await until(() => pending.has(itemIndex));
	pending.get(itemIndex)!.reject(new Error(message));
	pending.delete(itemIndex);
}

/** A call that waits for the test; aborting it (cancel, or another item failing the node) is logged. */
async function gatedCall(itemIndex: number, signal: AbortSignal): Promise<void> {
	log(`send ${itemIndex}`);
	await new Promise<void>((resolve, reject) => {
		pending.set(itemIndex, { resolve, reject });
		signal.addEventListener('abort', () => {
			aborted.push(itemIndex);
			reject(new Error(`item ${itemIndex} aborted`));
		});
		changed?.();
	});
	log(`done ${itemIndex}`);
}

const properties: INodeTypeDescription['properties'] = [
	{ displayName: 'Text', name: 'text', type: 'string', default: '' },
	{ displayName: 'Group', name: 'group', type: 'string', default: '' },
	{ displayName: 'Concurrency', name: 'concurrency', type: 'number', default: 1 },
	{ displayName: 'Read All First', name: 'readAllFirst', type: 'boolean', default: false },
];

function fixture<Request, Answer>(name: string, operation: (context: IExecuteFunctions) => NodeOperation<Request, Answer>): INodeType {
	return {
		description: {
			displayName: name,
			name,
			group: ['transform'],
			version: 1,
			description: 'A runner fixture',
			defaults: { name },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			// The runner makes one client per run from it; the fixtures never call the relay.
			credentials: [{ name: 'deerApiRelayApi', required: true }],
			properties,
		},
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const context = reads?.count(this) ?? this;
			return await runNode(context, operation(context));
		},
	};
}

function readText({ context, itemIndex }: { context: IExecuteFunctions; itemIndex: number }): string {
	const text = context.getNodeParameter('text', itemIndex) as string;
	log(`read ${itemIndex}`);
	if (text === 'bad') throw new NodeOperationError(context.getNode(), 'Text: is "bad"', { itemIndex });
	return text;
}

/** One call per item; "fail" fails the call, "empty" answers no items, "error" is an unusable answer. */
const gatedCalls = fixture('gatedCalls', (context): ItemOperation<string, string> => ({
	concurrency: context.getNodeParameter('concurrency', 0) as number,
	reading: context.getNodeParameter('readAllFirst', 0) ? 'allFirst' : 'ahead',
	read: readText,
	call: async (text, { itemIndex, signal }) => {
		await gatedCall(itemIndex, signal);
		if (text === 'fail') throw new Error(`the call for item ${itemIndex} failed`);
		return text;
	},
	toItems: (text) => (text === 'empty' ? [] : [{ json: { text } }]),
}));

/** Items batched by Group, two at most a request; "missing" gets no answer of its own. */
const batchedCalls = fixture('batchedCalls', (context): BatchOperation<IDataObject, string[]> => ({
	concurrency: context.getNodeParameter('concurrency', 0) as number,
	read: ({ context, itemIndex }) => ({ text: readText({ context, itemIndex }), group: context.getNodeParameter('group', itemIndex) as string }),
	batching: () => ({ key: (request) => String(request.group), weight: () => 1, maxItems: 2, maxWeight: 10 }),
	call: async (batch, { signal }) => {
		const first = batch[0].itemIndex;
		log(`batch ${batch.map((entry) => entry.itemIndex).join('+')}`);
		await gatedCall(first, signal);
		return batch.map((entry) => String(entry.request.text));
	},
	toItems: (texts, batch) =>
		texts.map((text, position) =>
			text === 'missing' ? new Error(`no answer for item ${batch[position].itemIndex}`) : [{ json: { text, group: batch[position].request.group } }],
		),
}));

const harness = createHarness({
	nodeTypes: { 'test.gatedCalls': gatedCalls, 'test.batchedCalls': batchedCalls },
	credentialTypes: [new DeerApiRelayApi()],
	coreNodes: true,
});

function workflow(parameters: IDataObject, continueOnFail = false, type = 'test.gatedCalls') {
	return singleNodeWorkflow({ type, typeVersion: 1, parameters: { text: '={{ $json.text }}', ...parameters }, continueOnFail });
}

const run = (wf: ReturnType<typeof workflow>, items: INodeExecutionData[], signal?: AbortSignal) =>
	harness.run(wf, { input: items, credentials: { deerApiRelayApi: { apiKey: 'sk-runner-test', baseUrl: 'http://127.0.0.1:9' } }, signal });

const input = (...texts: string[]) => texts.map((text) => ({ json: { text } }));

beforeEach(() => {
	events.length = 0;
	aborted.length = 0;
	pending.clear();
	reads = undefined;
});

describe('reading ahead (the default)', () => {
	it('reads the next item while a call is in flight, in input order, and keeps the output in input order', async () => {
		const result = run(workflow({ concurrency: 1 }), input('a', 'b', 'c'));
		await until(() => events.includes('read 1'));
		// Item 1 was read while item 0's call waited for its answer.
		expect(events).toEqual(['read 0', 'send 0', 'read 1']);
		await answer(0);
		await answer(1);
		await answer(2);
		const done = await result;
		expect(done.json('gatedCalls')).toEqual([{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
		expect(done.output('gatedCalls').map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(events.filter((event) => event.startsWith('read'))).toEqual(['read 0', 'read 1', 'read 2']);
		// A call starts only when the one before it is done (concurrency 1).
		expect(events.indexOf('send 1')).toBeGreaterThan(events.indexOf('done 0'));
	});

	it('reads at most Max Concurrent Requests items ahead of the calls', async () => {
		const result = run(workflow({ concurrency: 2 }), input('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'));
		await until(() => pending.size === 2 && events.includes('read 3'));
		// Let any further read that was due happen before looking.
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(events.filter((event) => event.startsWith('read'))).toEqual(['read 0', 'read 1', 'read 2', 'read 3']);
		for (let itemIndex = 0; itemIndex < 8; itemIndex++) await answer(itemIndex);
		expect((await result).json('gatedCalls')).toHaveLength(8);
	});

	it('an item that fails its read fails the node with its index, and its call and the later ones are not made', async () => {
		const result = run(workflow({ concurrency: 1 }), input('a', 'bad', 'c'));
		await answer(0);
		const done = await result;
		expect(done.error).toBeInstanceOf(NodeOperationError);
		expect(done.error?.message).toBe('Text: is "bad"');
		expect((done.error as NodeOperationError).context.itemIndex).toBe(1);
		expect(events).not.toContain('send 1');
		expect(events).not.toContain('send 2');
	});

	it('under Continue On Fail, an item that fails its read becomes its error item and the others are sent', async () => {
		const result = run(workflow({ concurrency: 1 }, true), input('a', 'bad', 'c'));
		await answer(0);
		await answer(2);
		const done = await result;
		expect(done.json('gatedCalls')).toEqual([{ text: 'a' }, { error: 'Text: is "bad"' }, { text: 'c' }]);
		expect(events).not.toContain('send 1');
	});
});

describe('calls at once', () => {
	it('answers in any order: the output follows input order, each item paired to its input, an item with no output leaves no gap', async () => {
		const result = run(workflow({ concurrency: 3 }), input('a', 'empty', 'c', 'd'));
		await until(() => pending.size === 3);
		await answer(2);
		await answer(1);
		await answer(3);
		await answer(0);
		const done = await result;
		expect(done.output('gatedCalls').map((item) => [item.json.text, item.pairedItem])).toEqual([
			['a', { item: 0 }],
			['c', { item: 2 }],
			['d', { item: 3 }],
		]);
	});

	it('a failing call fails the node with its index through the error mapper; the calls in flight are aborted, nothing more starts', async () => {
		const result = run(workflow({ concurrency: 2 }), input('a', 'fail', 'c', 'd'));
		await until(() => pending.size === 2);
		await answer(1);
		const done = await result;
		expect(done.error).toBeInstanceOf(NodeOperationError);
		expect(done.error?.message).toBe('the call for item 1 failed');
		expect((done.error as NodeOperationError).context.itemIndex).toBe(1);
		expect(aborted).toContain(0);
		expect(events).not.toContain('send 2');
		expect(events).not.toContain('send 3');
	});

	it('under Continue On Fail, a failing call becomes its error item in its place and the others go on', async () => {
		const result = run(workflow({ concurrency: 2 }, true), input('a', 'fail', 'c'));
		await answer(1);
		await answer(0);
		await answer(2);
		const done = await result;
		expect(done.output('gatedCalls').map((item) => [item.json.text ?? item.json.error, item.pairedItem])).toEqual([
			['a', { item: 0 }],
			['the call for item 1 failed', { item: 1 }],
			['c', { item: 2 }],
		]);
		expect(aborted).toEqual([]);
	});

	it("n8n's cancel aborts the calls in flight and starts no more", async () => {
		const controller = new AbortController();
		const result = run(workflow({ concurrency: 2 }), input('a', 'b', 'c'), controller.signal);
		await until(() => pending.size === 2);
		controller.abort();
		const done = await result;
		expect(done.status).toBe('canceled');
		expect(aborted.sort()).toEqual([0, 1]);
		expect(events).not.toContain('send 2');
	});
});

describe('reading every item first', () => {
	it('reads and validates every item before the first call', async () => {
		const result = run(workflow({ concurrency: 1, readAllFirst: true }), input('a', 'b', 'c'));
		await answer(0);
		await answer(1);
		await answer(2);
		expect((await result).json('gatedCalls')).toEqual([{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
		expect(events.slice(0, 4)).toEqual(['read 0', 'read 1', 'read 2', 'send 0']);
	});

	it('an invalid item fails the node before anything is sent; under Continue On Fail it fails alone', async () => {
		const failed = await run(workflow({ concurrency: 1, readAllFirst: true }), input('a', 'bad', 'c'));
		expect(failed.error?.message).toBe('Text: is "bad"');
		expect((failed.error as NodeOperationError).context.itemIndex).toBe(1);
		expect(events.filter((event) => event.startsWith('send'))).toEqual([]);

		events.length = 0;
		const result = run(workflow({ concurrency: 1, readAllFirst: true }, true), input('a', 'bad', 'c'));
		await answer(0);
		await answer(2);
		const done = await result;
		expect(done.output('gatedCalls').map((item) => [item.json.text ?? item.json.error, item.pairedItem])).toEqual([
			['a', { item: 0 }],
			['Text: is "bad"', { item: 1 }],
			['c', { item: 2 }],
		]);
		expect(events.filter((event) => event.startsWith('send'))).toEqual(['send 0', 'send 2']);
	});
});

describe('batches', () => {
	const grouped = (...entries: Array<[string, string]>) => entries.map(([text, group]) => ({ json: { text, group } }));
	const batchWorkflow = (continueOnFail = false) => workflow({ concurrency: 1, group: '={{ $json.group }}' }, continueOnFail, 'test.batchedCalls');

	it('groups items by key in input order, cuts batches by count, and pairs every output to its input', async () => {
		const result = run(batchWorkflow(), grouped(['a', 'x'], ['b', 'y'], ['c', 'x'], ['d', 'x'], ['e', 'y']));
		await answer(0);
		await answer(1);
		await answer(3);
		const done = await result;
		expect(events.filter((event) => event.startsWith('batch'))).toEqual(['batch 0+2', 'batch 1+4', 'batch 3']);
		expect(done.output('batchedCalls').map((item) => [item.json.text, item.pairedItem])).toEqual(
			['a', 'b', 'c', 'd', 'e'].map((text, item) => [text, { item }]),
		);
	});

	it('under Continue On Fail, an invalid item and an entry without an answer fail alone; their batches go on', async () => {
		const result = run(batchWorkflow(true), grouped(['a', 'x'], ['bad', 'x'], ['missing', 'x'], ['d', 'x']));
		await answer(0);
		await answer(3);
		const done = await result;
		expect(events.filter((event) => event.startsWith('batch'))).toEqual(['batch 0+2', 'batch 3']);
		expect(done.output('batchedCalls').map((item) => [item.json.text ?? item.json.error, item.pairedItem])).toEqual([
			['a', { item: 0 }],
			['Text: is "bad"', { item: 1 }],
			['no answer for item 2', { item: 2 }],
			['d', { item: 3 }],
		]);
	});

	it('a failed request fails the items it carried', async () => {
		const result = run(batchWorkflow(true), grouped(['a', 'x'], ['b', 'x'], ['c', 'y']));
		await reject(0, 'the relay broke');
		await answer(2);
		const done = await result;
		expect(done.output('batchedCalls').map((item) => [item.json.text ?? item.json.error, item.pairedItem])).toEqual([
			['the relay broke', { item: 0 }],
			['the relay broke', { item: 1 }],
			['c', { item: 2 }],
		]);
	});
});

describe('parameters', () => {
	it('reads a parameter without an expression once per run, one with an expression once per item', async () => {
		for (const [text, textReads] of [['={{ $json.text }}', 4], ['fixed', 1]] as const) {
			reads = countParameterReads();
			const result = run(workflow({ concurrency: 2, text }), input('a', 'b', 'c', 'd'));
			for (let itemIndex = 0; itemIndex < 4; itemIndex++) await answer(itemIndex);
			expect((await result).output('gatedCalls')).toHaveLength(4);
			expect(reads.byName()).toEqual({ options: 1, concurrency: 1, readAllFirst: 1, text: textReads });
		}
	});
});
