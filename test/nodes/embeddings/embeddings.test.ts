/**
 * DeerAPI Embeddings as real n8n workflows against the sandbox: the batches the relay received,
 * the vectors each item got back (matched by index though the sandbox shuffles them), options,
 * Continue On Fail, errors and cancel.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DeerApiEmbeddings } from '../../../nodes/DeerApiEmbeddings/DeerApiEmbeddings.node';
import { everythingVisible, model } from '../image/helpers';
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
			[42, 'Text: must be a string, got a number (42)'],
			[{ a: 1 }, 'Text: must be a string, got an object'],
			[null, 'Text: must be a string, got null'],
		])('%j fails the node before anything is sent, naming the item', async (bad, message) => {
			const result = await run({ text: TEXT }, { input: items(['fine', bad, 'also fine']) });
			expect(result.status).toBe('error');
			expect(result.error!.message).toBe(message);
			expect((result.error as unknown as { context: { itemIndex: number } }).context.itemIndex).toBe(1);
			expect(requests()).toHaveLength(0);
		});

		test('under Continue On Fail only the invalid items fail; the batch goes for the others', async () => {
			const texts = ['first', '', 'third', 7, 'fifth'];
			const result = await run({ text: TEXT }, { input: items(texts), continueOnFail: true });
			expect(result.status).toBe('success');
			expect(requests()).toHaveLength(1);
			expect(requests()[0].body.input).toEqual(['first', 'third', 'fifth']);
			const output = result.output(NODE);
			expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
			expect(output[1].json).toEqual({ error: 'Text: is empty', description: expect.stringContaining('Item 1 has no text') });
			expect(output[3].json.error).toBe('Text: must be a string, got a number (7)');
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
