import { startSandbox, type Sandbox } from '../../sandbox';
import { cosineSimilarity as cosine } from '../../harness/expectations';
import { post } from './http';

const EMBEDDINGS = '/v1/embeddings';

function byIndex(data: Array<{ index: number; embedding: number[] }>): number[][] {
	return [...data].sort((a, b) => a.index - b.index).map((entry) => entry.embedding);
}

describe('sandbox embeddings', () => {
	let sandbox: Sandbox;
	const embed = (body: Record<string, unknown>) => post(sandbox, EMBEDDINGS, body);

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.close());

	it('answers a string input with one unit vector of the model length, and usage', async () => {
		const reply = await embed({ model: 'text-embedding-3-small', input: 'red wool scarf' });
		expect(reply.status).toBe(200);
		expect(reply.json.object).toBe('list');
		expect(reply.json.model).toBe('text-embedding-3-small');
		expect(reply.json.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
		expect(reply.json.data).toHaveLength(1);
		const [entry] = reply.json.data;
		expect(entry.object).toBe('embedding');
		expect(entry.index).toBe(0);
		expect(entry.embedding).toHaveLength(1536);
		expect(Math.hypot(...entry.embedding)).toBeCloseTo(1, 7);
		expect(entry.embedding.every((value: number) => String(value).length <= 13)).toBe(true);
		const large = await embed({ model: 'text-embedding-3-large', input: 'x' });
		expect(large.json.data[0].embedding).toHaveLength(3072);
	});

	it('gives the same text the same vector and different texts different ones; shared words are closer', async () => {
		const texts = ['red wool scarf', 'red wool scarf', 'blue wool scarf', 'stainless steel kettle', 'scarf wool red'];
		const reply = await embed({ model: 'text-embedding-3-small', input: texts });
		const [a, again, near, far, shuffled] = byIndex(reply.json.data);
		expect(again).toEqual(a);
		expect(shuffled).not.toEqual(a);
		expect(cosine(a, near)).toBeGreaterThan(cosine(a, far) + 0.3);
		expect(cosine(a, shuffled)).toBeGreaterThan(0.8);
		expect(cosine(a, shuffled)).toBeLessThan(0.9999);
		const single = await embed({ model: 'text-embedding-3-small', input: 'red wool scarf' });
		expect(single.json.data[0].embedding).toEqual(a);
	});

	it('answers the vectors of an array out of order, each with its index', async () => {
		const texts = Array.from({ length: 8 }, (_, i) => `product ${i}`);
		const reply = await embed({ model: 'text-embedding-3-small', input: texts });
		const indexes = reply.json.data.map((entry: { index: number }) => entry.index);
		expect([...indexes].sort((x: number, y: number) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
		expect(indexes).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
		for (const entry of reply.json.data) {
			const alone = await embed({ model: 'text-embedding-3-small', input: texts[entry.index] });
			expect(alone.json.data[0].embedding).toEqual(entry.embedding);
		}
		const two = await embed({ model: 'text-embedding-3-small', input: ['a', 'b'] });
		expect(two.json.data.map((entry: { index: number }) => entry.index)).toEqual([1, 0]);
	});

	it('honours dimensions by cutting the full vector and normalising it again', async () => {
		const full = (await embed({ model: 'text-embedding-3-large', input: 'kettle' })).json.data[0].embedding as number[];
		const reply = await embed({ model: 'text-embedding-3-large', input: 'kettle', dimensions: 256 });
		const short = reply.json.data[0].embedding as number[];
		expect(short).toHaveLength(256);
		const norm = Math.hypot(...full.slice(0, 256));
		short.forEach((value, i) => expect(value).toBeCloseTo(full[i] / norm, 9));
	});

	it('encodes base64 as little-endian float32', async () => {
		const floats = (await embed({ model: 'text-embedding-3-small', input: ['a', 'b c'], dimensions: 8 })).json.data;
		const reply = await embed({ model: 'text-embedding-3-small', input: ['a', 'b c'], dimensions: 8, encoding_format: 'base64' });
		expect(reply.status).toBe(200);
		for (const entry of reply.json.data) {
			expect(typeof entry.embedding).toBe('string');
			const bytes = Buffer.from(entry.embedding, 'base64');
			expect(bytes).toHaveLength(32);
			const decoded = Array.from({ length: 8 }, (_, i) => bytes.readFloatLE(i * 4));
			const expected = floats.find((f: { index: number }) => f.index === entry.index).embedding as number[];
			decoded.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 6));
		}
	});

	it.each([
		[{ input: 'x' }, 'model'],
		[{ model: 'text-embedding-3-small' }, 'input'],
		[{ model: 'text-embedding-3-small', input: '' }, 'input'],
		[{ model: 'text-embedding-3-small', input: ['ok', ''] }, 'input'],
		[{ model: 'text-embedding-3-small', input: ['ok', 3, {}] }, 'input'],
		[{ model: 'text-embedding-3-small', input: [] }, 'input'],
		[{ model: 'text-embedding-3-small', input: Array.from({ length: 2049 }, () => 'x') }, 'input'],
		[{ model: 'text-embedding-3-small', input: 'x'.repeat(8192 * 4 + 4) }, 'input'],
		[{ model: 'text-embedding-3-small', input: 'x', dimensions: 0 }, 'dimensions'],
		[{ model: 'text-embedding-3-small', input: 'x', dimensions: 1537 }, 'dimensions'],
		[{ model: 'text-embedding-ada-002', input: 'x', dimensions: 64 }, 'dimensions'],
		[{ model: 'text-embedding-3-small', input: 'x', encoding_format: 'int8' }, 'encoding_format'],
	])('rejects %j naming %s', async (body, param) => {
		const reply = await embed(body);
		expect(reply.status).toBe(400);
		expect(reply.json.error.param).toBe(param);
		expect(reply.json.error.message).toMatch(/request id: /);
	});

	it('answers 503 for unavailable models and 401 without the key', async () => {
		expect((await embed({ model: 'unavailable-embed', input: 'x' })).status).toBe(503);
		const unauthorized = await post(sandbox, EMBEDDINGS, { model: 'text-embedding-3-small', input: 'x' }, { auth: 'Bearer sk-wrong' });
		expect(unauthorized.status).toBe(401);
	});

	it('records the request body', async () => {
		await embed({ model: 'text-embedding-3-small', input: ['one', 'two'], dimensions: 4 });
		expect(sandbox.lastRequest(EMBEDDINGS)!.body).toEqual({ model: 'text-embedding-3-small', input: ['one', 'two'], dimensions: 4 });
	});
});

