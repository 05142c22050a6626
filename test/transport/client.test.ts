import { startSandbox, type Sandbox } from '../../sandbox';
import {
	RelayAbortError,
	RelayApiError,
	RelayClient,
	RelayConnectionError,
	RelayResponseError,
	RelayTimeoutError,
	type RelayClientOptions,
} from '../../nodes/shared/transport';
import { failure } from './loopback';

const CHAT = '/v1/chat/completions';
const hello = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] };

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(async () => await sandbox.close());
beforeEach(() => {
	sandbox.clearRequests();
	sandbox.clearFaults();
	sandbox.setLatency(0);
});

function client(options: Partial<RelayClientOptions> = {}) {
	return new RelayClient({
		baseUrl: sandbox.url,
		apiKey: sandbox.apiKey,
		retryInitialDelayMs: 5,
		retryMaxDelayMs: 20,
		...options,
	});
}

describe('requests as sent', () => {
	it('sends the key as "Bearer <key>" by default, JSON body, and our user agent', async () => {
		await client().chat(hello);
		const request = sandbox.lastRequest(CHAT)!;
		expect(request.method).toBe('POST');
		expect(request.headers.authorization).toBe(`Bearer ${sandbox.apiKey}`);
		expect(request.headers['content-type']).toBe('application/json');
		expect(request.headers['user-agent']).toBe('n8n-nodes-deerapi-relay');
		expect(request.body).toEqual(hello);
	});

	it('sends the bare key when the credential asks for it', async () => {
		await client({ authFormat: 'bare' }).listModels();
		expect(sandbox.lastRequest('/v1/models')!.headers.authorization).toBe(sandbox.apiKey);
	});

	it('lists models from GET /v1/models', async () => {
		const { body, status, attempts } = await client().listModels();
		expect(status).toBe(200);
		expect(attempts).toBe(1);
		expect(body.map((model) => model.id)).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-image-1']));
		expect(sandbox.lastRequest()!.method).toBe('GET');
		expect(sandbox.lastRequest()!.rawBody.length).toBe(0);
	});

	it('takes a success body with "error": {} (DeerAPI decoration) as a success', async () => {
		sandbox.fault({
			path: CHAT,
			status: 200,
			body: {
				id: 'chatcmpl-1',
				object: 'chat.completion',
				choices: [{ index: 0, message: { role: 'assistant', content: 'fine' }, finish_reason: 'stop' }],
				data: null,
				error: {},
			},
		});
		const { body } = await client().chat(hello);
		expect(body.choices[0].message.content).toBe('fine');
	});

	it('takes a 200 body whose error object has a message as an error', async () => {
		sandbox.fault({ path: CHAT, status: 200, body: { error: { message: '上游错误', type: 'upstream_error' } } });
		const error = await failure(client().chat(hello));
		expect(error).toBeInstanceOf(RelayApiError);
		expect((error as RelayApiError).relayMessage).toBe('上游错误');
		expect(sandbox.requests).toHaveLength(1);
	});
});

