/**
 * The DeerAPI chat model (an SDK BaseChatModel) against the sandbox: what it sends, what it
 * returns from generate() and stream(), errors, cancellation and the reasoning round trip.
 */
import type { GenerateResult, Message } from '@n8n/ai-node-sdk';

import { RelayAbortError, RelayApiError } from '../../../nodes/shared/transport';
import { startSandbox, type Sandbox } from '../../../sandbox';
import { calculatorTool, chatBodies, chatModel, foldStream, relayClient, sdk, userSays } from './helpers';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
	sandbox.clearRequests();
	sandbox.clearFaults();
});

const withoutIds = (result: GenerateResult) => result.message.content.map((block) => ({ ...block, toolCallId: undefined }));

it('is an SDK BaseChatModel for supplyModel, named after the relay and the model', () => {
	const model = chatModel(sandbox, { modelId: 'deepseek-chat' });
	expect(model).toBeInstanceOf(sdk.BaseChatModel);
	expect(model.provider).toBe('deerapi-relay');
	expect(model.modelId).toBe('deepseek-chat');
});

describe('what it sends', () => {
	it('streams from /v1/chat/completions with usage, and sends only what was set', async () => {
		await chatModel(sandbox).generate([
			{ role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
			userSays('Hello'),
		]);
		const request = sandbox.lastRequest('/v1/chat/completions')!;
		expect(request.path).toBe('/v1/chat/completions');
		expect(request.headers.authorization).toBe(`Bearer ${sandbox.apiKey}`);
		expect(request.body).toEqual({
			model: 'gpt-4o-mini',
			messages: [
				{ role: 'system', content: 'Be brief.' },
				{ role: 'user', content: 'Hello' },
			],
			stream: true,
			stream_options: { include_usage: true },
		});
		expect(sandbox.requests.some((seen) => seen.path.endsWith('/responses'))).toBe(false);
	});

	it('sends max_tokens by default and max_completion_tokens on request, with the other settings and extra fields last', async () => {
		const model = chatModel(sandbox, {
			config: {
				maxTokens: 300,
				temperature: 0.2,
				topP: 0.9,
				frequencyPenalty: 0.5,
				presencePenalty: -0.5,
				reasoningEffort: 'low',
				responseFormat: 'json_object',
				extraBody: { thinking: { type: 'enabled' }, temperature: 0.3 },
			},
		});
		await model.generate([userSays('JSON please')]);
		expect(chatBodies(sandbox)[0]).toEqual({
			model: 'gpt-4o-mini',
			messages: [{ role: 'user', content: 'JSON please' }],
			max_tokens: 300,
			temperature: 0.3,
			top_p: 0.9,
			frequency_penalty: 0.5,
			presence_penalty: -0.5,
			reasoning_effort: 'low',
			response_format: { type: 'json_object' },
			thinking: { type: 'enabled' },
			stream: true,
			stream_options: { include_usage: true },
		});

		await chatModel(sandbox, { config: { maxTokens: 300, maxTokensField: 'max_completion_tokens' } }).generate([userSays('hi')], {
			stopSequences: ['END'],
		});
		const body = chatBodies(sandbox)[1];
		expect(body.max_completion_tokens).toBe(300);
		expect(body).not.toHaveProperty('max_tokens');
		expect(body.stop).toEqual(['END']);
	});

	it('a call\'s settings win over the node\'s', async () => {
		await chatModel(sandbox, { config: { temperature: 1 } }).generate([userSays('hi')], { temperature: 0 });
		expect(chatBodies(sandbox)[0].temperature).toBe(0);
	});

	it('sends the SDK\'s tools as OpenAI functions, JSON Schema or zod', async () => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { z } = require('zod') as typeof import('zod');
		const model = chatModel(sandbox).withTools([
			calculatorTool,
			{ type: 'function', name: 'lookup', inputSchema: z.object({ id: z.string().describe('Order id') }) },
		]);
		await model.generate([userSays('What is 6 * 7?')]);
		const { tools } = chatBodies(sandbox)[0];
		expect(tools[0]).toEqual({
			type: 'function',
			function: { name: 'calculator', description: calculatorTool.description, parameters: calculatorTool.inputSchema },
		});
		expect(tools[1]).toMatchObject({
			type: 'function',
			function: { name: 'lookup', parameters: { type: 'object', properties: { id: { type: 'string', description: 'Order id' } } } },
		});
	});

	it('sends images of user messages as image_url parts and refuses other files, before sending', async () => {
		const model = chatModel(sandbox);
		await model.generate([
			{
				role: 'user',
				content: [
					{ type: 'text', text: 'What is this?' },
					{ type: 'file', mediaType: 'image/png', data: 'iVBORw0KGgo=' },
					{ type: 'file', mediaType: 'image/jpeg', data: 'https://example.com/cat.jpg' },
				],
			},
		]);
		expect(chatBodies(sandbox)[0].messages[0].content).toEqual([
			{ type: 'text', text: 'What is this?' },
			{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
			{ type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
		]);
		await expect(
			model.generate([{ role: 'user', content: [{ type: 'file', mediaType: 'application/pdf', data: 'JVBERi0=' }] }]),
		).rejects.toThrow('A message carries a file of type application/pdf: chat completions take images only');
		expect(chatBodies(sandbox)).toHaveLength(1);
	});
});

describe('what it returns', () => {
	it.each([
		['text', 'gpt-4o-mini', 'Tell me about deer', []],
		['reasoning', 'deepseek-reasoner', 'Why is the sky blue?', []],
		['a tool call', 'gpt-4o-mini', 'What is 6 * 7?', [calculatorTool]],
		['reasoning and a tool call', 'deepseek-reasoner', 'What is 6 * 7?', [calculatorTool]],
	])('generate and stream give the same message: %s', async (_case, modelId, prompt, tools) => {
		const model = chatModel(sandbox, { modelId }).withTools(tools);
		const generated = await model.generate([userSays(prompt)]);
		const streamed = await foldStream(model.stream([userSays(prompt)]));
		expect(streamed.content.map((block) => ({ ...block, toolCallId: undefined }))).toEqual(
			withoutIds(generated).map((block) =>
				// The sandbox's reasoning for a tool call names the call; the ids differ between two calls.
				block.type === 'reasoning' ? { ...block, text: expect.stringMatching(/^Thinking about: /) } : block,
			),
		);
		expect(streamed.finish?.finishReason).toBe(generated.finishReason);
		expect(streamed.finish?.usage).toEqual(generated.usage);
		expect(streamed.order.at(-1)).toBe('finish');
	});

	it('a plain answer: text, finish reason, usage as the relay counted it, the relay\'s id and model', async () => {
		const result = await chatModel(sandbox).generate([userSays('Hello')]);
		expect(result.message).toEqual({
			role: 'assistant',
			id: expect.stringMatching(/^chatcmpl-/),
			content: [{ type: 'text', text: 'Sandbox reply to: Hello' }],
		});
		expect(result.finishReason).toBe('stop');
		const completion = result.rawResponse as { usage: Record<string, number>; id: string };
		expect(result.usage).toEqual({
			promptTokens: completion.usage.prompt_tokens,
			completionTokens: completion.usage.completion_tokens,
			totalTokens: completion.usage.total_tokens,
		});
		expect(result.usage!.totalTokens).toBeGreaterThan(0);
		expect(result.id).toBe(completion.id);
		expect(result.providerMetadata).toMatchObject({ model_name: 'gpt-4o-mini', finish_reason: 'stop', request_id: expect.any(String) });
	});

	it('tool calls in the SDK\'s shape, with the reasoning first and its tokens counted', async () => {
		const model = chatModel(sandbox, { modelId: 'deepseek-reasoner' }).withTools([calculatorTool]);
		const result = await model.generate([userSays('What is 6 * 7?')]);
		expect(result.finishReason).toBe('tool-calls');
		const [reasoning, call, ...rest] = result.message.content;
		expect(rest).toEqual([]);
		expect(reasoning).toEqual({ type: 'reasoning', text: expect.stringMatching(/^Thinking about: What is 6 \* 7\? \(calculator for 6 \* 7, call_\d+\)$/) });
		expect(call).toEqual({ type: 'tool-call', toolCallId: expect.stringMatching(/^call_\d+$/), toolName: 'calculator', input: '{"input":"6 * 7"}' });
		expect(result.usage?.outputTokenDetails?.reasoning).toBeGreaterThan(0);
	});

	it('a length cut says so', async () => {
		const result = await chatModel(sandbox, { config: { maxTokens: 2 } }).generate([userSays('Tell me a long story')]);
		expect(result.finishReason).toBe('length');
	});
});

describe('errors', () => {
	it('carry the relay\'s message, status and request id', async () => {
		const model = chatModel(sandbox, { modelId: 'unavailable-model' });
		const failure = await model.generate([userSays('hi')]).catch((error: unknown) => error);
		expect(failure).toBeInstanceOf(RelayApiError);
		const error = failure as RelayApiError;
		expect(error.status).toBe(503);
		expect(error.relayMessage).toMatch(/^当前分组 default 下对于模型 unavailable-model 无可用渠道 \(request id: \w+\)$/);
		expect(error.message).toContain(error.relayMessage);
		await expect(foldStream(model.stream([userSays('hi')]))).rejects.toThrow(error.relayMessage.slice(0, 20));
	});

	it('go through the mapper it was given (n8n: the node error)', async () => {
		const mapped = new Error('mapped');
		const model = chatModel(sandbox, { modelId: 'unavailable-model', mapError: () => mapped });
		await expect(model.generate([userSays('hi')])).rejects.toBe(mapped);
	});

	it('retries a 429 as the relay asks, then answers', async () => {
		sandbox.fault({ path: '/v1/chat/completions', status: 429, headers: { 'retry-after-ms': '20' } });
		const result = await chatModel(sandbox).generate([userSays('hi')]);
		expect(result.message.content).toEqual([{ type: 'text', text: 'Sandbox reply to: hi' }]);
		expect(chatBodies(sandbox)).toHaveLength(2);
	});

	it('a stream that breaks after it started is not retried and fails', async () => {
		sandbox.fault({ path: '/v1/chat/completions', reset: 'mid-stream', afterChunks: 2 });
		await expect(foldStream(chatModel(sandbox).stream([userSays('a long answer please')]))).rejects.toThrow();
		expect(chatBodies(sandbox)).toHaveLength(1);
	});
});

describe('cancel', () => {
	it('the execution\'s signal aborts a call in flight at once', async () => {
		sandbox.fault({ path: '/v1/chat/completions', latencyMs: 10_000 });
		const controller = new AbortController();
		const model = chatModel(sandbox, { signal: controller.signal });
		const started = Date.now();
		const call = model.generate([userSays('hi')]);
		setTimeout(() => controller.abort(), 100);
		await expect(call).rejects.toBeInstanceOf(RelayAbortError);
		expect(Date.now() - started).toBeLessThan(3000);
	});

	it('the signal of the call (LangChain passes `signal`) aborts a stream mid-way', async () => {
		sandbox.fault({ path: '/v1/chat/completions', chunkDelayMs: 200 });
		const controller = new AbortController();
		const model = chatModel(sandbox);
		const seen: string[] = [];
		const run = (async () => {
			for await (const chunk of model.stream([userSays('a long answer please')], { signal: controller.signal } as never)) {
				seen.push(chunk.type);
				if (seen.length === 1) controller.abort();
			}
		})();
		await expect(run).rejects.toBeInstanceOf(RelayAbortError);
		expect(seen).not.toContain('finish');
	});
});

describe('the reasoning round trip (DeepSeek thinking mode with tools)', () => {
	const prompt = userSays('What is 6 * 7, and what is 12 + 30?');
	const toolResult = (toolCallId: string, result: string): Message => ({
		role: 'tool',
		content: [{ type: 'tool-result', toolCallId, result }],
	});
	const callOf = (result: GenerateResult) => {
		const block = result.message.content.find((content) => content.type === 'tool-call');
		if (block?.type !== 'tool-call') throw new Error('no tool call');
		return block;
	};

	it('over two tool turns when the agent sends back only the calls (as n8n\'s Agent v3 does)', async () => {
		const model = chatModel(sandbox, { modelId: 'deepseek-reasoner', scope: 'execution-1' }).withTools([calculatorTool]);
		const turn1 = await model.generate([prompt]);
		const call1 = callOf(turn1);
		// The assistant message as rebuilt from the engine's record of the call: no reasoning.
		const rebuilt1: Message = { role: 'assistant', content: [{ ...call1, providerMetadata: undefined }] };

		const turn2 = await model.generate([prompt, rebuilt1, toolResult(call1.toolCallId!, '42')]);
		const call2 = callOf(turn2);
		expect(JSON.parse(call2.input)).toEqual({ input: '12 + 30' });
		const rebuilt2: Message = { role: 'assistant', content: [call2] };

		const turn3 = await model.generate([prompt, rebuilt1, toolResult(call1.toolCallId!, '42'), rebuilt2, toolResult(call2.toolCallId!, '42')]);
		expect(turn3.message.content.find((block) => block.type === 'text')).toEqual({
			type: 'text',
			text: 'Sandbox reply to tool result: 42; 42',
		});

		const sent = chatBodies(sandbox).map((body) => body.messages);
		const reasoningOf = (result: GenerateResult) => result.message.content.find((block) => block.type === 'reasoning');
		expect(sent[1][1]).toEqual({
			role: 'assistant',
			content: null,
			tool_calls: [{ id: call1.toolCallId, type: 'function', function: { name: 'calculator', arguments: call1.input } }],
			reasoning_content: (reasoningOf(turn1) as { text: string }).text,
		});
		expect(sent[2][3].reasoning_content).toBe((reasoningOf(turn2) as { text: string }).text);
		expect(sent[2][1].reasoning_content).toBe(sent[1][1].reasoning_content);
	});

	it('also when streamed, and when the message comes back whole with its reasoning block', async () => {
		const model = chatModel(sandbox, { modelId: 'deepseek-reasoner', scope: 'execution-2' }).withTools([calculatorTool]);
		const turn1 = await foldStream(model.stream([prompt]));
		const call1 = turn1.content.find((block) => block.type === 'tool-call')!;
		const turn2 = await model.generate([
			prompt,
			{ role: 'assistant', content: turn1.content },
			toolResult((call1 as { toolCallId: string }).toolCallId, '42'),
		]);
		expect(turn2.finishReason).toBe('tool-calls');
	});

	it('is kept per execution: another execution\'s calls get nothing, and the relay refuses as DeepSeek does', async () => {
		const first = chatModel(sandbox, { modelId: 'deepseek-reasoner', scope: 'execution-3' }).withTools([calculatorTool]);
		const call1 = callOf(await first.generate([prompt]));
		const other = chatModel(sandbox, { modelId: 'deepseek-reasoner', scope: 'execution-4' }).withTools([calculatorTool]);
		const failure = await other
			.generate([prompt, { role: 'assistant', content: [call1] }, toolResult(call1.toolCallId!, '42')])
			.catch((error: unknown) => error);
		expect((failure as RelayApiError).status).toBe(400);
		expect((failure as RelayApiError).relayMessage).toMatch(/^Missing `reasoning_content` field in the assistant message at message index 1\./);
	});
});

it('a relay that ignores stream: true and answers JSON still works', async () => {
	// Through the transport: such an answer becomes an equivalent chunk sequence.
	const model = chatModel(sandbox, { client: relayClient(sandbox), config: { extraBody: { stream: false } } });
	const result = await model.generate([userSays('Hello')]);
	expect(result.message.content).toEqual([{ type: 'text', text: 'Sandbox reply to: Hello' }]);
	expect(chatBodies(sandbox)[0]).not.toHaveProperty('stream_options');
});
