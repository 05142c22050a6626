/**
 * DeerAPI Chat: the items and binary data it emits, streamed or not, Simplified or Raw, with
 * chat-form image models, in n8n's streaming mode, and with items in parallel.
 */
import { ExecuteContext } from 'n8n-core';
import type { IDataObject, StructuredChunk } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../../sandbox';
import { byId, chatRequests, lastChatBody, NODE, nodeError, runChat, userMessage } from './helpers';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ streamChunkSize: 4 });
});
afterAll(() => sandbox.close());
beforeEach(() => {
	sandbox.clearRequests();
	sandbox.clearFaults();
	sandbox.setLatency(0);
	sandbox.setImageBytes(undefined);
});

async function fileBytes(url: string): Promise<Buffer> {
	const response = await fetch(url);
	expect(response.status).toBe(200);
	return Buffer.from(await response.arrayBuffer());
}

/** The item without the fields that differ between two calls (id) - for stream vs no-stream. */
function stable(json: IDataObject): IDataObject {
	const { id, ...rest } = json;
	expect(id).toEqual(expect.stringMatching(/^chatcmpl-/));
	// The sandbox numbers tool calls across requests.
	const toolCalls = rest.toolCalls as IDataObject[] | undefined;
	if (toolCalls) rest.toolCalls = toolCalls.map((call) => ({ ...call, id: expect.stringMatching(/^call_/) }));
	return rest;
}

describe('an answer whose content comes in parts', () => {
	const answer = {
		object: 'chat.completion',
		model: 'gpt-4o',
		choices: [
			{
				index: 0,
				message: { role: 'assistant', content: [{ type: 'text', text: 'Deer live ' }, { type: 'text', text: 'in forests.' }] },
				finish_reason: 'stop',
			},
		],
	};

	it.each([false, true])('reads as the text of its parts (Stream %s: the relay answers JSON either way)', async (stream) => {
		sandbox.fault({ path: '/v1/chat/completions', status: 200, body: answer });
		const result = await runChat(sandbox, { parameters: { messages: userMessage('Where do deer live?'), options: { stream } } });
		expect(result.json(NODE)[0]).toMatchObject({ content: 'Deer live in forests.', finishReason: 'stop' });
	});
});

describe('streamed and not streamed give the same output', () => {
	const cases: Array<[string, IDataObject]> = [
		['plain text', { model: byId('gpt-4o'), messages: userMessage('Tell me about deer in the forest') }],
		['reasoning', { model: byId('deepseek-reasoner'), messages: userMessage('Why is the sky blue?') }],
		[
			'tool calls',
			{
				messages: userMessage('Find it'),
				options: { tools: '[{"name": "find", "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}]' },
			},
		],
		['n > 1', { messages: userMessage('Three slogans'), options: { n: 3 } }],
		['JSON', { messages: userMessage('JSON please'), options: { responseFormat: 'json_object' } }],
	];

	it.each(cases)('%s', async (_case, parameters) => {
		const options = (parameters.options as IDataObject | undefined) ?? {};
		const streamed = await runChat(sandbox, { parameters: { ...parameters, options: { ...options, stream: true } } });
		expect(lastChatBody(sandbox)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
		const plain = await runChat(sandbox, { parameters: { ...parameters, options: { ...options, stream: false } } });
		expect(lastChatBody(sandbox)).not.toHaveProperty('stream');

		const [streamedItem] = streamed.json(NODE);
		const [plainItem] = plain.json(NODE);
		expect(stable(streamedItem)).toEqual(stable(plainItem));
		expect(streamedItem.usage).toEqual(expect.objectContaining({ total_tokens: expect.any(Number) }));
	});

	it('returns reasoning_content as reasoning', async () => {
		const result = await runChat(sandbox, { parameters: { model: byId('deepseek-r1'), messages: userMessage('2+2?') } });
		expect(result.json(NODE)[0]).toMatchObject({
			content: 'Sandbox reply to: 2+2?',
			reasoning: 'Thinking about: 2+2?',
			model: 'deepseek-r1',
			usage: { completion_tokens_details: { reasoning_tokens: expect.any(Number) } },
		});
	});

	it('leaves reasoning out when the model sends none', async () => {
		const result = await runChat(sandbox, { parameters: { messages: userMessage('hi') } });
		expect(result.json(NODE)[0]).not.toHaveProperty('reasoning');
	});
});

describe('Simplified output with n > 1', () => {
	it('keeps the first answer on top and lists every answer under choices', async () => {
		const result = await runChat(sandbox, { parameters: { messages: userMessage('Slogan'), options: { n: 3 } } });
		const items = result.json(NODE);
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({
			content: 'Sandbox reply to: Slogan',
			finishReason: 'stop',
			choices: [
				{ content: 'Sandbox reply to: Slogan', finishReason: 'stop' },
				{ content: 'Sandbox reply to: Slogan (choice 1)', finishReason: 'stop' },
				{ content: 'Sandbox reply to: Slogan (choice 2)', finishReason: 'stop' },
			],
		});
	});

	it('parses JSON in every answer', async () => {
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('JSON'), options: { n: 2, responseFormat: 'json_object' } },
		});
		const choices = result.json(NODE)[0].choices as IDataObject[];
		expect(choices.map((choice) => choice.json)).toEqual([
			{ reply: 'Sandbox reply to: JSON', model: 'gpt-4o' },
			{ reply: 'Sandbox reply to: JSON (choice 1)', model: 'gpt-4o' },
		]);
	});
});

