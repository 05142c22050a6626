/**
 * DeerAPI Embeddings as real n8n workflows against the sandbox: the batches the relay received,
 * the vectors each item got back (matched by index though the sandbox shuffles them), options,
 * Continue On Fail, errors and cancel.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DeerApiEmbeddings } from '../../../nodes/DeerApiEmbeddings/DeerApiEmbeddings.node';
import { everythingVisible, model } from '../image-generate/helpers';
import { useRelayNode } from '../relay-node';

const EMBEDDINGS = '/v1/embeddings';
const NODE = 'Embed';
const API_KEY = 'sk-embeddings-node-test-7e3a9b';
const { ctx, run } = useRelayNode({
	nodeType: 'n8n-nodes-deerapi-relay.deerApiEmbeddings',
	node: new DeerApiEmbeddings(),
	nodeName: NODE,
	apiKey: API_KEY,
});

const TEXT = '={{ $json.text }}';
const items = (texts: unknown[]): INodeExecutionData[] => texts.map((text) => ({ json: { text } as IDataObject }));
const products = (n: number) => Array.from({ length: n }, (_, i) => `Product ${i}: a ${i % 2 ? 'wool scarf' : 'steel kettle'}`);

/** What the sandbox gives a text on its own: the reference each output item must equal. */
async function vectorOf(text: string, extra: Record<string, unknown> = {}): Promise<number[]> {
	const response = await fetch(`${ctx.sandbox.url}/v1/embeddings`, {
		method: 'POST',
		headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'text-embedding-3-small', input: text, ...extra }),
	});
	const json = (await response.json()) as { data: Array<{ embedding: number[] }> };
	return json.data[0].embedding;
}

const requests = () => ctx.sandbox.requests.filter((request) => request.path === EMBEDDINGS);

