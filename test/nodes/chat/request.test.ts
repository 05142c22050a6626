/**
 * DeerAPI Chat: what each parameter and option puts into the request the relay receives.
 * Real workflows (Manual Trigger -> DeerAPI Chat) through n8n-core, against the sandbox.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../../sandbox';
import { toBinaryData } from '../../../harness/workflow';
import { byId, chatRequests, lastChatBody, NODE, nodeError, runChat, userMessage } from './helpers';

let sandbox: Sandbox;
let png: Buffer;
let jpeg: Buffer;

beforeAll(async () => {
	sandbox = await startSandbox();
	png = Buffer.from(await (await fetch(sandbox.fileUrl('sample.png'))).arrayBuffer());
	jpeg = Buffer.from(await (await fetch(sandbox.fileUrl('sample.jpg'))).arrayBuffer());
});
afterAll(() => sandbox.close());
beforeEach(() => {
	sandbox.clearRequests();
	sandbox.clearFaults();
});

const STREAM = { stream: true, stream_options: { include_usage: true } };

describe('messages', () => {
	it('sends a plain chat with the key, streaming by default, and nothing the user did not set', async () => {
		const result = await runChat(sandbox, { parameters: { messages: userMessage('Write a haiku about deer') } });

		expect(result.status).toBe('success');
		const request = sandbox.lastRequest('/v1/chat/completions')!;
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/v1/chat/completions');
		expect(request.headers.authorization).toBe(`Bearer ${sandbox.apiKey}`);
		expect(request.headers['content-type']).toBe('application/json');
		expect(request.body).toEqual({
			model: 'gpt-4o',
			messages: [{ role: 'user', content: 'Write a haiku about deer' }],
			...STREAM,
		});
		expect(result.json(NODE)).toEqual([
			{
				content: 'Sandbox reply to: Write a haiku about deer',
				finishReason: 'stop',
				model: 'gpt-4o',
				usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) },
				id: expect.stringMatching(/^chatcmpl-/),
			},
		]);
	});

	it('sends the system message first, then the messages in order', async () => {
		await runChat(sandbox, {
			parameters: {
				systemMessage: 'You are terse.',
				messages: {
					values: [
						{ role: 'user', content: 'Name a colour' },
						{ role: 'assistant', content: 'Red' },
						{ role: 'system', content: 'Answer in French.' },
						{ role: 'user', content: 'Another one' },
					],
				},
			},
		});
		expect(lastChatBody(sandbox).messages).toEqual([
			{ role: 'system', content: 'You are terse.' },
			{ role: 'user', content: 'Name a colour' },
			{ role: 'assistant', content: 'Red' },
			{ role: 'system', content: 'Answer in French.' },
			{ role: 'user', content: 'Another one' },
		]);
	});

	it('takes a whole conversation from the input item, between the system message and the messages', async () => {
		const history = [
			{ role: 'user', content: 'My name is Ada.', timestamp: '2025-01-01T10:00:00Z' },
			{ role: 'assistant', content: 'Hello Ada!', id: 'msg_1' },
		];
		const result = await runChat(sandbox, {
			parameters: {
				systemMessage: 'Be kind.',
				history: '={{ $json.history }}',
				messages: userMessage('={{ $json.question }}'),
			},
			input: [
				{ json: { history, question: 'What is my name?' } },
				{ json: { history: JSON.stringify(history.slice(0, 1)), question: 'And again?' } },
			],
		});

		const [first, second] = chatRequests(sandbox).map((request) => request.body.messages);
		// Fields the API does not know (timestamps, ids) stay out of the request.
		expect(first).toEqual([
			{ role: 'system', content: 'Be kind.' },
			{ role: 'user', content: 'My name is Ada.' },
			{ role: 'assistant', content: 'Hello Ada!' },
			{ role: 'user', content: 'What is my name?' },
		]);
		expect(second).toEqual([
			{ role: 'system', content: 'Be kind.' },
			{ role: 'user', content: 'My name is Ada.' },
			{ role: 'user', content: 'And again?' },
		]);
		expect(result.json(NODE).map((json) => json.content)).toEqual([
			'Sandbox reply to: What is my name?',
			'Sandbox reply to: And again?',
		]);
	});

	it('sends a conversation alone, with tool calls and tool results kept', async () => {
		const history = [
			{ role: 'user', content: 'Weather in Oslo?' },
			{
				role: 'assistant',
				content: null,
				tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }],
			},
			{ role: 'tool', tool_call_id: 'call_1', content: '12 degrees' },
		];
		const result = await runChat(sandbox, {
			parameters: { history: JSON.stringify(history), messages: {} },
		});
		expect(lastChatBody(sandbox).messages).toEqual(history);
		expect(result.json(NODE)[0].content).toBe('Sandbox reply to tool result: 12 degrees');
	});

	it('keeps reasoning_content on assistant entries, so a thinking model takes its tool turn back', async () => {
		const tools = JSON.stringify([{ name: 'calculator', parameters: { type: 'object', properties: { input: { type: 'string' } } } }]);
		const question = { role: 'user', content: 'What is 6 * 7?' };
		const first = await runChat(sandbox, {
			parameters: { model: byId('deepseek-reasoner'), messages: {}, history: JSON.stringify([question]), simplify: false, options: { tools } },
		});
		const answer = (first.json(NODE)[0].choices as Array<{ message: IDataObject }>)[0].message;
		expect(answer.reasoning_content).toMatch(/^Thinking about: What is 6 \* 7\?/);
		const call = (answer.tool_calls as IDataObject[])[0];
		const history: IDataObject[] = [
			question,
			{ ...answer, timestamp: '2026-12-01T10:00:00Z' },
			{ role: 'tool', tool_call_id: call.id, content: '42', reasoning_content: 'not for tools' },
		];

		const second = await runChat(sandbox, {
			parameters: { model: byId('deepseek-reasoner'), messages: {}, history: JSON.stringify(history), options: { tools } },
		});
		expect(second.status).toBe('success');
		expect(lastChatBody(sandbox).messages).toEqual([
			question,
			{ role: 'assistant', content: null, tool_calls: answer.tool_calls, reasoning_content: answer.reasoning_content },
			{ role: 'tool', tool_call_id: call.id, content: '42' },
		]);
		expect(second.json(NODE)[0].content).toBe('Sandbox reply to tool result: 42');

		// Without it the relay refuses the turn, as DeepSeek does.
		const stripped = history.map(({ reasoning_content: _dropped, ...rest }) => rest);
		const refused = await runChat(sandbox, {
			parameters: { model: byId('deepseek-reasoner'), messages: {}, history: JSON.stringify(stripped), options: { tools } },
		});
		expect(refused.error?.message).toMatch(/Missing `reasoning_content` field in the assistant message at message index 1/);
	});

	it.each([
		[{ history: '[{"role":"user","content":"hi"},{"role":"bot","content":"hello"}]' }, 'Conversation History: entry 2 has the role "bot"'],
		[{ history: '[{"role":"user"}]' }, 'Conversation History: entry 1 (user) has no "content"'],
		[{ history: '[{"role":"user","content":"hi"},' }, 'Conversation History: not valid JSON'],
		[{ history: '{"role":"user","content":"hi"}' }, 'Conversation History: must be a JSON array, got object'],
		[{ messages: {} }, 'Messages: there is no message to send'],
		[{ messages: { values: [{ role: 'user', content: 'hi' }, { role: 'user', content: '' }] } }, 'Messages: message 2 (user) is empty'],
	])('refuses bad messages before sending: %j', async (parameters, message) => {
		const result = await runChat(sandbox, { parameters: { messages: userMessage('hi'), ...parameters } });
		const error = nodeError(result);
		expect(error.constructor.name).toBe('NodeOperationError');
		expect(error.message).toContain(message);
		expect(error.context?.itemIndex).toBe(0);
		expect(chatRequests(sandbox)).toHaveLength(0);
	});

	it('refuses an empty model, naming the field', async () => {
		const result = await runChat(sandbox, {
			parameters: { model: byId('={{ $json.model }}'), messages: userMessage('hi') },
			input: [{ json: { model: '' } }],
		});
		expect(nodeError(result).message).toBe('Model: no model is selected');
		expect(chatRequests(sandbox)).toHaveLength(0);
	});
});

describe('images (vision)', () => {
	it('sends image URLs as given, with detail, without downloading them', async () => {
		const url = sandbox.fileUrl('sample.png');
		const result = await runChat(sandbox, {
			parameters: {
				messages: userMessage('What is in these pictures?'),
				images: {
					values: [
						{ source: 'url', url, detail: 'low' },
						{ source: 'url', url: '={{ $json.more }}', detail: 'auto' },
					],
				},
			},
			input: [{ json: { more: ['https://example.com/a.jpg', 'https://example.com/b.webp'] } }],
		});

		expect(lastChatBody(sandbox).messages).toEqual([
			{
				role: 'user',
				content: [
					{ type: 'text', text: 'What is in these pictures?' },
					{ type: 'image_url', image_url: { url, detail: 'low' } },
					{ type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } },
					{ type: 'image_url', image_url: { url: 'https://example.com/b.webp' } },
				],
			},
		]);
		expect(sandbox.requests.filter((request) => request.path.startsWith('/files/'))).toHaveLength(0);
		expect(result.json(NODE)[0].content).toBe('Sandbox reply to: What is in these pictures? [images: 3 url,url,url]');
	});

	it('sends binary files as data URLs with the MIME type of their bytes', async () => {
		const result = await runChat(sandbox, {
			parameters: {
				messages: userMessage('Describe'),
				images: { values: [{ source: 'binary', binaryPropertyName: 'photo, scan', detail: 'high' }] },
			},
			input: [
				{
					json: {},
					binary: {
						// Declared types are often wrong (uploads, octet-stream downloads): the bytes decide.
						photo: await toBinaryData(png, 'photo.bin', 'application/octet-stream'),
						scan: await toBinaryData(jpeg, 'scan.png', 'image/png'),
					},
				},
			],
		});

		expect(lastChatBody(sandbox).messages).toEqual([
			{
				role: 'user',
				content: [
					{ type: 'text', text: 'Describe' },
					{ type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}`, detail: 'high' } },
					{ type: 'image_url', image_url: { url: `data:image/jpeg;base64,${jpeg.toString('base64')}`, detail: 'high' } },
				],
			},
		]);
		expect(result.json(NODE)[0].content).toBe('Sandbox reply to: Describe [images: 2 image/png,image/jpeg]');
	});

	it('attaches images to the last user message of the conversation, even without text', async () => {
		await runChat(sandbox, {
			parameters: {
				history: JSON.stringify([{ role: 'user', content: [{ type: 'text', text: 'Look:' }] }, { role: 'assistant', content: 'Ok' }]),
				messages: { values: [{ role: 'user', content: '' }] },
				images: { values: [{ source: 'url', url: 'https://example.com/cat.png' }] },
			},
		});
		expect(lastChatBody(sandbox).messages).toEqual([
			{ role: 'user', content: [{ type: 'text', text: 'Look:' }] },
			{ role: 'assistant', content: 'Ok' },
			{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] },
		]);
	});

	it.each([
		[
			'a file that is not an image',
			{ values: [{ source: 'binary', binaryPropertyName: 'data' }] },
			'Images: the binary field "data" is not an image (text/plain, notes.txt)',
		],
		[
			'a binary field the item does not have',
			{ values: [{ source: 'binary', binaryPropertyName: 'photo' }] },
			'Images: the input item has no binary field "photo"',
		],
		['an empty URL', { values: [{ source: 'url', url: '' }] }, 'Images: image 1 has no URL'],
		['a URL that is not one', { values: [{ source: 'url', url: 'cat.png' }] }, 'Images: image 1: "cat.png" is not an http(s) or data:image URL'],
	])('refuses %s', async (_case, images, message) => {
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('Describe'), images },
			input: [{ json: {}, binary: { data: await toBinaryData('meeting notes', 'notes.txt', 'text/plain') } }],
		});
		const error = nodeError(result);
		expect(error.message).toBe(message);
		if (message.includes('"photo"')) expect(error.description).toBe('Its binary fields: data.');
		expect(chatRequests(sandbox)).toHaveLength(0);
	});

	it('refuses images when there is no user message to carry them', async () => {
		const result = await runChat(sandbox, {
			parameters: {
				messages: { values: [{ role: 'system', content: 'Describe images.' }] },
				images: { values: [{ source: 'url', url: 'https://example.com/cat.png' }] },
			},
		});
		expect(nodeError(result).message).toBe('Images: there is no user message to attach the images to');
	});
});

describe('options', () => {
	it('sends every sampling option the user set, under its API name', async () => {
		await runChat(sandbox, {
			parameters: {
				messages: userMessage('hi'),
				options: {
					temperature: 0.3,
					topP: 0.9,
					maxTokens: 200,
					n: 2,
					stop: '["\\n\\n", "END"]',
					presencePenalty: 0.5,
					frequencyPenalty: -0.5,
					seed: 42,
					reasoningEffort: 'low',
					user: 'customer-17',
					stream: false,
				},
			},
		});
		expect(lastChatBody(sandbox)).toEqual({
			model: 'gpt-4o',
			messages: [{ role: 'user', content: 'hi' }],
			temperature: 0.3,
			top_p: 0.9,
			max_tokens: 200,
			n: 2,
			stop: ['\n\n', 'END'],
			presence_penalty: 0.5,
			frequency_penalty: -0.5,
			seed: 42,
			reasoning_effort: 'low',
			user: 'customer-17',
		});
	});

	it('reads stop sequences one per line', async () => {
		await runChat(sandbox, { parameters: { messages: userMessage('hi'), options: { stop: 'END\nSTOP' } } });
		expect(lastChatBody(sandbox).stop).toEqual(['END', 'STOP']);
	});

	it.each([
		['max_tokens', {}],
		['max_tokens', { maxTokensField: 'max_tokens' }],
		['max_completion_tokens', { maxTokensField: 'max_completion_tokens' }],
	])('sends the token limit as %s (%j)', async (field, extra) => {
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('a question long enough to be cut off'), options: { maxTokens: 3, ...extra } },
		});
		const body = lastChatBody(sandbox);
		expect(body[field]).toBe(3);
		expect(Object.keys(body).filter((key) => key.startsWith('max_'))).toEqual([field]);
		expect(result.json(NODE)[0]).toMatchObject({ content: 'Sandbox repl', finishReason: 'length' });
	});

	it('sends no stream fields when Stream is off', async () => {
		await runChat(sandbox, { parameters: { messages: userMessage('hi'), options: { stream: false } } });
		const body = lastChatBody(sandbox);
		expect(body).not.toHaveProperty('stream');
		expect(body).not.toHaveProperty('stream_options');
		expect(sandbox.lastRequest('/v1/chat/completions')!.headers.accept).toBe('application/json');
	});

	it('merges Extra Body Fields over the request', async () => {
		await runChat(sandbox, {
			parameters: {
				messages: userMessage('hi'),
				options: {
					temperature: 0.2,
					extraBody: '{"thinking": {"type": "enabled"}, "enable_search": true, "temperature": 0.7}',
				},
			},
		});
		expect(lastChatBody(sandbox)).toEqual({
			model: 'gpt-4o',
			messages: [{ role: 'user', content: 'hi' }],
			temperature: 0.7,
			thinking: { type: 'enabled' },
			enable_search: true,
			...STREAM,
		});
	});

	it('drops stream_options when Extra Body Fields turn streaming off', async () => {
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('hi'), options: { extraBody: { stream: false } } },
		});
		const body = lastChatBody(sandbox);
		expect(body.stream).toBe(false);
		expect(body).not.toHaveProperty('stream_options');
		expect(result.json(NODE)[0].content).toBe('Sandbox reply to: hi');
	});

	it('asks for a JSON object and parses the reply into json', async () => {
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('Answer in JSON'), options: { responseFormat: 'json_object' } },
		});
		expect(lastChatBody(sandbox).response_format).toEqual({ type: 'json_object' });
		const [item] = result.json(NODE);
		expect(item.json).toEqual({ reply: 'Sandbox reply to: Answer in JSON', model: 'gpt-4o' });
		expect(JSON.parse(item.content as string)).toEqual(item.json);
	});

	it('sends a JSON schema with its name and strictness and parses the reply', async () => {
		const schema = {
			type: 'object',
			properties: { title: { type: 'string' }, score: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } },
			required: ['title', 'score', 'tags'],
			additionalProperties: false,
		};
		const result = await runChat(sandbox, {
			parameters: {
				messages: userMessage('Rate this'),
				options: { responseFormat: 'json_schema', jsonSchema: JSON.stringify(schema), jsonSchemaName: 'rating', jsonSchemaStrict: true },
			},
		});
		expect(lastChatBody(sandbox).response_format).toEqual({
			type: 'json_schema',
			json_schema: { name: 'rating', schema, strict: true },
		});
		expect(result.json(NODE)[0].json).toEqual({ title: 'sample title', score: 1, tags: ['sample tags'] });
	});

	it('sends text format as no response_format at all', async () => {
		await runChat(sandbox, { parameters: { messages: userMessage('hi'), options: { responseFormat: 'text' } } });
		expect(lastChatBody(sandbox)).not.toHaveProperty('response_format');
	});

	it.each(['json_object', 'json_schema'])('fails clearly when a %s reply is not JSON, saying what came back', async (format) => {
		const result = await runChat(sandbox, {
			parameters: {
				messages: userMessage('INVALID_JSON please'),
				options: { responseFormat: format, jsonSchema: '{"type":"object"}' },
			},
		});
		const error = nodeError(result);
		expect(error.constructor.name).toBe('NodeOperationError');
		expect(error.message).toMatch(/^The model's reply is not valid JSON \(.+\): "Sure! Here is your JSON: \{oops"$/);
		expect(error.context?.itemIndex).toBe(0);
	});

	it('parses JSON the model wrapped in a ```json fence', async () => {
		sandbox.fault({
			path: '/v1/chat/completions',
			status: 200,
			body: {
				id: 'chatcmpl-fenced',
				object: 'chat.completion',
				model: 'gpt-4o',
				choices: [{ index: 0, message: { role: 'assistant', content: '```json\n{"city": "Oslo", "days": [1, 2]}\n```' }, finish_reason: 'stop' }],
			},
		});
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('JSON please'), options: { responseFormat: 'json_object', stream: false } },
		});
		expect(result.json(NODE)[0]).toMatchObject({ json: { city: 'Oslo', days: [1, 2] }, id: 'chatcmpl-fenced' });
	});

	it.each([
		['JSON Schema', { responseFormat: 'json_schema', jsonSchema: '{"type": "object",' }, 'JSON Schema: not valid JSON'],
		['JSON Schema', { responseFormat: 'json_schema' }, 'JSON Schema: is required when Response Format is JSON Schema'],
		['Tools', { tools: '[{"type": "function", ' }, 'Tools: not valid JSON'],
		['Tools', { tools: '[{"description": "no name"}]' }, 'Tools: tool 1 has no function name'],
		['Extra Body Fields', { extraBody: '{thinking: true}' }, 'Extra Body Fields: not valid JSON'],
		['Extra Body Fields', { extraBody: '[1]' }, 'Extra Body Fields: must be a JSON object, got an array'],
		['Stop Sequences', { stop: '["END", 3]' }, 'Stop Sequences: must be a list of non-empty strings'],
		['Tool Choice', { toolChoice: 'required' }, 'Tool Choice: needs at least one tool in "Tools"'],
		// Read before the paid call, not after the answer has come.
		['Max Download Size', { maxDownloadMb: 0 }, 'Max Download Size (MB): must be above 0, got 0'],
		['Download Timeout', { imageDownloadTimeout: -1 }, 'Download Timeout: must be a number of seconds above 0, got -1'],
		['Binary Field Prefix', { imagePropertyPrefix: 'my image ' }, 'Binary Field Prefix: must not contain spaces, got "my image"'],
		[
			'Tool Function Name',
			{ tools: '[{"name": "lookup", "parameters": {"type": "object"}}]', toolChoice: 'function', toolChoiceFunction: 'search' },
			'Tool Function Name: "search" is not one of the Tools',
		],
	])('refuses a bad %s before sending', async (_field, options, message) => {
		const result = await runChat(sandbox, { parameters: { messages: userMessage('hi'), options } });
		const error = nodeError(result);
		expect(error.constructor.name).toBe('NodeOperationError');
		expect(error.message.startsWith(message)).toBe(true);
		expect(chatRequests(sandbox)).toHaveLength(0);
	});
});

describe('tools', () => {
	const lookup = {
		name: 'lookup_order',
		description: 'Find an order',
		parameters: {
			type: 'object',
			properties: { orderId: { type: 'string' }, express: { type: 'boolean' } },
			required: ['orderId', 'express'],
		},
	};

	it('sends function definitions (bare ones wrapped) and returns the calls with parsed arguments', async () => {
		const notify = { type: 'function', function: { name: 'notify', parameters: { type: 'object', properties: {} } } };
		const result = await runChat(sandbox, {
			parameters: {
				messages: userMessage('Where is order 42?'),
				options: { tools: JSON.stringify([lookup, notify]), toolChoice: 'required' },
			},
		});
		expect(lastChatBody(sandbox)).toMatchObject({
			tools: [{ type: 'function', function: lookup }, notify],
			tool_choice: 'required',
		});
		const [item] = result.json(NODE);
		expect(item).toMatchObject({
			content: '',
			finishReason: 'tool_calls',
			toolCalls: [{ id: expect.stringMatching(/^call_/), name: 'lookup_order', arguments: { orderId: 'Where is order 42?', express: true } }],
		});
	});

	it('forces a specific function', async () => {
		const result = await runChat(sandbox, {
			parameters: {
				messages: userMessage('Notify me'),
				options: {
					tools: JSON.stringify([lookup, { name: 'notify', parameters: { type: 'object', properties: { text: { type: 'string' } } } }]),
					toolChoice: 'function',
					toolChoiceFunction: 'notify',
				},
			},
		});
		expect(lastChatBody(sandbox).tool_choice).toEqual({ type: 'function', function: { name: 'notify' } });
		expect((result.json(NODE)[0].toolCalls as Array<{ name: string }>)[0].name).toBe('notify');
	});

	it('sends tool_choice none and gets text back', async () => {
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('Just talk'), options: { tools: JSON.stringify([lookup]), toolChoice: 'none' } },
		});
		expect(lastChatBody(sandbox).tool_choice).toBe('none');
		expect(result.json(NODE)[0]).toMatchObject({ content: 'Sandbox reply to: Just talk', finishReason: 'stop' });
		expect(result.json(NODE)[0]).not.toHaveProperty('toolCalls');
	});
});

describe('parameters read per item', () => {
	// Fixed parameters are read once per run; whatever holds an expression must still follow each item.
	it('resolves expressions in the model, an option and the messages for every item; fixed ones are the same for all', async () => {
		const result = await runChat(sandbox, {
			parameters: {
				model: byId('={{ $json.model }}'),
				systemMessage: 'Answer briefly.',
				messages: userMessage('={{ $json.q }}'),
				options: { temperature: 0.2, seed: '={{ $json.seed }}', maxConcurrency: 1 },
			},
			input: [
				{ json: { model: 'gpt-4o', q: 'one', seed: 1 } },
				{ json: { model: 'gpt-4o-mini', q: 'two', seed: 2 } },
				{ json: { model: 'gpt-4o', q: 'three', seed: 3 } },
			],
		});
		expect(result.status).toBe('success');
		expect(chatRequests(sandbox).map((request) => request.body)).toEqual(
			[
				['gpt-4o', 'one', 1],
				['gpt-4o-mini', 'two', 2],
				['gpt-4o', 'three', 3],
			].map(([model, q, seed]) => ({
				model,
				messages: [
					{ role: 'system', content: 'Answer briefly.' },
					{ role: 'user', content: q },
				],
				temperature: 0.2,
				seed,
				...STREAM,
			})),
		);
		expect(result.json(NODE).map((json) => json.content)).toEqual(['one', 'two', 'three'].map((q) => `Sandbox reply to: ${q}`));
	});

	it('gives each item its own error when a fixed parameter is invalid, under Continue On Fail', async () => {
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('={{ $json.q }}'), options: { extraBody: '{not json' } },
			input: [{ json: { q: 'one' } }, { json: { q: 'two' } }, { json: { q: 'three' } }],
			continueOnFail: true,
		});
		expect(result.status).toBe('success');
		const items = result.output(NODE);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		for (const item of items) expect(item.json.error).toMatch(/^Extra Body Fields: not valid JSON/);
		expect(chatRequests(sandbox)).toHaveLength(0);
	});

	it('fails only the item whose expression gives an invalid value, under Continue On Fail', async () => {
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('={{ $json.q }}'), options: { extraBody: '={{ $json.extra }}', maxConcurrency: 1 } },
			input: [
				{ json: { q: 'one', extra: '{"watermark": false}' } },
				{ json: { q: 'two', extra: '{broken' } },
				{ json: { q: 'three', extra: '{}' } },
			],
			continueOnFail: true,
		});
		const items = result.output(NODE);
		expect(items[0].json.content).toBe('Sandbox reply to: one');
		expect(items[1].json.error).toMatch(/^Extra Body Fields: not valid JSON/);
		expect(items[2].json.content).toBe('Sandbox reply to: three');
		expect(chatRequests(sandbox).map((request) => request.body.watermark)).toEqual([false, undefined]);
	});
});