describe('Raw output', () => {
	it('returns the body as the API sent it', async () => {
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('hi'), simplify: false, options: { stream: false } },
		});
		const [item] = result.json(NODE);
		expect(item).toEqual({
			id: expect.stringMatching(/^chatcmpl-/),
			object: 'chat.completion',
			created: expect.any(Number),
			model: 'gpt-4o',
			choices: [{ index: 0, message: { role: 'assistant', content: 'Sandbox reply to: hi' }, logprobs: null, finish_reason: 'stop' }],
			usage: { prompt_tokens: 1, completion_tokens: 5, total_tokens: 6 },
			system_fingerprint: null,
		});
	});

	it('returns a reply that is not the JSON asked for as it came, without failing', async () => {
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('INVALID_JSON'), simplify: false, options: { responseFormat: 'json_object' } },
		});
		const choices = result.json(NODE)[0].choices as Array<{ message: { content: string } }>;
		expect(choices[0].message.content).toBe('Sure! Here is your JSON: {oops');
	});

	it('returns the assembled equivalent of a stream', async () => {
		const result = await runChat(sandbox, {
			parameters: { model: byId('deepseek-reasoner'), messages: userMessage('hi'), simplify: false, options: { n: 2 } },
		});
		const [item] = result.json(NODE);
		expect(item).toEqual({
			id: expect.stringMatching(/^chatcmpl-/),
			object: 'chat.completion',
			created: expect.any(Number),
			model: 'deepseek-reasoner',
			choices: [
				{
					index: 0,
					message: { role: 'assistant', content: 'Sandbox reply to: hi', reasoning_content: 'Thinking about: hi' },
					finish_reason: 'stop',
				},
				{
					index: 1,
					message: { role: 'assistant', content: 'Sandbox reply to: hi (choice 1)', reasoning_content: 'Thinking about: hi' },
					finish_reason: 'stop',
				},
			],
			usage: expect.objectContaining({ total_tokens: expect.any(Number) }),
		});
	});
});