describe('errors the relay answers', () => {
	it('401 with a wrong key: the relay message as given (Chinese), its request id, no retry', async () => {
		const error = (await failure(client({ apiKey: 'sk-wrong-key-123' }).listModels())) as RelayApiError;
		expect(error).toBeInstanceOf(RelayApiError);
		expect(error.kind).toBe('api');
		expect(error.status).toBe(401);
		expect(error.relayMessage).toMatch(/^无效的令牌 \(request id: \w+\)$/);
		expect(error.requestId).toBe(/request id: (\w+)/.exec(error.relayMessage)![1]);
		expect(error.relayCode).toBe('invalid_api_key');
		expect(error.message).toBe(`401 Unauthorized: ${error.relayMessage}`);
		expect(error.attempts).toBe(1);
		expect(error.url).toBe(`${sandbox.url}/v1/models`);
		expect(JSON.stringify({ ...error, message: error.message })).not.toContain('sk-wrong-key-123');
		expect(sandbox.requests).toHaveLength(1);
	});

	it('never repeats the key when a relay echoes it in its message', async () => {
		sandbox.fault({
			status: 401,
			body: { error: { message: `Incorrect API key provided: ${sandbox.apiKey}`, code: 'invalid_api_key' } },
		});
		const error = (await failure(client().listModels())) as RelayApiError;
		expect(error.message).toBe('401 Unauthorized: Incorrect API key provided: sk-***');
		expect(error.relayMessage).not.toContain(sandbox.apiKey);
	});

	it.each([
		[400, 'model is required'],
		[403, 'insufficient_user_quota'],
		[404, 'Invalid URL (POST /v1/chat/completions)'],
		[413, 'Request Entity Too Large'],
	])('%i is not retried and keeps the relay message', async (status, message) => {
		sandbox.fault({ path: CHAT, status, body: { error: { message, type: 'invalid_request_error' } } });
		const error = (await failure(client().chat(hello))) as RelayApiError;
		expect(error.status).toBe(status);
		expect(error.relayMessage).toBe(message);
		expect(error.type).toBe('invalid_request_error');
		expect(sandbox.requests).toHaveLength(1);
	});

	it('an HTML error page becomes one readable line with the status', async () => {
		sandbox.fault({ path: CHAT, status: 502, html: true, times: 3 });
		const error = (await failure(client().chat(hello))) as RelayApiError;
		expect(error.status).toBe(502);
		expect(error.relayMessage).toMatch(
			/^The relay \(or a proxy in front of it\) answered 502 Bad Gateway with an HTML page: ".+"$/,
		);
		expect(error.relayMessage).not.toMatch(/<|>/);
		expect(error.attempts).toBe(3);
	});

	it('an empty error body says so, with the status', async () => {
		sandbox.fault({ path: CHAT, status: 503, body: '', times: 3 });
		const error = (await failure(client().chat(hello))) as RelayApiError;
		expect(error.relayMessage).toBe('The relay answered 503 Service Unavailable with an empty body');
	});

	it('a 2xx body that is not JSON is an invalid response, not a crash', async () => {
		sandbox.fault({ path: CHAT, status: 200, body: '<html><title>Login</title></html>', headers: { 'content-type': 'text/html' } });
		const error = await failure(client().chat(hello));
		expect(error).toBeInstanceOf(RelayResponseError);
		expect(error.message).toBe(
			'The relay answered 200 but the body is not JSON: The relay (or a proxy in front of it) answered HTTP 200 with an HTML page: "Login"',
		);
	});
});

