import { startSandbox, type Sandbox } from '../../sandbox';
import {
	ChatStreamAssembler,
	RelayAbortError,
	RelayApiError,
	RelayClient,
	RelayConnectionError,
	RelayResponseError,
	RelayTimeoutError,
	SseDataDecoder,
	type ChatChoice,
	type ChatChunkStream,
	type ChatCompletionChunk,
	type ChatDelta,
} from '../../nodes/shared/transport';
import { failure, startLoopback, type Loopback } from './loopback';

const CHAT = '/v1/chat/completions';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(async () => await sandbox.close());
beforeEach(() => {
	sandbox.clearRequests();
	sandbox.clearFaults();
});

function client(options: Partial<ConstructorParameters<typeof RelayClient>[0]> = {}) {
	return new RelayClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey, retryInitialDelayMs: 5, ...options });
}

/** What a stream carries of each choice (a plain answer also has "logprobs": null). */
function essentials(choices: ChatChoice[]) {
	return choices.map(({ index, message, finish_reason }) => ({ index, message, finish_reason }));
}

function request(extra: Record<string, unknown> = {}) {
	return {
		model: 'deepseek-reasoner',
		messages: [{ role: 'user', content: 'Write a haiku about deer in the snow, please.' }],
		...extra,
	};
}

