/**
 * runPerItem, the loop behind Chat, Image Generate, Image Edit and List Models, run by n8n-core
 * in a real workflow: a fixture node whose reads are logged and whose calls wait until the test
 * lets them answer, so what was read while a call was in flight is seen, not timed.
 */
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { runPerItem } from '../../nodes/shared/n8n/runner';
import { createHarness, singleNodeWorkflow } from '../support/workflow';

const events: string[] = [];
const pending = new Map<number, () => void>();
let changed: (() => void) | undefined;

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
	pending.get(itemIndex)!();
	pending.delete(itemIndex);
}

class GatedCalls implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Gated Calls',
		name: 'gatedCalls',
		group: ['transform'],
		version: 1,
		description: 'Reads each item, then waits for the test before answering',
		defaults: { name: 'Gated Calls' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Text', name: 'text', type: 'string', default: '' },
			{ displayName: 'Concurrency', name: 'concurrency', type: 'number', default: 1 },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runPerItem(
			this,
			{
				read: (itemIndex) => {
					const text = this.getNodeParameter('text', itemIndex) as string;
					log(`read ${itemIndex}`);
					if (text === 'bad') throw new NodeOperationError(this.getNode(), 'Text: is "bad"', { itemIndex });
					return text;
				},
				send: async (text, itemIndex) => {
					log(`send ${itemIndex}`);
					await new Promise<void>((resolve) => {
						pending.set(itemIndex, resolve);
						changed?.();
					});
					log(`done ${itemIndex}`);
					return [{ json: { text } }];
				},
			},
			this.getNodeParameter('concurrency', 0) as number,
		);
	}
}

const harness = createHarness({ nodeTypes: { 'test.gatedCalls': new GatedCalls() }, coreNodes: true });

function workflow(concurrency: number, continueOnFail = false) {
	return singleNodeWorkflow({
		type: 'test.gatedCalls',
		typeVersion: 1,
		parameters: { text: '={{ $json.text }}', concurrency },
		continueOnFail,
	});
}

const input = (...texts: string[]) => texts.map((text) => ({ json: { text } }));

beforeEach(() => {
	events.length = 0;
	pending.clear();
});

it('reads the next item while a call is in flight, in input order, and keeps the output in input order', async () => {
	const run = harness.run(workflow(1), { input: input('a', 'b', 'c') });
	await until(() => events.includes('read 1'));
	// Item 1 was read while item 0's call waited for its answer.
	expect(events).toEqual(['read 0', 'send 0', 'read 1']);
	await answer(0);
	await answer(1);
	await answer(2);
	const result = await run;
	expect(result.json('gatedCalls')).toEqual([{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
	expect(result.output('gatedCalls').map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	expect(events.filter((event) => event.startsWith('read'))).toEqual(['read 0', 'read 1', 'read 2']);
	// A call starts only when the one before it is done (concurrency 1).
	expect(events.indexOf('send 1')).toBeGreaterThan(events.indexOf('done 0'));
});

it('reads at most Max Concurrent Requests items ahead of the calls', async () => {
	const run = harness.run(workflow(2), { input: input('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h') });
	await until(() => pending.size === 2 && events.includes('read 3'));
	// Let any further read that was due happen before looking.
	await new Promise((resolve) => setTimeout(resolve, 50));
	expect(events.filter((event) => event.startsWith('read'))).toEqual(['read 0', 'read 1', 'read 2', 'read 3']);
	for (let itemIndex = 0; itemIndex < 8; itemIndex++) await answer(itemIndex);
	expect((await run).json('gatedCalls')).toHaveLength(8);
});

it('an item that fails its read fails the node with its index, and its call and the later ones are not made', async () => {
	const run = harness.run(workflow(1), { input: input('a', 'bad', 'c') });
	await answer(0);
	const result = await run;
	expect(result.error).toBeInstanceOf(NodeOperationError);
	expect(result.error?.message).toBe('Text: is "bad"');
	expect((result.error as NodeOperationError).context.itemIndex).toBe(1);
	expect(events).not.toContain('send 1');
	expect(events).not.toContain('send 2');
});

it('under Continue On Fail, an item that fails its read becomes its error item and the others are sent', async () => {
	const run = harness.run(workflow(1, true), { input: input('a', 'bad', 'c') });
	await answer(0);
	await answer(2);
	const result = await run;
	expect(result.json('gatedCalls')).toEqual([{ text: 'a' }, { error: 'Text: is "bad"' }, { text: 'c' }]);
	expect(events).not.toContain('send 1');
});
