import { startSandbox, type Sandbox } from '../../sandbox';
import { call, get, post } from './http';

const REQUEST_ID = /^\d{14}\d{9}[A-Za-z0-9]{8}$/;

describe('sandbox routing, auth and model list', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.close());
	beforeEach(() => {
		sandbox.clearRequests();
		sandbox.clearFaults();
	});

	it('listens on loopback with the default key', () => {
		expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(sandbox.apiKey).toBe('sk-sandbox');
	});

	it('lists models in new-api shape, some without supported_endpoint_types', async () => {
		const reply = await get(sandbox, '/v1/models');
		expect(reply.status).toBe(200);
		expect(reply.json.object).toBe('list');
		expect(reply.json.success).toBe(true);
		const models: any[] = reply.json.data;
		expect(models.length).toBeGreaterThanOrEqual(55);
		const ids = models.map((m) => m.id);
		for (const id of [
			'gpt-4o',
			'gpt-5',
			'claude-sonnet-4-20250514',
			'gemini-2.5-flash',
			'deepseek-reasoner',
			'doubao-1-5-pro-32k-250115',
			'gpt-4o-image',
			'gemini-2.5-flash-image-preview',
			'gpt-image-1',
			'dall-e-3',
			'doubao-seedream-4-5-251128',
			'flux-schnell',
			'mj_imagine',
			'text-embedding-3-small',
			'whisper-1',
			'sora-2',
			'omni-moderation-latest',
		]) {
			expect(ids).toContain(id);
		}
		expect(new Set(ids).size).toBe(ids.length);
		for (const m of models) {
			expect(m.object).toBe('model');
			expect(typeof m.owned_by).toBe('string');
		}
		const withTypes = models.filter((m) => Array.isArray(m.supported_endpoint_types));
		expect(withTypes.length).toBeGreaterThan(models.length / 2);
		expect(withTypes.length).toBeLessThan(models.length);
		expect(models.find((m) => m.id === 'gpt-image-1').supported_endpoint_types).toEqual(['image-generation']);
		expect(models.find((m) => m.id === 'text-embedding-3-small').supported_endpoint_types).toEqual(['embeddings']);
		expect(models.some((m) => m.created === 0)).toBe(true);
		expect(models.some((m) => m.created === undefined)).toBe(true);
	});

	it('accepts the bare key form of Authorization', async () => {
		const reply = await get(sandbox, '/v1/models', { auth: sandbox.apiKey });
		expect(reply.status).toBe(200);
		expect(reply.json.data.length).toBeGreaterThan(0);
	});

	it.each([
		['no header', false],
		['a wrong key', 'Bearer sk-wrong'],
		['a wrong bare key', 'sk-wrong'],
	] as const)('answers 401 in new-api form for %s', async (_name, auth) => {
		const reply = await get(sandbox, '/v1/models', { auth });
		expect(reply.status).toBe(401);
		expect(reply.json.error).toEqual({
			message: expect.stringMatching(/^无效的令牌 \(request id: \d{14}\d{9}[A-Za-z0-9]{8}\)$/),
			type: 'new_api_error',
			param: '',
			code: 'invalid_api_key',
		});
		expect(sandbox.requests).toHaveLength(1);
	});

	it('puts a request id header on every /v1 answer, matching the one in error messages', async () => {
		const ok = await get(sandbox, '/v1/models');
		expect(ok.headers['x-oneapi-request-id']).toMatch(REQUEST_ID);
		const denied = await get(sandbox, '/v1/models', { auth: false });
		const id = denied.headers['x-oneapi-request-id'];
		expect(id).toMatch(REQUEST_ID);
		expect(denied.json.error.message).toContain(`(request id: ${id})`);
		expect(id).not.toBe(ok.headers['x-oneapi-request-id']);
	});

	it('serves /v1 routes under any path prefix and records the full path', async () => {
		const reply = await post(sandbox, '/openai/v1/chat/completions?debug=1', {
			model: 'gpt-4o',
			messages: [{ role: 'user', content: 'hello' }],
		});
		expect(reply.status).toBe(200);
		expect(reply.json.choices[0].message.content).toBe('Sandbox reply to: hello');
		const recorded = sandbox.lastRequest('/v1/chat/completions')!;
		expect(recorded.path).toBe('/openai/v1/chat/completions');
		expect(recorded.query).toEqual({ debug: '1' });
		expect(recorded.method).toBe('POST');
		expect(recorded.headers.authorization).toBe('Bearer sk-sandbox');
		expect(recorded.body.model).toBe('gpt-4o');
		expect(JSON.parse(recorded.rawBody.toString())).toEqual(recorded.body);
		expect(recorded.receivedAt).toBeLessThanOrEqual(Date.now());
	});

	it.each([
		['POST', '/chat/completions'],
		['GET', '/v1/chat/completions'],
		['POST', '/v1/moderations'],
		['GET', '/'],
	])('answers 404 Invalid URL for %s %s, before auth', async (method, path) => {
		const reply = await call(sandbox, method, path, { auth: false, body: method === 'POST' ? {} : undefined });
		expect(reply.status).toBe(404);
		expect(reply.json).toEqual({
			error: { message: `Invalid URL (${method} ${path})`, type: 'invalid_request_error', param: '', code: '' },
		});
	});

	it('rejects malformed and empty JSON bodies with 400', async () => {
		const malformed = await call(sandbox, 'POST', '/v1/chat/completions', { rawBody: '{"model": "gpt-4o",' });
		expect(malformed.status).toBe(400);
		expect(malformed.json.error.message).toMatch(/invalid JSON/);
		expect(sandbox.lastRequest()!.body).toBeUndefined();
		expect(sandbox.lastRequest()!.rawBody.toString()).toBe('{"model": "gpt-4o",');
		const empty = await call(sandbox, 'POST', '/v1/images/generations', {});
		expect(empty.status).toBe(400);
		expect(empty.json.error.message).toMatch(/empty request body/);
	});

	it('requires a model', async () => {
		const reply = await post(sandbox, '/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }] });
		expect(reply.status).toBe(400);
		expect(reply.json.error.message).toMatch(/model/);
		expect(reply.json.error.param).toBe('model');
	});

	it('answers any model id, except unavailable-* which has no channel (503)', async () => {
		const any = await post(sandbox, '/v1/chat/completions', {
			model: 'my-private-finetune-7b',
			messages: [{ role: 'user', content: 'x' }],
		});
		expect(any.status).toBe(200);
		expect(any.json.model).toBe('my-private-finetune-7b');
		const missing = await post(sandbox, '/v1/chat/completions', {
			model: 'unavailable-gpt-9',
			messages: [{ role: 'user', content: 'x' }],
		});
		expect(missing.status).toBe(503);
		expect(missing.json.error).toMatchObject({
			message: expect.stringMatching(/^当前分组 default 下对于模型 unavailable-gpt-9 无可用渠道 \(request id: \w+\)$/),
			type: 'new_api_error',
			code: 'model_not_found',
		});
	});

	it('gzips large JSON answers only for clients that ask', async () => {
		const plain = await get(sandbox, '/v1/models');
		expect(plain.headers['content-encoding']).toBeUndefined();
		const zipped = await get(sandbox, '/v1/models', { headers: { 'accept-encoding': 'gzip, deflate' } });
		expect(zipped.headers['content-encoding']).toBe('gzip');
		expect(zipped.json).toEqual(plain.json);
	});

	it('replaces the model list with setModels, including an empty one', async () => {
		const other = await startSandbox({ models: [{ id: 'only-one', owned_by: 'custom' }], apiKey: 'sk-other' });
		try {
			const first = await get(other, '/v1/models', { auth: 'Bearer sk-other' });
			expect(first.json.data).toEqual([{ id: 'only-one', owned_by: 'custom' }]);
			other.setModels([]);
			const empty = await get(other, '/v1/models', { auth: 'Bearer sk-other' });
			expect(empty.status).toBe(200);
			expect(empty.json).toEqual({ object: 'list', success: true, data: [] });
		} finally {
			await other.close();
		}
	});

	it('records requests in order and can forget them', async () => {
		await get(sandbox, '/v1/models');
		await get(sandbox, '/files/sample.png');
		await post(sandbox, '/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: 'a' }] });
		expect(sandbox.requests.map((r) => r.path)).toEqual(['/v1/models', '/files/sample.png', '/v1/chat/completions']);
		expect(sandbox.lastRequest()!.path).toBe('/v1/chat/completions');
		expect(sandbox.lastRequest('/v1/models')!.method).toBe('GET');
		expect(sandbox.lastRequest('/v1/images/generations')).toBeUndefined();
		sandbox.clearRequests();
		expect(sandbox.requests).toHaveLength(0);
	});

	it('adds latency to /v1 answers only', async () => {
		sandbox.setLatency(300);
		try {
			let started = Date.now();
			await get(sandbox, '/v1/models');
			expect(Date.now() - started).toBeGreaterThanOrEqual(290);
			started = Date.now();
			await get(sandbox, '/files/sample.png');
			expect(Date.now() - started).toBeLessThan(250);
		} finally {
			sandbox.setLatency(0);
		}
	});
});