describe('a streamed chat is assembled into what a plain call returns', () => {
	it('same content, reasoning, finish_reason and usage as the non-streamed answer', async () => {
		const plain = (await client().chat(request())).body;
		const deltas: ChatDelta[] = [];
		const streamed = (
			await client().chat(request({ stream: true, stream_options: { include_usage: true } }), {
				onDelta: (delta) => deltas.push(delta),
			})
		).body;

		expect(sandbox.requests[1].headers.accept).toBe('text/event-stream');
		expect(sandbox.requests[1].body.stream).toBe(true);
		expect(streamed.object).toBe('chat.completion');
		expect(streamed.choices).toEqual(essentials(plain.choices));
		expect(streamed.usage).toEqual(plain.usage);
		expect(streamed.model).toBe(plain.model);
		// Content arrived in many pieces, in order, and the pieces make the whole.
		const contentDeltas = deltas.filter((delta) => delta.content);
		expect(contentDeltas.length).toBeGreaterThan(3);
		expect(contentDeltas.map((delta) => delta.content).join('')).toBe(plain.choices[0].message.content);
		expect(deltas.filter((d) => d.reasoning).map((d) => d.reasoning).join('')).toBe(
			plain.choices[0].message.reasoning_content,
		);
	});

	it('no usage without include_usage: the usage chunk is optional', async () => {
		const { body } = await client().chat(request({ model: 'gpt-4o', stream: true }));
		expect(body.usage).toBeUndefined();
		expect(body.choices[0].finish_reason).toBe('stop');
	});

	it('tool calls are joined by index from their fragments', async () => {
		const tools = [
			{
				type: 'function',
				function: {
					name: 'get_weather',
					parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
				},
			},
		];
		const plain = (await client().chat({ ...request({ model: 'gpt-4o' }), tools })).body;
		const streamed = (await client().chat({ ...request({ model: 'gpt-4o', stream: true }), tools })).body;
		// Ids differ between two calls; everything else must match.
		const withoutId = (calls: unknown[] = []) => calls.map((call) => ({ ...(call as object), id: undefined }));
		expect(withoutId(streamed.choices[0].message.tool_calls)).toEqual(withoutId(plain.choices[0].message.tool_calls));
		expect(streamed.choices[0].message.tool_calls![0].id).toMatch(/^call_/);
		expect(streamed.choices[0].message.content).toBeNull();
		expect(streamed.choices[0].finish_reason).toBe('tool_calls');
		expect(JSON.parse(streamed.choices[0].message.tool_calls![0].function.arguments)).toEqual({
			city: 'Write a haiku about deer in the snow, please.',
			days: 1,
		});
	});

	it('n > 1: choices interleaved in the stream come out separated by index', async () => {
		const plain = (await client().chat(request({ model: 'gpt-4o', n: 3 }))).body;
		const streamed = (await client().chat(request({ model: 'gpt-4o', n: 3, stream: true }))).body;
		expect(streamed.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
		expect(streamed.choices).toEqual(essentials(plain.choices));
	});

	it('a stream that ends without [DONE] but finished is complete', async () => {
		sandbox.fault({ path: CHAT, noDone: true });
		const { body } = await client().chat(request({ model: 'gpt-4o', stream: true }));
		expect(body.choices[0].message.content).toBe('Sandbox reply to: Write a haiku about deer in the snow, please.');
	});

	it('an error payload inside the stream becomes the relay error (status stays 200), not retried', async () => {
		sandbox.fault({
			path: CHAT,
			afterChunks: 2,
			streamError: { message: '上游负载已饱和，请稍后再试 (request id: 20261122ABC)', type: 'upstream_error', code: 'rate_limit' },
		});
		const error = (await failure(client().chat(request({ stream: true })))) as RelayApiError;
		expect(error).toBeInstanceOf(RelayApiError);
		expect(error.status).toBe(200);
		expect(error.relayMessage).toBe('上游负载已饱和，请稍后再试 (request id: 20261122ABC)');
		expect(error.requestId).toBe('20261122ABC');
		expect(error.relayCode).toBe('rate_limit');
		expect(sandbox.requests).toHaveLength(1);
	});

	it('a connection reset in the middle of the stream is not retried: the answer had started', async () => {
		sandbox.fault({ path: CHAT, reset: 'mid-stream', afterChunks: 3 });
		const error = await failure(client().chat(request({ stream: true })));
		expect(error).toBeInstanceOf(RelayConnectionError);
		expect(sandbox.requests).toHaveLength(1);
	});

	it('a reset before the stream started is retried', async () => {
		sandbox.fault({ path: CHAT, reset: 'before-response' });
		const response = await client().chat(request({ stream: true }));
		expect(response.attempts).toBe(2);
		expect(response.body.choices[0].finish_reason).toBe('stop');
	});

	it('a 429 before the stream starts is retried like any request', async () => {
		sandbox.fault({ path: CHAT, status: 429, headers: { 'retry-after-ms': '10' } });
		const response = await client().chat(request({ stream: true }));
		expect(response.attempts).toBe(2);
	});

	it('a stream that stalls fails with the idle timeout, not retried', async () => {
		sandbox.fault({ path: CHAT, stall: true, afterChunks: 2 });
		const started = Date.now();
		const error = (await failure(
			client({ streamIdleTimeoutMs: 200 }).chat(request({ stream: true })),
		)) as RelayTimeoutError;
		expect(error).toBeInstanceOf(RelayTimeoutError);
		expect(error.kind).toBe('idle');
		expect(error.message).toBe('The stream sent nothing for 200 ms (idle timeout)');
		expect(Date.now() - started).toBeLessThan(1500);
		expect(sandbox.requests).toHaveLength(1);
	});

	it('a stream that keeps sending outlives both the idle timeout and the request timeout', async () => {
		sandbox.fault({ path: CHAT, chunkDelayMs: 40 });
		const started = Date.now();
		const { body } = await client({ timeoutMs: 300, streamIdleTimeoutMs: 150 }).chat(
			request({ model: 'gpt-4o', stream: true }),
		);
		expect(Date.now() - started).toBeGreaterThan(400);
		expect(body.choices[0].message.content).toBe('Sandbox reply to: Write a haiku about deer in the snow, please.');
	});

	it('a stream cut off cleanly before any finish_reason is an incomplete answer', async () => {
		sandbox.fault({ path: CHAT, endEarly: true, afterChunks: 2 });
		const error = await failure(client().chat(request({ stream: true })));
		expect(error).toBeInstanceOf(RelayResponseError);
		expect(error.message).toBe('The stream ended before the answer was complete (no finish_reason and no [DONE])');
	});
});

describe('SSE decoding and assembly, piece by piece', () => {
	it('joins a UTF-8 character split across network chunks and skips comments', () => {
		const events: string[] = [];
		const decoder = new SseDataDecoder((data) => events.push(data));
		const bytes = Buffer.from(': PING\n\ndata: {"t":"鹿"}\n\ndata: [DONE]');
		const split = bytes.indexOf(Buffer.from('鹿')) + 1;
		decoder.feed(bytes.subarray(0, split));
		decoder.feed(bytes.subarray(split));
		decoder.end();
		expect(events).toEqual(['{"t":"鹿"}', '[DONE]']);
	});

	it('keeps the usage of a choice-less last chunk and ignores empty choices', () => {
		const assembler = new ChatStreamAssembler();
		assembler.push({ id: 'c1', model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] });
		assembler.push({ choices: [] });
		assembler.push({ choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: 'stop' }] });
		assembler.push({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } });
		expect(assembler.result()).toEqual({
			id: 'c1',
			model: 'm',
			object: 'chat.completion',
			choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
			usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
		});
	});

	it('joins two parallel tool calls whose fragments interleave', () => {
		const assembler = new ChatStreamAssembler();
		assembler.push({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '' } }] } }] });
		assembler.push({ choices: [{ index: 0, delta: { tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '{"y"' } }] } }] });
		assembler.push({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"x":1}' } }] } }] });
		assembler.push({ choices: [{ index: 0, delta: { tool_calls: [{ index: 1, function: { arguments: ':2}' } }] }, finish_reason: 'tool_calls' }] });
		const message = assembler.result().choices[0].message;
		expect(message.content).toBeNull();
		expect(message.tool_calls).toEqual([
			{ id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } },
			{ id: 'b', type: 'function', function: { name: 'g', arguments: '{"y":2}' } },
		]);
	});

	it('a long answer of tiny deltas comes out whole', () => {
		const assembler = new ChatStreamAssembler();
		const pieces = Array.from({ length: 50_000 }, (_, i) => `w${i % 10} `);
		for (const piece of pieces) assembler.push({ choices: [{ index: 0, delta: { content: piece } }] });
		assembler.push({ choices: [{ index: 0, delta: {}, finish_reason: 'length' }] });
		const result = assembler.result();
		expect(result.choices[0].message.content).toBe(pieces.join(''));
		expect(result.choices[0].finish_reason).toBe('length');
	});
});

