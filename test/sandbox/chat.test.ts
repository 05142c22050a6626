import { startSandbox, type Sandbox } from '../../sandbox';
import { post } from './http';

const user = (content: unknown) => ({ role: 'user', content });

describe('sandbox chat completions (non-stream)', () => {
	let sandbox: Sandbox;
	const chat = (body: Record<string, unknown>, headers?: Record<string, string>) =>
		post(sandbox, '/v1/chat/completions', body, { headers });

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.close());

	it('answers a plain chat in OpenAI shape', async () => {
		const reply = await chat({
			model: 'gpt-4o',
			messages: [
				{ role: 'system', content: 'Be brief.' },
				user('first question'),
				{ role: 'assistant', content: 'first answer' },
				user('What is n8n?'),
			],
		});
		expect(reply.status).toBe(200);
		expect(reply.headers['content-type']).toMatch(/^application\/json/);
		const body = reply.json;
		expect(body.id).toMatch(/^chatcmpl-\w+$/);
		expect(body.object).toBe('chat.completion');
		expect(Math.abs(body.created - Date.now() / 1000)).toBeLessThan(5);
		expect(body.model).toBe('gpt-4o');
		expect(body.system_fingerprint).toBeNull();
		expect(body.choices).toEqual([
			{
				index: 0,
				message: { role: 'assistant', content: 'Sandbox reply to: What is n8n?' },
				logprobs: null,
				finish_reason: 'stop',
			},
		]);
		const promptChars = 'Be brief.first questionfirst answerWhat is n8n?'.length;
		expect(body.usage).toEqual({
			prompt_tokens: Math.ceil(promptChars / 4),
			completion_tokens: Math.ceil('Sandbox reply to: What is n8n?'.length / 4),
			total_tokens: Math.ceil(promptChars / 4) + Math.ceil('Sandbox reply to: What is n8n?'.length / 4),
		});
		expect(body).not.toHaveProperty('error');
	});

	it('joins text parts and describes attached images', async () => {
		const reply = await chat({
			model: 'gpt-4o',
			messages: [
				user([
					{ type: 'text', text: 'What is in' },
					{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
					{ type: 'text', text: 'these pictures?' },
					{ type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } },
					{ type: 'image_url', image_url: 'data:image/webp;base64,UklGRg==' },
				]),
			],
		});
		expect(reply.json.choices[0].message.content).toBe(
			'Sandbox reply to: What is in these pictures? [images: 3 image/png,url,image/webp]',
		);
	});

	it('answers JSON for response_format json_object', async () => {
		const reply = await chat({
			model: 'deepseek-chat',
			response_format: { type: 'json_object' },
			messages: [user('give me json')],
		});
		const content = reply.json.choices[0].message.content;
		expect(JSON.parse(content)).toEqual({ reply: 'Sandbox reply to: give me json', model: 'deepseek-chat' });
	});

	it('answers an object generated from a json_schema', async () => {
		const schema = {
			type: 'object',
			properties: {
				title: { type: 'string' },
				score: { type: 'number' },
				count: { type: 'integer' },
				done: { type: 'boolean' },
				tags: { type: 'array', items: { type: 'string' } },
				mood: { type: 'string', enum: ['happy', 'sad'] },
				author: {
					type: 'object',
					properties: { name: { type: 'string' }, age: { type: ['integer', 'null'] } },
					required: ['name', 'email'],
				},
				ref: { $ref: '#/$defs/point' },
			},
			required: ['title'],
			$defs: { point: { type: 'object', properties: { x: { type: 'number' } } } },
		};
		const reply = await chat({
			model: 'gpt-4o-mini',
			response_format: { type: 'json_schema', json_schema: { name: 'card', schema, strict: true } },
			messages: [user('fill the card')],
		});
		expect(JSON.parse(reply.json.choices[0].message.content)).toEqual({
			title: 'sample title',
			score: 1,
			count: 1,
			done: true,
			tags: ['sample tags'],
			mood: 'happy',
			author: { name: 'sample name', age: 1, email: 'sample email' },
			ref: { x: 1 },
		});
	});

	it.each(['json_object', 'json_schema'])('breaks the JSON on request (INVALID_JSON, %s)', async (type) => {
		const reply = await chat({
			model: 'gpt-4o',
			response_format: { type, json_schema: { name: 'x', schema: { type: 'object' } } },
			messages: [user('please INVALID_JSON')],
		});
		const content = reply.json.choices[0].message.content;
		expect(content).toBe('Sure! Here is your JSON: {oops');
		expect(() => JSON.parse(content)).toThrow();
	});

	const weatherTools = [
		{
			type: 'function',
			function: {
				name: 'get_weather',
				parameters: {
					type: 'object',
					properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] }, days: { type: 'integer' } },
					required: ['city'],
				},
			},
		},
		{
			type: 'function',
			function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } },
		},
	];

	it('calls the first tool, the prompt in its first text argument and the rest generated from its schema', async () => {
		const reply = await chat({ model: 'gpt-4o', tools: weatherTools, messages: [user('weather in Paris?')] });
		const choice = reply.json.choices[0];
		expect(choice.finish_reason).toBe('tool_calls');
		expect(choice.message.content).toBeNull();
		expect(choice.message.tool_calls).toHaveLength(1);
		const callEntry = choice.message.tool_calls[0];
		expect(callEntry).toEqual({
			id: expect.stringMatching(/^call_\d+$/),
			type: 'function',
			function: { name: 'get_weather', arguments: expect.any(String) },
		});
		expect(JSON.parse(callEntry.function.arguments)).toEqual({ city: 'weather in Paris?', unit: 'c', days: 1 });
	});

	it('calls the tool named by tool_choice, and none when tool_choice is none', async () => {
		const named = await chat({
			model: 'gpt-4o',
			tools: weatherTools,
			tool_choice: { type: 'function', function: { name: 'get_time' } },
			messages: [user('time?')],
		});
		expect(named.json.choices[0].message.tool_calls[0].function).toEqual({
			name: 'get_time',
			arguments: '{"zone":"time?"}',
		});
		const none = await chat({ model: 'gpt-4o', tools: weatherTools, tool_choice: 'none', messages: [user('time?')] });
		expect(none.json.choices[0].message).toEqual({ role: 'assistant', content: 'Sandbox reply to: time?' });
		expect(none.json.choices[0].finish_reason).toBe('stop');
	});

	it('gives tool call ids that differ between calls', async () => {
		const a = await chat({ model: 'gpt-4o', tools: weatherTools, messages: [user('a')] });
		const b = await chat({ model: 'gpt-4o', tools: weatherTools, messages: [user('b')] });
		expect(a.json.choices[0].message.tool_calls[0].id).not.toBe(b.json.choices[0].message.tool_calls[0].id);
	});

	it('answers a tool result instead of calling again', async () => {
		const reply = await chat({
			model: 'gpt-4o',
			tools: weatherTools,
			messages: [
				user('weather in Paris?'),
				{
					role: 'assistant',
					content: null,
					tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
				},
				{ role: 'tool', tool_call_id: 'call_9', content: '{"temp":21}' },
			],
		});
		expect(reply.json.choices[0].message).toEqual({
			role: 'assistant',
			content: 'Sandbox reply to tool result: {"temp":21}',
		});
		expect(reply.json.choices[0].finish_reason).toBe('stop');
	});

	it.each(['deepseek-reasoner', 'deepseek-r1', 'claude-sonnet-4-20250514-thinking'])(
		'adds reasoning_content for %s',
		async (model) => {
			const reply = await chat({ model, messages: [user('why is the sky blue?')] });
			const message = reply.json.choices[0].message;
			expect(message.reasoning_content).toBe('Thinking about: why is the sky blue?');
			expect(message.content).toBe('Sandbox reply to: why is the sky blue?');
			const reasoningTokens = Math.ceil('Thinking about: why is the sky blue?'.length / 4);
			expect(reply.json.usage.completion_tokens_details).toEqual({ reasoning_tokens: reasoningTokens });
			expect(reply.json.usage.completion_tokens).toBe(
				reasoningTokens + Math.ceil('Sandbox reply to: why is the sky blue?'.length / 4),
			);
		},
	);

	it('has no reasoning for ordinary models', async () => {
		const reply = await chat({ model: 'deepseek-chat', messages: [user('hi')] });
		expect(reply.json.choices[0].message).not.toHaveProperty('reasoning_content');
		expect(reply.json.usage).not.toHaveProperty('completion_tokens_details');
	});

	it('answers n choices, suffixed from the second on', async () => {
		const reply = await chat({ model: 'gpt-4o', n: 3, messages: [user('pick')] });
		expect(reply.json.choices.map((c: any) => [c.index, c.message.content])).toEqual([
			[0, 'Sandbox reply to: pick'],
			[1, 'Sandbox reply to: pick (choice 1)'],
			[2, 'Sandbox reply to: pick (choice 2)'],
		]);
	});

	it.each(['max_tokens', 'max_completion_tokens'])('truncates to %s with finish_reason length', async (field) => {
		const reply = await chat({ model: 'gpt-4o', [field]: 3, messages: [user('tell me a long story about deer')] });
		const choice = reply.json.choices[0];
		expect(choice.message.content).toBe('Sandbox reply'.slice(0, 12));
		expect(choice.finish_reason).toBe('length');
		expect(reply.json.usage.completion_tokens).toBe(3);
	});

	it('does not truncate when the limit is large enough', async () => {
		const reply = await chat({ model: 'gpt-4o', max_tokens: 100, messages: [user('short')] });
		expect(reply.json.choices[0].finish_reason).toBe('stop');
		expect(reply.json.choices[0].message.content).toBe('Sandbox reply to: short');
	});

	it('adds DeerAPI\'s "data": null, "error": {} for deer-quirk models and the quirk header', async () => {
		const byModel = await chat({ model: 'deer-quirk-gpt-4o', messages: [user('q')] });
		expect(byModel.status).toBe(200);
		expect(byModel.json.data).toBeNull();
		expect(byModel.json.error).toEqual({});
		expect(byModel.json.choices[0].message.content).toBe('Sandbox reply to: q');
		const byHeader = await chat({ model: 'gpt-4o', messages: [user('q')] }, { 'x-sandbox-quirk': '1' });
		expect(byHeader.json).toMatchObject({ data: null, error: {} });
	});

	it('requires messages', async () => {
		const reply = await chat({ model: 'gpt-4o' });
		expect(reply.status).toBe(400);
		expect(reply.json.error.message).toMatch(/messages/);
	});
});
