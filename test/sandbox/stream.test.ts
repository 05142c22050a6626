import { startSandbox, type Sandbox } from '../../sandbox';
import { assembled, post, stream } from './http';

const PATH = '/v1/chat/completions';
const user = (content: string) => ({ role: 'user', content });

describe('sandbox chat streaming', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.close());

	it('streams SSE chunks that add up to the non-stream answer, ending with [DONE]', async () => {
		const request = { model: 'gpt-4o', messages: [user('Tell me about streaming in n8n please')] };
		const whole = await post(sandbox, PATH, request);
		const capture = await stream(sandbox, PATH, { ...request, stream: true });

		expect(capture.status).toBe(200);
		expect(capture.headers['content-type']).toBe('text/event-stream');
		expect(capture.headers['x-oneapi-request-id']).toBeDefined();
		expect(capture.ended).toBe(true);
		expect(capture.text.startsWith(': PING\n\n')).toBe(true);
		expect(capture.events.filter((e) => e === ': PING')).toHaveLength(2);
		expect(capture.events[capture.events.length - 1]).toBe('data: [DONE]');
		expect(capture.text.endsWith('data: [DONE]\n\n')).toBe(true);
		for (const event of capture.events) expect(event).toMatch(/^(: PING|data: .+)$/s);

		const content = whole.json.choices[0].message.content;
		expect(assembled(capture.data)).toBe(content);
		const first = capture.data[0];
		expect(first).toMatchObject({ object: 'chat.completion.chunk', model: 'gpt-4o' });
		expect(first.id).toMatch(/^chatcmpl-/);
		expect(first.choices[0].delta).toEqual({ role: 'assistant', content: '' });
		expect(new Set(capture.data.map((c) => c.id)).size).toBe(1);

		const contentDeltas = capture.data.filter((c) => typeof c.choices[0]?.delta?.content === 'string' && c.choices[0].delta.content !== '');
		expect(contentDeltas).toHaveLength(Math.ceil(content.length / 8));
		expect(contentDeltas.every((c) => c.choices[0].delta.content.length <= 8)).toBe(true);

		const last = capture.data[capture.data.length - 1];
		expect(last.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
		expect(capture.data.some((c) => 'usage' in c)).toBe(false);
	});

	it('sends a usage chunk with empty choices only with include_usage', async () => {
		const request = { model: 'gpt-4o', stream: true, messages: [user('count my tokens')] };
		const capture = await stream(sandbox, PATH, { ...request, stream_options: { include_usage: true } });
		const usageChunks = capture.data.filter((c) => 'usage' in c);
		expect(usageChunks).toHaveLength(1);
		expect(usageChunks[0].choices).toEqual([]);
		expect(capture.data[capture.data.length - 1]).toBe(usageChunks[0]);
		const whole = await post(sandbox, PATH, { ...request, stream: false });
		expect(usageChunks[0].usage).toEqual(whole.json.usage);
		expect(capture.done).toBe(true);
	});

	it('streams reasoning before content', async () => {
		const capture = await stream(sandbox, PATH, { model: 'deepseek-reasoner', stream: true, messages: [user('think')] });
		expect(assembled(capture.data, 'reasoning_content')).toBe('Thinking about: think');
		expect(assembled(capture.data)).toBe('Sandbox reply to: think');
		const kinds = capture.data
			.map((c) => c.choices[0]?.delta ?? {})
			.map((d) => (d.reasoning_content ? 'r' : d.content ? 'c' : '-'))
			.join('');
		expect(kinds).toMatch(/^-r+c+-$/);
	});

	it('streams tool calls as OpenAI does: header chunk, then argument fragments', async () => {
		const tools = [
			{
				type: 'function',
				function: {
					name: 'lookup_order',
					parameters: { type: 'object', properties: { order_id: { type: 'string' }, verbose: { type: 'boolean' } } },
				},
			},
		];
		const capture = await stream(sandbox, PATH, { model: 'gpt-4o', stream: true, tools, messages: [user('where is my order')] });
		const toolDeltas = capture.data.flatMap((c) => c.choices).filter((c: any) => c.delta.tool_calls);
		expect(toolDeltas.length).toBeGreaterThan(2);
		const head = toolDeltas[0].delta.tool_calls[0];
		expect(head).toEqual({
			index: 0,
			id: expect.stringMatching(/^call_\d+$/),
			type: 'function',
			function: { name: 'lookup_order', arguments: '' },
		});
		for (const fragment of toolDeltas.slice(1)) {
			expect(Object.keys(fragment.delta.tool_calls[0]).sort()).toEqual(['function', 'index']);
			expect(Object.keys(fragment.delta.tool_calls[0].function)).toEqual(['arguments']);
		}
		const args = toolDeltas.map((d: any) => d.delta.tool_calls[0].function.arguments).join('');
		expect(JSON.parse(args)).toEqual({ order_id: 'where is my order', verbose: true });
		expect(assembled(capture.data)).toBe('');
		const finish = capture.data.flatMap((c) => c.choices).find((c: any) => c.finish_reason);
		expect(finish.finish_reason).toBe('tool_calls');
	});

	it('interleaves n > 1 choices by index', async () => {
		const capture = await stream(sandbox, PATH, { model: 'gpt-4o', n: 2, stream: true, messages: [user('two please')] });
		expect(assembled(capture.data, 'content', 0)).toBe('Sandbox reply to: two please');
		expect(assembled(capture.data, 'content', 1)).toBe('Sandbox reply to: two please (choice 1)');
		const order = capture.data.map((c) => c.choices[0]?.index);
		expect(order.slice(0, 4)).toEqual([0, 1, 0, 1]);
		const finishes = capture.data.flatMap((c) => c.choices).filter((c: any) => c.finish_reason);
		expect(finishes.map((c: any) => c.index)).toEqual([0, 1]);
	});

	it('streams truncation with finish_reason length', async () => {
		const capture = await stream(sandbox, PATH, { model: 'gpt-4o', max_tokens: 2, stream: true, messages: [user('long')] });
		expect(assembled(capture.data)).toBe('Sandbox ');
		const finish = capture.data.flatMap((c) => c.choices).find((c: any) => c.finish_reason);
		expect(finish.finish_reason).toBe('length');
	});

	it('honours streamChunkSize and latency before the first byte', async () => {
		const small = await startSandbox({ streamChunkSize: 3, latencyMs: 120 });
		try {
			const started = Date.now();
			const capture = await stream(small, PATH, { model: 'gpt-4o', stream: true, messages: [user('abc')] });
			expect(Date.now() - started).toBeGreaterThanOrEqual(110);
			const pieces = capture.data.map((c) => c.choices[0]?.delta?.content).filter((c) => c);
			expect(pieces.join('')).toBe('Sandbox reply to: abc');
			expect(pieces.every((p: string) => p.length <= 3)).toBe(true);
			expect(pieces).toHaveLength(Math.ceil('Sandbox reply to: abc'.length / 3));
		} finally {
			await small.close();
		}
	});

	it('streams the chat-form image Markdown like the non-stream answer', async () => {
		const capture = await stream(sandbox, PATH, { model: 'gpt-4o-image', stream: true, messages: [user('a red fox')] });
		const content = assembled(capture.data);
		expect(content).toContain('>🕐 Queuing.');
		expect(content).toMatch(/!\[gen_\w+\]\(http:\/\/127\.0\.0\.1:\d+\/files\/gen\/\w+\.png\)$/);
	});
});
