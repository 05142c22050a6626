/**
 * DeerAPI Chat: relay errors, retries, cancel, Continue On Fail, the credential test, and the API
 * key kept out of everything a user or a log sees.
 */
import { startSandbox, type ResponseLogEntry, type Sandbox } from '../../../sandbox';
import { byId, chatRequests, harness, NODE, nodeError, runChat, userMessage } from './helpers';

let sandbox: Sandbox;
const responses: ResponseLogEntry[] = [];

beforeAll(async () => {
	sandbox = await startSandbox({ apiKey: 'sk-chat-test-0123456789abcdef', onResponse: (entry) => responses.push(entry) });
});
afterAll(() => sandbox.close());
beforeEach(() => {
	sandbox.clearRequests();
	sandbox.clearFaults();
	sandbox.setLatency(0);
	responses.length = 0;
});

const WRONG_KEY = 'sk-wrong-key-that-must-not-leak-42';

/** Everything the run left behind: items, errors, run data, logs. */
function everything(result: Awaited<ReturnType<typeof runChat>>): string {
	const error = result.nodes[NODE]?.error as (Error & { description?: string }) | undefined;
	return [
		JSON.stringify(result.raw),
		JSON.stringify(result.nodes),
		error ? `${error.message} ${error.description} ${error.stack} ${JSON.stringify(error)}` : '',
		result.logText(),
	].join('\n');
}

describe('relay errors', () => {
	it('shows the relay message of a 401 with status, request id and item index, and never the key', async () => {
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('hi') },
			credentials: { apiKey: WRONG_KEY },
		});
		expect(result.status).toBe('error');
		const error = nodeError(result);
		expect(error.constructor.name).toBe('NodeApiError');
		expect(error.message).toMatch(/^401 Unauthorized: 无效的令牌 \(request id: \w+\)$/);
		expect(error.httpCode).toBe('401');
		expect(error.description).toContain('Check the API key in the DeerAPI credential.');
		expect(error.description).toMatch(/Request ID: \w+/);
		expect(error.context?.itemIndex).toBe(0);
		expect(everything(result)).not.toContain(WRONG_KEY);
		expect(chatRequests(sandbox)).toHaveLength(1);
	});

	it('a relay that cannot be reached: the message names the host, n8n\'s own hint is kept as the description', async () => {
		const closed = await startSandbox();
		const { url } = closed;
		await closed.close();
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('hi'), options: { maxRetries: 0 } },
			credentials: { baseUrl: url },
		});
		const error = nodeError(result);
		expect(error.constructor.name).toBe('NodeOperationError');
		expect(error.message).toBe(`Could not reach ${new URL(url).host}: connection refused (ECONNREFUSED)`);
		expect(error.description).toBe('The service refused the connection - perhaps it is offline.');
		expect(error.context?.itemIndex).toBe(0);
	});

	it('never puts the key into items, run data or logs of a successful run', async () => {
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('hi'), options: { stream: false } },
		});
		expect(result.status).toBe('success');
		expect(everything(result)).not.toContain(sandbox.apiKey);
	});

	it('redacts the key when a relay echoes it in an error', async () => {
		sandbox.fault({
			path: '/v1/chat/completions',
			status: 403,
			body: { error: { message: `key ${sandbox.apiKey} may not use model gpt-4o`, type: 'forbidden' } },
		});
		const result = await runChat(sandbox, { parameters: { messages: userMessage('hi') } });
		const error = nodeError(result);
		expect(error.message).toBe('403 Forbidden: key sk-*** may not use model gpt-4o');
		expect(everything(result)).not.toContain(sandbox.apiKey);
	});

	it('retries a 429 as the relay asks and then succeeds', async () => {
		sandbox.fault({ path: '/v1/chat/completions', status: 429, headers: { 'retry-after-ms': '20' } });
		const started = Date.now();
		const result = await runChat(sandbox, { parameters: { messages: userMessage('hi') } });
		expect(result.json(NODE)[0].content).toBe('Sandbox reply to: hi');
		const requests = chatRequests(sandbox);
		expect(requests).toHaveLength(2);
		expect(requests[1].receivedAt - requests[0].receivedAt).toBeGreaterThanOrEqual(15);
		expect(Date.now() - started).toBeLessThan(2000);
	});

	it('gives up after Max Retries with the relay message of the 429', async () => {
		sandbox.fault({ path: '/v1/chat/completions', status: 429, times: 5, headers: { 'retry-after-ms': '5' } });
		const result = await runChat(sandbox, { parameters: { messages: userMessage('hi'), options: { maxRetries: 1 } } });
		const error = nodeError(result);
		expect(error.message).toMatch(/^429 .*当前分组上游负载已饱和/);
		expect(error.description).toContain('Tried 2 times.');
		expect(chatRequests(sandbox)).toHaveLength(2);
	});

	it('reports a 503 for a model without a channel, with the relay\'s words', async () => {
		const result = await runChat(sandbox, {
			parameters: { model: byId('unavailable-model-x'), messages: userMessage('hi'), options: { maxRetries: 0 } },
		});
		const error = nodeError(result);
		expect(error.message).toContain('无可用渠道');
		expect(error.httpCode).toBe('503');
	});

	it('reports an error sent inside a stream', async () => {
		sandbox.fault({
			path: '/v1/chat/completions',
			streamError: { message: 'upstream overloaded mid-answer', type: 'upstream_error' },
			afterChunks: 2,
		});
		const result = await runChat(sandbox, { parameters: { messages: userMessage('A long story') } });
		expect(nodeError(result).message).toContain('upstream overloaded mid-answer');
	});

	it('explains an HTML page from a proxy', async () => {
		sandbox.fault({ path: '/v1/chat/completions', status: 502, html: true });
		const result = await runChat(sandbox, { parameters: { messages: userMessage('hi'), options: { maxRetries: 0 } } });
		const error = nodeError(result);
		expect(error.message).toMatch(/^502/);
		expect(error.httpCode).toBe('502');
		expect(error.message).not.toContain('<html');
	});

	it('times out an answer that does not come, with a hint', async () => {
		sandbox.setLatency(3000);
		const started = Date.now();
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('hi'), options: { timeout: 0.3, maxRetries: 0 } },
		});
		const error = nodeError(result);
		expect(error.constructor.name).toBe('NodeOperationError');
		expect(error.description).toContain('Timeout');
		expect(Date.now() - started).toBeLessThan(2000);
	});
});