describe('DeerAPI Embeddings', () => {
	test('one request for all items; each item gets its own vector back by index, paired to its input', async () => {
		const texts = products(5);
		const result = await run({ text: TEXT }, { input: items(texts) });

		const sent = requests();
		expect(sent).toHaveLength(1);
		expect(sent[0].body).toEqual({ model: 'text-embedding-3-small', input: texts });
		expect(sent[0].headers.authorization).toBe(`Bearer ${API_KEY}`);
		const answerOrder = JSON.parse(await (await fetch(`${ctx.sandbox.url}/v1/embeddings`, {
			method: 'POST',
			headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
			body: JSON.stringify(sent[0].body),
		})).text()).data.map((entry: { index: number }) => entry.index);
		expect(answerOrder).not.toEqual([0, 1, 2, 3, 4]);

		const output = result.output(NODE);
		expect(output).toHaveLength(5);
		for (const [i, item] of output.entries()) {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json.text).toBe(texts[i]);
			expect(item.json.embedding).toEqual(await vectorOf(texts[i]));
			expect(item.json.dimensions).toBe(1536);
			expect(item.json.model).toBe('text-embedding-3-small');
		}
		expect(output[0].json.usage).toEqual({ prompt_tokens: expect.any(Number), total_tokens: expect.any(Number) });
		expect(output.slice(1).map((item) => item.json.usage)).toEqual([undefined, undefined, undefined, undefined]);
		expect(Object.keys(output[1].json).sort()).toEqual(['dimensions', 'embedding', 'model', 'text']);
		expect(everythingVisible(result)).not.toContain(API_KEY);
	});

	test('Batch Size cuts the items into requests in input order; usage on the first item of each', async () => {
		const texts = products(7);
		const result = await run({ text: TEXT, options: { batchSize: 3 } }, { input: items(texts) });
		expect(requests().map((request) => request.body.input).sort((a, b) => texts.indexOf(a[0]) - texts.indexOf(b[0]))).toEqual([
			texts.slice(0, 3),
			texts.slice(3, 6),
			texts.slice(6),
		]);
		const output = result.output(NODE);
		expect(output.map((item) => item.json.text)).toEqual(texts);
		expect(output.map((item) => item.json.usage !== undefined)).toEqual([true, false, false, true, false, false, true]);
		expect(output[6].json.embedding).toEqual(await vectorOf(texts[6]));
	});

	test('Max Characters per Request cuts a batch before the budget; a longer text goes alone', async () => {
		const texts = ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(30), 'd'.repeat(150), 'e'.repeat(10)];
		const result = await run({ text: TEXT, options: { maxCharacters: 100 } }, { input: items(texts) });
		const batches = requests().map((request) => request.body.input as string[]);
		expect(batches.map((batch) => batch.map((text) => text[0]).join('')).sort()).toEqual(['ab', 'c', 'd', 'e'].sort());
		// c (30) would pass 100 after a + b (80); d (150) alone is over the budget and still goes.
		expect(result.output(NODE).map((item) => (item.json.text as string)[0])).toEqual(['a', 'b', 'c', 'd', 'e']);
	});

	test('1,000 items make 10 requests at the default batch size', async () => {
		const texts = Array.from({ length: 1000 }, (_, i) => `item ${i}`);
		const result = await run({ text: TEXT, options: { dimensions: 8 } }, { input: items(texts) });
		expect(requests()).toHaveLength(10);
		expect(requests().every((request) => request.body.input.length === 100)).toBe(true);
		const output = result.output(NODE);
		expect(output).toHaveLength(1000);
		expect(output[999].json.text).toBe('item 999');
		expect(output[999].json.embedding).toEqual(await vectorOf('item 999', { dimensions: 8 }));
		expect(output[999].pairedItem).toEqual({ item: 999 });
	});

	test('Dimensions and base64 encoding: sent as set, decoded to the same numbers as float', async () => {
		const texts = ['red scarf', 'blue kettle'];
		const result = await run(
			{ model: model('text-embedding-3-large'), text: TEXT, options: { dimensions: 64, encodingFormat: 'base64' } },
			{ input: items(texts) },
		);
		expect(requests()[0].body).toEqual({ model: 'text-embedding-3-large', input: texts, dimensions: 64, encoding_format: 'base64' });
		const output = result.output(NODE);
		for (const [i, item] of output.entries()) {
			expect(item.json.dimensions).toBe(64);
			const float = await vectorOf(texts[i], { model: 'text-embedding-3-large', dimensions: 64 });
			(item.json.embedding as number[]).forEach((value, k) => expect(value).toBeCloseTo(float[k], 6));
		}
	});

	test('items whose options differ go in separate requests (a model per item by expression)', async () => {
		const input = [
			{ json: { text: 'one', model: 'text-embedding-3-small' } },
			{ json: { text: 'two', model: 'text-embedding-3-large' } },
			{ json: { text: 'three', model: 'text-embedding-3-small' } },
		];
		const result = await run({ model: model('={{ $json.model }}'), text: TEXT }, { input });
		const bodies = requests().map((request) => request.body);
		expect(bodies).toHaveLength(2);
		expect(bodies).toEqual(
			expect.arrayContaining([
				{ model: 'text-embedding-3-small', input: ['one', 'three'] },
				{ model: 'text-embedding-3-large', input: ['two'] },
			]),
		);
		expect(result.output(NODE).map((item) => [item.json.text, item.json.dimensions])).toEqual([
			['one', 1536],
			['two', 3072],
			['three', 1536],
		]);
	});

	test('Extra Body Fields are merged into every request; "input" in them is refused', async () => {
		await run({ text: TEXT, options: { extraBody: '{"user": "shop-42"}' } }, { input: items(['x']) });
		expect(requests()[0].body).toEqual({ model: 'text-embedding-3-small', input: ['x'], user: 'shop-42' });
		ctx.sandbox.clearRequests();
		const refused = await run({ text: TEXT, options: { extraBody: '{"input": ["y"]}' } }, { input: items(['x']) });
		expect(refused.error!.message).toBe('Extra Body Fields: "input" is set by the node from Text');
		expect(requests()).toHaveLength(0);
	});

	describe('invalid items', () => {
		test.each([
			['', 'Text: is empty'],
			['   ', 'Text: is empty'],
			[null, 'Text: is empty'],
		])('%j fails the node before anything is sent, naming the item', async (bad, message) => {
			const result = await run({ text: TEXT }, { input: items(['fine', bad, 'also fine']) });
			expect(result.status).toBe('error');
			expect(result.error!.message).toBe(message);
			expect((result.error as unknown as { context: { itemIndex: number } }).context.itemIndex).toBe(1);
			expect(requests()).toHaveLength(0);
		});

		test('under Continue On Fail only the invalid items fail; the batch goes for the others', async () => {
			const texts = ['first', '', 'third', null, 'fifth'];
			const result = await run({ text: TEXT }, { input: items(texts), continueOnFail: true });
			expect(result.status).toBe('success');
			expect(requests()).toHaveLength(1);
			expect(requests()[0].body.input).toEqual(['first', 'third', 'fifth']);
			const output = result.output(NODE);
			expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
			expect(output[1].json).toEqual({ error: 'Text: is empty', description: expect.stringContaining('Item 1 has no text') });
			expect(output[3].json.error).toBe('Text: is empty');
			expect(output[4].json.embedding).toEqual(await vectorOf('fifth'));
			expect(output[0].json.usage).toBeDefined();
		});
	});

	describe('relay errors', () => {
		test('a failing request fails the node with the relay status and message', async () => {
			const result = await run({ model: model('unavailable-embedder'), text: TEXT }, { input: items(['a', 'b']) });
			expect(result.status).toBe('error');
			expect(result.error!.message).toMatch(/无可用渠道/);
			expect((result.error as { httpCode?: string }).httpCode).toBe('503');
		});

		test('under Continue On Fail a failed request fails just the items it carried', async () => {
			ctx.sandbox.fault({ path: EMBEDDINGS, status: 400, body: { error: { message: 'bad batch', type: 'invalid_request_error' } } });
			const result = await run(
				{ text: TEXT, options: { batchSize: 2, maxConcurrency: 1 } },
				{ input: items(['a', 'b', 'c', 'd']), continueOnFail: true },
			);
			const output = result.output(NODE);
			expect(output.map((item) => item.json.error ?? item.json.text)).toEqual([
				expect.stringContaining('bad batch'),
				expect.stringContaining('bad batch'),
				'c',
				'd',
			]);
			expect(output[0].json.httpCode).toBe('400');
			expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		});

		test('a 429 is retried with the same batch', async () => {
			ctx.sandbox.fault({ path: EMBEDDINGS, status: 429, headers: { 'retry-after-ms': '10' } });
			const result = await run({ text: TEXT }, { input: items(['a', 'b']) });
			expect(requests()).toHaveLength(2);
			expect(requests()[1].body).toEqual(requests()[0].body);
			expect(result.output(NODE)).toHaveLength(2);
		});

		test('an answer missing a vector fails that item alone under Continue On Fail', async () => {
			ctx.sandbox.fault({
				path: EMBEDDINGS,
				status: 200,
				body: { object: 'list', model: 'text-embedding-3-small', data: [{ object: 'embedding', index: 1, embedding: [0.5, 0.5] }] },
			});
			const result = await run({ text: TEXT }, { input: items(['a', 'b']), continueOnFail: true });
			const output = result.output(NODE);
			expect(output[0].json.error).toBe("The relay's answer has no vector for this item (input 0 of 2 in its request)");
			expect(output[0].json).toMatchObject({ httpCode: '200', description: expect.stringMatching(/^The answer held 1 vectors for 2 texts\. Try a lower Batch Size\. Request ID: /) });
			expect(output[1].json).toMatchObject({ embedding: [0.5, 0.5], dimensions: 2, text: 'b' });
		});

		test('cancelling the execution aborts the requests in flight', async () => {
			ctx.sandbox.fault({ path: EMBEDDINGS, latencyMs: 5000, times: 5 });
			const controller = new AbortController();
			const started = Date.now();
			setTimeout(() => controller.abort(), 200);
			const result = await run(
				{ text: TEXT, options: { batchSize: 2 } },
				{ input: items(['a', 'b', 'c', 'd']), run: { signal: controller.signal } },
			);
			expect(result.status).toBe('canceled');
			expect(Date.now() - started).toBeLessThan(3000);
			expect(result.nodes[NODE]?.items ?? []).toHaveLength(0);
		});
	});
});