describe('chat-form image models', () => {
	it('lists the result images, not the progress link, and downloads them into image_0', async () => {
		const result = await runChat(sandbox, {
			parameters: { model: byId('gpt-4o-image'), messages: userMessage('A deer at sunrise, 16:9') },
		});
		const [item] = result.output(NODE);
		const content = item.json.content as string;
		expect(content).toContain('>🏃 Progress');
		const images = item.json.images as string[];
		expect(images).toHaveLength(1);
		expect(images[0]).toMatch(new RegExp(`^${sandbox.url}/files/gen/\\w+\\.png$`));
		expect(content).toContain(`](${images[0]})`);

		expect(Object.keys(item.binary ?? {})).toEqual(['image_0']);
		expect(item.binary!.image_0).toMatchObject({
			mimeType: 'image/png',
			fileName: 'image-0.png',
			fileExtension: 'png',
		});
		const bytes = await result.binary(NODE, 0, 'image_0');
		expect(bytes.equals(await fileBytes(images[0]))).toBe(true);
		// 16:9 asked: the downloaded file is the wide picture the relay made.
		expect(bytes.readUInt32BE(16)).toBe(1024);
		expect(bytes.readUInt32BE(20)).toBe(576);
		expect(sandbox.requests.some((request) => request.path.startsWith('/files/progress/'))).toBe(false);
	});

	it('downloads every image, also from a URL without a file extension, under a chosen prefix', async () => {
		const result = await runChat(sandbox, {
			parameters: {
				model: byId('gemini-2.5-flash-image'),
				messages: userMessage('Two views of a fawn'),
				options: { imagePropertyPrefix: 'picture' },
			},
		});
		const [item] = result.output(NODE);
		const images = item.json.images as string[];
		expect(images).toHaveLength(2);
		expect(images[1]).toMatch(/\/files\/gen\/[\w-]+$/);
		expect(Object.keys(item.binary ?? {})).toEqual(['picture0', 'picture1']);
		expect(item.binary!.picture1).toMatchObject({ mimeType: 'image/png', fileName: 'image-1.png' });
		for (const [index, url] of images.entries()) {
			expect((await result.binary(NODE, 0, `picture${index}`)).equals(await fileBytes(url))).toBe(true);
		}
	});

	it('lists the images but downloads nothing when Download Images is off', async () => {
		const result = await runChat(sandbox, {
			parameters: { model: byId('gpt-4o-image'), messages: userMessage('TWO_IMAGES of deer'), options: { downloadImages: false } },
		});
		const [item] = result.output(NODE);
		expect(item.json.images).toHaveLength(2);
		expect(item.binary).toBeUndefined();
		expect(sandbox.requests.filter((request) => request.path.startsWith('/files/'))).toHaveLength(0);
	});

	it('adds the binary data in Raw mode too, with the body untouched', async () => {
		const result = await runChat(sandbox, {
			parameters: { model: byId('gpt-4o-image'), messages: userMessage('A stag'), simplify: false },
		});
		const [item] = result.output(NODE);
		expect(item.json.object).toBe('chat.completion');
		expect(item.json).not.toHaveProperty('images');
		expect(Object.keys(item.binary ?? {})).toEqual(['image_0']);
	});

	it('fails the item when an image is larger than the size limit', async () => {
		sandbox.setImageBytes(1_500_000);
		const result = await runChat(sandbox, {
			parameters: { model: byId('gpt-4o-image'), messages: userMessage('A detailed forest'), options: { maxDownloadMb: 1 } },
		});
		const error = nodeError(result);
		expect(error.message).toMatch(
			new RegExp(`^Could not download the image at ${sandbox.url}/files/gen/\\w+\\.png: it is larger than the limit of 1 MB`),
		);
		expect(error.context?.itemIndex).toBe(0);
	});

	it('fails the item when an image link does not give an image', async () => {
		const notAnImage = sandbox.fileUrl('not-an-image.png');
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage(`Here: ![pic](${notAnImage})`) },
		});
		const error = nodeError(result);
		expect(error.message.startsWith(
			`Could not download the image at ${notAnImage}: it is an HTML page ("Sign in - Corporate Proxy"), not an image`,
		)).toBe(true);
		expect(error.context?.itemIndex).toBe(0);
	});

	it('fails the item with the link and a hint when an image has expired (404)', async () => {
		const missing = sandbox.fileUrl('missing.png');
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage(`![old](${missing})`), options: { maxRetries: 0 } },
			continueOnFail: true,
		});
		expect(result.json(NODE)).toEqual([
			{
				error: expect.stringMatching(new RegExp(`^Could not download the image at ${missing}: the server answered 404`)),
				description: expect.stringContaining('Image links from relays expire'),
			},
		]);
	});

	it('takes Markdown images in any model\'s answer, but not links to web pages', async () => {
		const picture = sandbox.fileUrl('sample.webp');
		const withImage = await runChat(sandbox, { parameters: { messages: userMessage(`Logo: ![logo](${picture})`) } });
		const [item] = withImage.output(NODE);
		expect(item.json.images).toEqual([picture]);
		expect(item.binary!.image_0).toMatchObject({ mimeType: 'image/webp', fileName: 'image-0.webp' });

		sandbox.clearRequests();
		const withLinks = await runChat(sandbox, {
			parameters: { messages: userMessage(`See ${sandbox.fileUrl('not-an-image.png')} and [the docs](https://example.com/docs)`) },
		});
		const [textItem] = withLinks.output(NODE);
		expect(textItem.json).not.toHaveProperty('images');
		expect(textItem.binary).toBeUndefined();
		expect(sandbox.requests.filter((request) => request.path.startsWith('/files/'))).toHaveLength(0);
	});
});