describe('retries', () => {
	it('429 with retry-after-ms, then success: waits as asked and answers', async () => {
		sandbox.fault({ path: CHAT, status: 429, headers: { 'retry-after-ms': '120' } });
		const retries: number[] = [];
		const started = Date.now();
		const response = await client({ retryInitialDelayMs: 5000 }).chat(hello, {
			onRetry: ({ delayMs }) => retries.push(delayMs),
		});
		expect(response.body.choices[0].message.content).toBe('Sandbox reply to: hello');
		expect(response.attempts).toBe(2);
		expect(retries).toEqual([120]);
		expect(Date.now() - started).toBeGreaterThanOrEqual(110);
		expect(sandbox.requests).toHaveLength(2);
		expect(sandbox.requests[1].receivedAt - sandbox.requests[0].receivedAt).toBeGreaterThanOrEqual(110);
	});

	it('429 with retry-after in seconds is honoured', async () => {
		sandbox.fault({ path: CHAT, status: 429, headers: { 'retry-after': '0.2' } });
		const delays: number[] = [];
		await client().chat(hello, { onRetry: ({ delayMs }) => delays.push(delayMs) });
		expect(delays).toEqual([200]);
	});

	it('a retry-after over 60 s is not honoured: exponential backoff instead', async () => {
		sandbox.fault({ path: CHAT, status: 429, headers: { 'retry-after': '3600' } });
		const delays: number[] = [];
		await client({ retryInitialDelayMs: 40, retryMaxDelayMs: 1000 }).chat(hello, {
			onRetry: ({ delayMs }) => delays.push(delayMs),
		});
		expect(delays).toHaveLength(1);
		expect(delays[0]).toBeGreaterThanOrEqual(30);
		expect(delays[0]).toBeLessThanOrEqual(40);
	});

	it.each([408, 409, 500, 502, 503, 504])('%i is retried, two retries by default', async (status) => {
		sandbox.fault({ path: CHAT, status, times: 5 });
		const error = (await failure(client().chat(hello))) as RelayApiError;
		expect(error.status).toBe(status);
		expect(error.attempts).toBe(3);
		expect(sandbox.requests).toHaveLength(3);
	});

	it('maxRetries is configurable per client and per call', async () => {
		sandbox.fault({ path: CHAT, status: 500, times: 10 });
		await failure(client({ maxRetries: 0 }).chat(hello));
		expect(sandbox.requests).toHaveLength(1);
		sandbox.clearRequests();
		await failure(client({ maxRetries: 0 }).chat(hello, { maxRetries: 4 }));
		expect(sandbox.requests).toHaveLength(5);
	});

	it('a connection reset before the answer is retried and then succeeds', async () => {
		sandbox.fault({ path: CHAT, reset: 'before-response' });
		const response = await client().chat(hello);
		expect(response.attempts).toBe(2);
		expect(response.body.choices[0].message.content).toBe('Sandbox reply to: hello');
	});

	it('resets on every attempt end in a connection error that says what happened', async () => {
		sandbox.fault({ path: CHAT, reset: 'before-response', times: 3 });
		const error = await failure(client().chat(hello));
		expect(error).toBeInstanceOf(RelayConnectionError);
		expect(error.message).toMatch(/^Could not reach 127\.0\.0\.1:\d+: /);
		expect((error as RelayConnectionError).attempts).toBe(3);
	});

	it('a refused connection is a connection error', async () => {
		const closed = await startSandbox();
		const url = closed.url;
		await closed.close();
		const error = await failure(
			new RelayClient({ baseUrl: url, apiKey: 'sk-x', maxRetries: 1, retryInitialDelayMs: 1 }).listModels(),
		);
		expect(error).toBeInstanceOf(RelayConnectionError);
		expect(error.message).toContain('connection refused (ECONNREFUSED)');
		expect((error as RelayConnectionError).attempts).toBe(2);
	});
});

describe('timeouts and cancellation', () => {
	it('a request slower than its timeout fails with a timeout error, after retrying', async () => {
		sandbox.fault({ path: CHAT, latencyMs: 400, times: 2 });
		const started = Date.now();
		const error = (await failure(client({ timeoutMs: 100, maxRetries: 1 }).chat(hello))) as RelayTimeoutError;
		expect(error).toBeInstanceOf(RelayTimeoutError);
		expect(error.kind).toBe('timeout');
		expect(error.message).toBe('The relay did not answer within 100 ms (request timeout)');
		expect(error.attempts).toBe(2);
		expect(Date.now() - started).toBeLessThan(400);
	});

	it('a timed-out attempt followed by a fast one succeeds', async () => {
		sandbox.fault({ path: CHAT, latencyMs: 400 });
		const response = await client({ timeoutMs: 150 }).chat(hello);
		expect(response.attempts).toBe(2);
	});

	it('an AbortSignal stops the request at once, without retrying', async () => {
		sandbox.setLatency(2000);
		const controller = new AbortController();
		const started = Date.now();
		setTimeout(() => controller.abort(), 50);
		const error = await failure(client().chat(hello, { signal: controller.signal }));
		expect(error).toBeInstanceOf(RelayAbortError);
		expect(error.message).toBe('The request was cancelled');
		expect(Date.now() - started).toBeLessThan(500);
		expect(sandbox.requests).toHaveLength(1);
	});

	it('an already aborted signal sends nothing', async () => {
		const error = await failure(client().chat(hello, { signal: AbortSignal.abort() }));
		expect(error).toBeInstanceOf(RelayAbortError);
		expect(sandbox.requests).toHaveLength(0);
	});

	it('aborting during the wait between retries ends the call', async () => {
		sandbox.fault({ path: CHAT, status: 429, headers: { 'retry-after-ms': '5000' } });
		const controller = new AbortController();
		const started = Date.now();
		const call = client().chat(hello, {
			signal: controller.signal,
			onRetry: () => setTimeout(() => controller.abort(), 20),
		});
		expect(await failure(call)).toBeInstanceOf(RelayAbortError);
		expect(Date.now() - started).toBeLessThan(1000);
		expect(sandbox.requests).toHaveLength(1);
	});
});