describe('Continue On Fail', () => {
	it('turns the failing item into an error item paired to its input; the others go on', async () => {
		const result = await runChat(sandbox, {
			parameters: { model: byId('={{ $json.model }}'), messages: userMessage('={{ $json.q }}'), options: { maxRetries: 0 } },
			input: [
				{ json: { model: 'gpt-4o', q: 'one' } },
				{ json: { model: 'unavailable-model', q: 'two' } },
				{ json: { model: '', q: 'three' } },
				{ json: { model: 'gpt-4o', q: 'four' } },
			],
			continueOnFail: true,
		});
		expect(result.status).toBe('success');
		const items = result.output(NODE);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(items[0].json.content).toBe('Sandbox reply to: one');
		expect(items[1].json).toEqual({
			error: expect.stringMatching(/^503 .*无可用渠道/),
			description: expect.stringContaining('No channel is available'),
			httpCode: '503',
		});
		expect(items[2].json).toEqual({
			error: 'Model: no model is selected',
			description: 'Pick a model from the list or enter its ID.',
		});
		expect(items[3].json.content).toBe('Sandbox reply to: four');
		expect(chatRequests(sandbox)).toHaveLength(3);
	});

	it('fails the node on the first failing item without Continue On Fail', async () => {
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('={{ $json.q }}'), options: { responseFormat: 'json_object', maxConcurrency: 1 } },
			input: [{ json: { q: 'JSON one' } }, { json: { q: 'INVALID_JSON two' } }, { json: { q: 'JSON three' } }],
		});
		const error = nodeError(result);
		expect(error.message).toContain('not valid JSON');
		expect(error.context?.itemIndex).toBe(1);
		// Item 2 is never sent once item 1 has failed.
		expect(chatRequests(sandbox)).toHaveLength(2);
	});
});

describe('cancel', () => {
	it('aborts the request in flight when the execution is stopped', async () => {
		sandbox.setLatency(5000);
		const controller = new AbortController();
		const started = Date.now();
		setTimeout(() => controller.abort(), 200);
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('hi') },
			run: { signal: controller.signal },
		});
		expect(result.status).toBe('canceled');
		expect(chatRequests(sandbox)).toHaveLength(1);
		expect(nodeError(result).message).toBe('The request was cancelled');
		expect(Date.now() - started).toBeLessThan(1500);
		// The sandbox saw the client hang up long before its 5 s answer.
		for (let wait = 0; wait < 20 && responses.length === 0; wait++) await new Promise((resolve) => setTimeout(resolve, 25));
		const chat = responses.find((entry) => entry.path === '/v1/chat/completions');
		expect(chat).toMatchObject({ completed: false, status: 0 });
		expect(chat!.ms).toBeLessThan(1000);
	});
});

describe('credential test', () => {
	it('reports OK with the number of models (and the balance where the relay has it: test/nodes/account)', async () => {
		const outcome = await harness.testCredential('deerApiRelayApi', { apiKey: sandbox.apiKey, baseUrl: `${sandbox.url}/v1/`, authFormat: 'bearer' });
		expect(sandbox.requests.filter((request) => request.path === '/v1/models')).toHaveLength(1);
		expect(outcome.status).toBe('OK');
		expect(outcome.message).toMatch(new RegExp(`^Connected to ${sandbox.url}/v1: \\d+ models available; US\\$3\\.50 left$`));
		expect(Number(/(\d+) models/.exec(outcome.message)![1])).toBeGreaterThan(50);
	});

	it('reports the relay message for a wrong key, without the key', async () => {
		const outcome = await harness.testCredential('deerApiRelayApi', { apiKey: WRONG_KEY, baseUrl: sandbox.url, authFormat: 'bearer' });
		expect(outcome.status).toBe('Error');
		expect(outcome.message).toMatch(/^401 Unauthorized: 无效的令牌/);
		expect(outcome.message).not.toContain(WRONG_KEY);
	});

	it('works with the bare key form', async () => {
		const outcome = await harness.testCredential('deerApiRelayApi', { apiKey: sandbox.apiKey, baseUrl: sandbox.url, authFormat: 'bare' });
		expect(outcome.status).toBe('OK');
		expect(sandbox.lastRequest('/v1/models')!.headers.authorization).toBe(sandbox.apiKey);
	});
});