describe('n8n streaming mode', () => {
	const contentOf = (chunks: StructuredChunk[]) =>
		chunks.filter((chunk) => chunk.type === 'item').map((chunk) => chunk.content).join('');

	it('passes content on as it arrives: begin, the pieces, end', async () => {
		const received: StructuredChunk[] = [];
		const result = await runChat(sandbox, {
			parameters: { model: byId('deepseek-reasoner'), messages: userMessage('Stream this answer') },
			run: { streaming: (chunk) => void received.push(chunk as StructuredChunk) },
		});
		const [item] = result.json(NODE);
		expect(received[0].type).toBe('begin');
		expect(received[received.length - 1].type).toBe('end');
		const pieces = received.filter((chunk) => chunk.type === 'item');
		expect(pieces.length).toBeGreaterThan(5);
		// Only the answer is passed on, not the reasoning.
		expect(contentOf(received)).toBe(item.content);
		expect(received.every((chunk) => chunk.metadata.nodeName === NODE && chunk.metadata.itemIndex === 0)).toBe(true);
	});

	it('sends an answer that was not streamed in one piece, per item', async () => {
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('={{ $json.q }}'), options: { stream: false, maxConcurrency: 1 } },
			input: [{ json: { q: 'first' } }, { json: { q: 'second' } }],
			run: { streaming: () => undefined },
		});
		const chunks = result.chunks as StructuredChunk[];
		expect(chunks.map((chunk) => [chunk.type, chunk.metadata.itemIndex, chunk.content])).toEqual([
			['begin', 0, undefined],
			['item', 0, 'Sandbox reply to: first'],
			['end', 0, undefined],
			['begin', 1, undefined],
			['item', 1, 'Sandbox reply to: second'],
			['end', 1, undefined],
		]);
	});

	it('leaves a failure of the node to n8n\'s own error chunk', async () => {
		sandbox.fault({ path: '/v1/chat/completions', status: 400, body: { error: { message: 'bad model option', type: 'invalid_request_error' } } });
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('hi') },
			run: { streaming: () => undefined },
		});
		const chunks = result.chunks as StructuredChunk[];
		expect(chunks.map((chunk) => chunk.type)).toEqual(['begin', 'error']);
		expect(nodeError(result).message).toContain('bad model option');
	});

	it('reports a failed item under Continue On Fail as an error chunk with its index', async () => {
		sandbox.fault({ path: '/v1/chat/completions', status: 400, body: { error: { message: 'bad model option', type: 'invalid_request_error' } } });
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('={{ $json.q }}'), options: { stream: false, maxConcurrency: 1 } },
			input: [{ json: { q: 'first' } }, { json: { q: 'second' } }],
			continueOnFail: true,
			run: { streaming: () => undefined },
		});
		const chunks = result.chunks as StructuredChunk[];
		expect(chunks.map((chunk) => [chunk.type, chunk.metadata.itemIndex])).toEqual([
			['begin', 0],
			['error', 0],
			['begin', 1],
			['item', 1],
			['end', 1],
		]);
		// The caller reads what n8n's own error chunk would carry: the description, the message first.
		expect(chunks[1].content).toMatch(/^400 Bad Request: bad model option\. The relay rejected the request\./);
		expect(result.json(NODE)[0].error).toBe('400 Bad Request: bad model option');
		expect(result.json(NODE)[0].description).toBe(chunks[1].content);
	});

	it('still works on an n8n without isStreaming / sendChunk (older n8n)', async () => {
		// 2.x defines them on ExecuteContext's base class, 1.x on ExecuteContext itself.
		let base = ExecuteContext.prototype as unknown as Record<string, unknown>;
		while (!Object.hasOwn(base, 'isStreaming')) base = Object.getPrototypeOf(base) as Record<string, unknown>;
		const { isStreaming, sendChunk } = base;
		base.isStreaming = undefined;
		base.sendChunk = undefined;
		try {
			const result = await runChat(sandbox, {
				parameters: { messages: userMessage('old n8n') },
				run: { streaming: () => undefined },
			});
			expect(result.json(NODE)[0].content).toBe('Sandbox reply to: old n8n');
			expect(result.chunks).toEqual([]);
		} finally {
			base.isStreaming = isStreaming;
			base.sendChunk = sendChunk;
		}
	});

	it('sends no chunks outside streaming mode', async () => {
		const result = await runChat(sandbox, { parameters: { messages: userMessage('hi') } });
		expect(result.chunks).toEqual([]);
	});
});