describe('answers whose numbering is in doubt place no vector', () => {
	const texts = ['red wool scarf', 'steel kettle', 'oak table', 'linen shirt', 'glass vase'];
	const MATCH = "The relay's embeddings answer cannot be matched to the texts sent: ";
	type IndexFault = NonNullable<Parameters<typeof ctx.sandbox.fault>[0]['embeddingIndexes']>;

	test.each<[IndexFault, string]>([
		['duplicate', 'index 0 is given to embeddings 1 and 5 of the answer'],
		['per-sub-batch', 'index 0 is given to embeddings 1 and 3 of the answer'],
		['missing', 'embedding 2 of the answer has no "index"'],
		['none', 'none of its 5 embeddings has an "index"'],
		['string', 'embedding 1 of the answer has "index": "0", not a number'],
		['fraction', 'embedding 2 of the answer has "index": 1.5, not a whole number'],
		['negative', 'embedding 1 of the answer has "index": -1, outside 0 to 4 (the request sent 5 texts)'],
		['one-based', 'embedding 5 of the answer has "index": 5, outside 0 to 4 (the request sent 5 texts)'],
		['extra', 'it holds 6 embeddings for the 5 texts sent'],
	])('%s: every item of the request fails, naming the index problem', async (fault, problem) => {
		ctx.sandbox.fault({ path: EMBEDDINGS, embeddingIndexes: fault });
		const result = await run({ text: TEXT }, { input: items(texts), continueOnFail: true });
		const output = result.output(NODE);
		expect(output).toHaveLength(5);
		for (const [i, item] of output.entries()) {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json.embedding).toBeUndefined();
			expect(item.json.error).toBe(MATCH + problem);
			expect(item.json.description).toMatch(/^None of the \d embeddings of this answer was used/);
		}
	});

	test('without Continue On Fail the node fails with that message', async () => {
		ctx.sandbox.fault({ path: EMBEDDINGS, embeddingIndexes: 'per-sub-batch' });
		const result = await run({ text: TEXT }, { input: items(texts) });
		expect(result.status).toBe('error');
		expect(result.error!.message).toBe(`${MATCH}index 0 is given to embeddings 1 and 3 of the answer`);
		expect((result.error as { description?: string }).description).toBe(
			'None of the 5 embeddings of this answer was used: with their numbering in doubt, any of them may belong to another of the 5 texts sent. ' +
				'Relays that split a request into parts and number each part from 0 answer this way: a Batch Size at or below the relay\'s own limit avoids it. ' +
				`Request ID: ${(result.error as { httpCode?: string; description?: string }).description?.match(/Request ID: (\S+) /)?.[1]} (quote it to the relay's support).`,
		);
		expect((result.error as { httpCode?: string }).httpCode).toBe('200');
	});

	test('under Continue On Fail only the items of the doubtful answer fail; the other requests go on', async () => {
		ctx.sandbox.fault({ path: EMBEDDINGS, embeddingIndexes: 'duplicate' });
		const result = await run(
			{ text: TEXT, options: { batchSize: 2, maxConcurrency: 1 } },
			{ input: items(texts), continueOnFail: true },
		);
		expect(requests()).toHaveLength(3);
		const output = result.output(NODE);
		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		expect(output[0].json.error).toBe(`${MATCH}index 0 is given to embeddings 1 and 2 of the answer`);
		expect(output[1].json.error).toBe(output[0].json.error);
		for (const i of [2, 3, 4]) expect(output[i].json.embedding).toEqual(await vectorOf(texts[i]));
	});

	test('fewer entries, each rightly numbered: the items they name get their vectors, the others fail alone', async () => {
		ctx.sandbox.fault({ path: EMBEDDINGS, embeddingIndexes: 'drop-last' });
		const result = await run({ text: TEXT }, { input: items(texts), continueOnFail: true });
		const output = result.output(NODE);
		for (const i of [0, 1, 2, 3]) expect(output[i].json.embedding).toEqual(await vectorOf(texts[i]));
		expect(output[4].json.error).toBe("The relay's answer has no vector for this item (input 4 of 5 in its request)");
	});

	test('a request of one text takes the one vector whatever its index says (Batch Size 1 for relays without "index")', async () => {
		ctx.sandbox.fault({ path: EMBEDDINGS, embeddingIndexes: 'none', times: 3 });
		const result = await run({ text: TEXT, options: { batchSize: 1 } }, { input: items(texts.slice(0, 3)) });
		const output = result.output(NODE);
		for (const i of [0, 1, 2]) expect(output[i].json.embedding).toEqual(await vectorOf(texts[i]));
		ctx.sandbox.fault({ path: EMBEDDINGS, embeddingIndexes: 'extra' });
		const extra = await run({ text: TEXT }, { input: items(texts.slice(0, 1)) });
		expect(extra.error!.message).toBe(`${MATCH}it holds 2 embeddings for the 1 text sent`);
	});
});

describe('odd relay answers', () => {
	test.each([
		[{}, 'The embeddings answer has no "data" array: it sent {}'],
		[{ success: false, message: '该令牌已过期 token expired' }, 'The relay answered 200 with an error: 该令牌已过期 token expired'],
		[{ object: 'list', data: [{ index: 0 }] }, 'Embedding 1 of the answer has no "embedding" list: it sent {"data":[{"index":0}]}'],
	])('a 200 with %j is an error the user can read', async (body, message) => {
		ctx.sandbox.fault({ path: EMBEDDINGS, status: 200, body });
		const result = await run({ text: TEXT }, { input: items(['a']) });
		expect(result.status).toBe('error');
		expect(result.error!.message).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
	});
});