async function collect(stream: ChatChunkStream): Promise<ChatCompletionChunk[]> {
	const chunks: ChatCompletionChunk[] = [];
	for await (const chunk of stream) chunks.push(chunk);
	return chunks;
}

function text(chunks: ChatCompletionChunk[], field: 'content' | 'reasoning_content' = 'content'): string {
	return chunks.map((chunk) => chunk.choices?.[0]?.delta?.[field] ?? '').join('');
}

describe('streamChat: the chunk iterator Chat, Image Generate\'s chat mode and the Chat Model consume', () => {
	let server: Loopback | undefined;
	afterEach(async () => {
		await server?.close();
		server = undefined;
	});
	const ask = request({ model: 'deepseek-reasoner' });

	it('yields the parsed chunks in order, with the status and request id; their text is the plain answer', async () => {
		const stream = await client().streamChat({ ...ask, stream_options: { include_usage: true } });
		expect(stream.status).toBe(200);
		expect(stream.requestId).toMatch(/\w+/);
		expect(stream.attempts).toBe(1);
		const chunks = await collect(stream);
		const plain = await client().chat(ask);
		expect(chunks.length).toBeGreaterThan(3);
		expect(text(chunks)).toBe(plain.body.choices[0].message.content);
		expect(text(chunks, 'reasoning_content')).toBe(plain.body.choices[0].message.reasoning_content);
		expect(chunks.at(-1)!.usage).toEqual(plain.body.usage);
		const sent = sandbox.requests.find((request) => request.body?.stream === true)!;
		expect(sent.body).toEqual({ ...ask, stream_options: { include_usage: true }, stream: true });
		expect(sent.headers.accept).toBe('text/event-stream');
	});

	it('is retried when it fails before the first chunk', async () => {
		sandbox.fault({ path: CHAT, reset: 'before-response' });
		const stream = await client().streamChat(ask);
		expect(stream.attempts).toBe(2);
		expect(text(await collect(stream))).toContain('Sandbox reply to: Write a haiku');
	});

	it('a JSON answer instead of a stream comes out as the equivalent chunks', async () => {
		const completion = {
			id: 'chatcmpl-json',
			object: 'chat.completion',
			model: 'gpt-4o',
			choices: [
				{ index: 0, message: { role: 'assistant', content: 'one piece', reasoning_content: 'thought' }, finish_reason: 'stop' },
			],
			usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
		};
		sandbox.fault({ path: CHAT, status: 200, body: completion, headers: { 'content-type': 'text/event-stream' } });
		const chunks = await collect(await client().streamChat(ask));
		expect(chunks).toEqual([
			{
				id: 'chatcmpl-json',
				model: 'gpt-4o',
				object: 'chat.completion.chunk',
				choices: [
					{
						index: 0,
						delta: { role: 'assistant', content: 'one piece', reasoning_content: 'thought' },
						finish_reason: 'stop',
					},
				],
			},
			{ id: 'chatcmpl-json', model: 'gpt-4o', object: 'chat.completion.chunk', choices: [], usage: completion.usage },
		]);
	});

	it('an error payload as the first event throws from streamChat, with the relay message', async () => {
		sandbox.fault({ path: CHAT, afterChunks: 0, streamError: { message: '上游错误 (request id: R1)', type: 'upstream_error' } });
		const error = (await failure(client().streamChat(ask))) as RelayApiError;
		expect(error).toBeInstanceOf(RelayApiError);
		expect(error.relayMessage).toBe('上游错误 (request id: R1)');
		expect(error.requestId).toBe('R1');
	});

	it('the caller\'s signal cancels it while chunks are being read', async () => {
		sandbox.fault({ path: CHAT, chunkDelayMs: 30 });
		const controller = new AbortController();
		const stream = await client().streamChat(ask, { signal: controller.signal });
		const error = await failure(
			(async () => {
				for await (const _chunk of stream) controller.abort();
			})(),
		);
		expect(error).toBeInstanceOf(RelayAbortError);
	});

	it('a slow consumer is not taken for a silent relay: the idle timeout counts only waiting', async () => {
		const stream = await client({ streamIdleTimeoutMs: 100 }).streamChat({ ...ask, model: 'gpt-4o' });
		let pieces = 0;
		for await (const _chunk of stream) {
			if (pieces++ === 1) await new Promise((resolve) => setTimeout(resolve, 250));
		}
		expect(pieces).toBeGreaterThan(2);
	});

	it('a relay that goes silent mid-stream ends the loop with the idle timeout', async () => {
		sandbox.fault({ path: CHAT, stall: true, afterChunks: 2 });
		const stream = await client({ streamIdleTimeoutMs: 150 }).streamChat(ask);
		const error = (await failure(collect(stream))) as RelayTimeoutError;
		expect(error).toBeInstanceOf(RelayTimeoutError);
		expect(error.kind).toBe('idle');
	});

	it('leaving the loop early closes the connection', async () => {
		let closed = false;
		server = await startLoopback((_request, res) => {
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			res.on('close', () => {
				closed = true;
			});
			const chunk = { choices: [{ index: 0, delta: { content: 'x' } }] };
			const timer = setInterval(() => res.write(`data: ${JSON.stringify(chunk)}\n\n`), 10);
			res.on('close', () => clearInterval(timer));
		});
		const stream = await client({ baseUrl: server.url }).streamChat(ask);
		let seen = 0;
		for await (const _chunk of stream) if (++seen === 3) break;
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(closed).toBe(true);
	});

	it('a stream with no choice at all is an error that quotes what came', async () => {
		server = await startLoopback((_request, res) => {
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			res.end('data: {"id":"c1","choices":[],"usage":{"total_tokens":7}}\n\ndata: [DONE]\n\n');
		});
		const error = (await failure(client({ baseUrl: server.url }).streamChat(ask).then(collect))) as RelayResponseError;
		expect(error).toBeInstanceOf(RelayResponseError);
		expect(error.kind).toBe('response');
		expect(error.message).toBe('The relay sent no answer (no choices); it sent: {"id":"c1","choices":[],"usage":{"total_tokens":7}}');
	});
});