describe('items', () => {
	const input = Array.from({ length: 6 }, (_, index) => ({ json: { q: `question ${index}` } }));

	it('sends up to Max Concurrent Requests at once and keeps the input order', async () => {
		sandbox.setLatency(150);
		// The first request answers last: the output must still start with item 0.
		sandbox.fault({ path: '/v1/chat/completions', latencyMs: 300 });
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('={{ $json.q }}'), options: { maxConcurrency: 3 } },
			input,
		});
		const items = result.output(NODE);
		expect(items.map((item) => item.json.content)).toEqual(input.map((entry) => `Sandbox reply to: ${entry.json.q}`));
		expect(items.map((item) => item.pairedItem)).toEqual(input.map((_, index) => ({ item: index })));

		const received = chatRequests(sandbox).map((request) => request.receivedAt);
		// Three at once, then each next one as soon as a slot frees up (150 ms later).
		expect(received[2] - received[0]).toBeLessThan(100);
		expect(received[3] - received[0]).toBeGreaterThanOrEqual(140);
	});

	it('sends one at a time with Max Concurrent Requests 1', async () => {
		sandbox.setLatency(60);
		const result = await runChat(sandbox, {
			parameters: { messages: userMessage('={{ $json.q }}'), options: { maxConcurrency: 1 } },
			input: input.slice(0, 4),
		});
		expect(result.output(NODE)).toHaveLength(4);
		const received = chatRequests(sandbox).map((request) => request.receivedAt);
		for (let index = 1; index < received.length; index++) {
			expect(received[index] - received[index - 1]).toBeGreaterThanOrEqual(55);
		}
		expect(chatRequests(sandbox).map((request) => request.body.messages[0].content)).toEqual(
			input.slice(0, 4).map((entry) => entry.json.q),
		);
	});
});
