import { startSandbox, type Sandbox } from '../../sandbox';
import { assembled, call, get, post, stream } from './http';

const CHAT = '/v1/chat/completions';
const chatBody = { model: 'gpt-4o', messages: [{ role: 'user', content: 'a reply long enough to need several chunks' }] };
const streamBody = { ...chatBody, stream: true };

describe('sandbox faults', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.close());
	beforeEach(() => {
		sandbox.clearFaults();
		sandbox.clearRequests();
	});

	it('answers a status with a relay-style error body by default, once', async () => {
		sandbox.fault({ path: CHAT, status: 429 });
		const limited = await post(sandbox, CHAT, chatBody);
		expect(limited.status).toBe(429);
		expect(limited.json.error).toMatchObject({ type: 'new_api_error', code: 'rate_limit_exceeded' });
		expect(limited.json.error.message).toMatch(/\(request id: \w+\)$/);
		expect(limited.headers['x-oneapi-request-id']).toBeDefined();
		const next = await post(sandbox, CHAT, chatBody);
		expect(next.status).toBe(200);
	});

	it('answers a given body (object as JSON, string as is) and headers', async () => {
		sandbox.fault({ path: CHAT, status: 503, body: { error: { message: 'upstream busy', type: 'x' } }, headers: { 'retry-after': '1' } });
		sandbox.fault({ path: CHAT, status: 500, body: 'plain failure', headers: { 'retry-after-ms': '50' } });
		const first = await post(sandbox, CHAT, chatBody);
		expect(first.status).toBe(503);
		expect(first.json).toEqual({ error: { message: 'upstream busy', type: 'x' } });
		expect(first.headers['retry-after']).toBe('1');
		const second = await post(sandbox, CHAT, chatBody);
		expect(second.status).toBe(500);
		expect(second.text).toBe('plain failure');
		expect(second.headers['content-type']).toMatch(/^text\/plain/);
		expect(second.headers['retry-after-ms']).toBe('50');
	});

	it('applies to `times` matching requests, in registration order', async () => {
		sandbox.fault({ path: CHAT, status: 502, times: 2 });
		sandbox.fault({ path: CHAT, status: 504 });
		const statuses = [];
		for (let i = 0; i < 4; i++) statuses.push((await post(sandbox, CHAT, chatBody)).status);
		expect(statuses).toEqual([502, 502, 504, 200]);
	});

	it('matches on path, method, prefix-stripped path and RegExp', async () => {
		sandbox.fault({ path: '/v1/models', status: 500 });
		sandbox.fault({ path: /^\/openai\//, method: 'post', status: 418 });
		expect((await post(sandbox, CHAT, chatBody)).status).toBe(200);
		expect((await get(sandbox, '/openai/v1/models')).status).toBe(500);
		expect((await get(sandbox, '/openai/v1/models')).status).toBe(200);
		expect((await post(sandbox, '/openai/v1/chat/completions', chatBody)).status).toBe(418);
		sandbox.fault({ status: 400 });
		expect((await get(sandbox, '/files/sample.png')).status).toBe(400);
	});

	it('clearFaults removes pending faults', async () => {
		sandbox.fault({ path: CHAT, status: 500, times: 5 });
		sandbox.clearFaults();
		expect((await post(sandbox, CHAT, chatBody)).status).toBe(200);
	});

	it('answers an HTML error page like a proxy', async () => {
		sandbox.fault({ path: CHAT, status: 502, html: true });
		const reply = await post(sandbox, CHAT, chatBody);
		expect(reply.status).toBe(502);
		expect(reply.headers['content-type']).toMatch(/^text\/html/);
		expect(reply.text).toContain('<title>502 Bad Gateway</title>');
		expect(reply.json).toBeUndefined();
	});

	it('delays, then answers normally', async () => {
		sandbox.fault({ path: '/v1/models', latencyMs: 300 });
		const started = Date.now();
		const reply = await get(sandbox, '/v1/models');
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		expect(reply.status).toBe(200);
		const quick = Date.now();
		await get(sandbox, '/v1/models');
		expect(Date.now() - quick).toBeLessThan(250);
	});

	it('can fault file downloads', async () => {
		sandbox.fault({ path: '/files/sample.png', status: 404 });
		expect((await get(sandbox, '/files/sample.png')).status).toBe(404);
		sandbox.fault({ path: /\/files\/gen\//, latencyMs: 150 });
		const image = await post(sandbox, '/v1/images/generations', { model: 'flux-schnell', prompt: 'x' });
		const started = Date.now();
		const download = await get(sandbox, new URL(image.json.data[0].url).pathname);
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		expect(download.status).toBe(200);
	});

	it('resets the connection before any byte', async () => {
		sandbox.fault({ path: CHAT, reset: 'before-response' });
		await expect(post(sandbox, CHAT, chatBody)).rejects.toThrow(/socket hang up|ECONNRESET/);
		expect(sandbox.requests).toHaveLength(1);
		expect((await post(sandbox, CHAT, chatBody)).status).toBe(200);
	});

	it('resets a stream after afterChunks data chunks', async () => {
		sandbox.fault({ path: CHAT, reset: 'mid-stream', afterChunks: 3 });
		const capture = await stream(sandbox, CHAT, streamBody);
		expect(capture.status).toBe(200);
		expect(capture.error).toBeDefined();
		expect(capture.ended).toBe(false);
		expect(capture.data).toHaveLength(3);
		expect(capture.done).toBe(false);
	});

	it('cuts a plain answer in half on a mid-stream reset', async () => {
		sandbox.fault({ path: CHAT, reset: 'mid-stream' });
		await expect(post(sandbox, CHAT, chatBody)).rejects.toThrow();
	});

	it('stalls a stream: chunks, then silence with the socket open', async () => {
		sandbox.fault({ path: CHAT, stall: true });
		const started = Date.now();
		const capture = await stream(sandbox, CHAT, streamBody, { idleMs: 300 });
		expect(capture.idle).toBe(true);
		expect(capture.error).toBeUndefined();
		expect(capture.ended).toBe(false);
		expect(capture.data).toHaveLength(2);
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
	});

	it('sends an error payload mid-stream with status 200', async () => {
		const error = { message: 'upstream error: context deadline exceeded', type: 'upstream_error', code: 'bad_response' };
		sandbox.fault({ path: CHAT, streamError: error, afterChunks: 1 });
		const capture = await stream(sandbox, CHAT, streamBody);
		expect(capture.status).toBe(200);
		expect(capture.ended).toBe(true);
		expect(capture.done).toBe(false);
		expect(capture.data).toHaveLength(2);
		expect(capture.data[1]).toEqual({ error });
		expect(capture.events[capture.events.length - 1]).toBe(`data: ${JSON.stringify({ error })}`);
	});

	it('ends a stream without [DONE]', async () => {
		sandbox.fault({ path: CHAT, noDone: true });
		const capture = await stream(sandbox, CHAT, streamBody);
		expect(capture.ended).toBe(true);
		expect(capture.done).toBe(false);
		expect(capture.text).not.toContain('[DONE]');
		expect(assembled(capture.data)).toBe('Sandbox reply to: a reply long enough to need several chunks');
	});

	it('noChoices: a plain answer with choices: [] and its usage', async () => {
		sandbox.fault({ path: CHAT, noChoices: true });
		const reply = await post(sandbox, CHAT, chatBody);
		expect(reply.status).toBe(200);
		expect(reply.json.choices).toEqual([]);
		expect(reply.json.usage.total_tokens).toBeGreaterThan(0);
	});

	it('noChoices: a stream of only the usage chunk, then [DONE]', async () => {
		sandbox.fault({ path: CHAT, noChoices: true });
		const capture = await stream(sandbox, CHAT, { ...streamBody, stream_options: { include_usage: true } });
		expect(capture.done).toBe(true);
		expect(capture.data).toHaveLength(1);
		expect(capture.data[0].choices).toEqual([]);
		expect(capture.data[0].usage.total_tokens).toBeGreaterThan(0);
	});

	it('redirectTo: a 301 (or the status given) with the Location, nothing else done', async () => {
		sandbox.fault({ path: '/v1/models', redirectTo: 'https://relay.example/v1/models' });
		sandbox.fault({ path: '/v1/models', redirectTo: '/elsewhere/v1/models', status: 308 });
		const moved = await get(sandbox, '/v1/models');
		expect(moved.status).toBe(301);
		expect(moved.headers.location).toBe('https://relay.example/v1/models');
		const permanent = await get(sandbox, '/v1/models');
		expect(permanent.status).toBe(308);
		expect(permanent.headers.location).toBe('/elsewhere/v1/models');
		expect((await get(sandbox, '/v1/models')).status).toBe(200);
	});

	it('close() ends stalled connections so the process can exit', async () => {
		const other = await startSandbox();
		other.fault({ stall: true, afterChunks: 1 });
		const pending = stream(other, CHAT, streamBody, { idleMs: 5000 });
		await new Promise((resolve) => setTimeout(resolve, 100));
		const started = Date.now();
		await other.close();
		const capture = await pending;
		expect(Date.now() - started).toBeLessThan(1000);
		expect(capture.idle).toBe(false);
		expect(capture.ended).toBe(false);
		expect(capture.data).toHaveLength(1);
	});

	it('close() also cancels pending latency', async () => {
		const other = await startSandbox({ latencyMs: 5000 });
		const pending = call(other, 'GET', '/v1/models').catch((error: Error) => error);
		await new Promise((resolve) => setTimeout(resolve, 50));
		const started = Date.now();
		await other.close();
		// Node's errors come from another realm than jest's, so check the message, not the class.
		expect(String(await pending)).toMatch(/socket hang up|ECONNRESET/);
		expect(Date.now() - started).toBeLessThan(1000);
	});
});