describe('sandbox embeddings faults: index numbering', () => {
	let sandbox: Sandbox;
	const texts = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.close());

	async function indexesWith(fault: NonNullable<Parameters<Sandbox['fault']>[0]['embeddingIndexes']>) {
		const right = (await post(sandbox, EMBEDDINGS, { model: 'm', input: texts })).json.data as Array<{ index: number; embedding: number[] }>;
		sandbox.fault({ path: EMBEDDINGS, embeddingIndexes: fault });
		const reply = await post(sandbox, EMBEDDINGS, { model: 'm', input: texts });
		expect(reply.status).toBe(200);
		const data = reply.json.data as Array<{ index?: unknown; embedding: number[] }>;
		// Entries in input order, each vector its own text's (the `extra` one repeats the first).
		data.forEach((entry, i) => expect(entry.embedding).toEqual(right.find((r) => r.index === i % texts.length)!.embedding));
		return data.map((entry) => ('index' in entry ? entry.index : 'none'));
	}

	it.each([
		['duplicate', [0, 1, 2, 3, 0]],
		['per-sub-batch', [0, 1, 0, 1, 0]],
		['missing', [0, 'none', 2, 3, 4]],
		['none', ['none', 'none', 'none', 'none', 'none']],
		['string', ['0', '1', '2', '3', '4']],
		['fraction', [0, 1.5, 2, 3, 4]],
		['negative', [-1, 1, 2, 3, 4]],
		['one-based', [1, 2, 3, 4, 5]],
		['extra', [0, 1, 2, 3, 4, 5]],
		['drop-last', [0, 1, 2, 3]],
	] as const)('%s numbers the answer %j', async (fault, indexes) => {
		expect(await indexesWith(fault)).toEqual(indexes);
	});
});
