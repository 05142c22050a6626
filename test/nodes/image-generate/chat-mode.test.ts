/**
 * Image Generate in Chat mode (gpt-4o-image and other models that answer with Markdown image
 * links), run as real n8n workflows against the sandbox relay.
 */
import { NodeApiError } from 'n8n-workflow';

import { toBinaryData } from '../../../harness/workflow';
import {
	API_KEY,
	NODE_NAME,
	apiRequests,
	directDownload,
	everythingVisible,
	fileRequests,
	model,
	runNode,
	useSandbox,
} from './helpers';

const CHAT = '/v1/chat/completions';
const ctx = useSandbox();

test('gpt-4o-image: streamed chat request (no usage asked for), the result image downloaded, progress links ignored', async () => {
	const result = await runNode(ctx.sandbox, {
		mode: 'chat',
		model: model('gpt-4o-image'),
		prompt: 'A product shot of a mug, 16:9',
	});

	const sent = ctx.sandbox.lastRequest(CHAT)!;
	expect(sent.body).toEqual({
		model: 'gpt-4o-image',
		messages: [{ role: 'user', content: 'A product shot of a mug, 16:9' }],
		stream: true,
	});
	expect(sent.headers.accept).toBe('text/event-stream');
	expect(apiRequests(ctx.sandbox, '/v1/images/generations')).toHaveLength(0);

	const items = result.output(NODE_NAME);
	expect(items).toHaveLength(1);
	expect(items[0].json).toEqual({
		model: 'gpt-4o-image',
		prompt: 'A product shot of a mug, 16:9',
		url: expect.stringMatching(new RegExp(`^${ctx.sandbox.url}/files/gen/\\w+\\.png$`)),
		index: 0,
		mimeType: 'image/png',
		fileSize: expect.any(Number),
		width: 1024,
		height: 576,
	});
	expect(items[0].binary!.data).toMatchObject({ mimeType: 'image/png', fileName: 'gpt-4o-image-0-0.png' });
	const downloads = fileRequests(ctx.sandbox);
	expect(downloads.map((request) => request.path)).toEqual([new URL(items[0].json.url as string).pathname]);
	expect(downloads[0].headers.authorization).toBeUndefined();

	const bytes = await result.binary(NODE_NAME, 0);
	expect(bytes.equals(await directDownload(items[0].json.url as string))).toBe(true);
	expect(items[0].json.fileSize).toBe(bytes.length);
	expect(everythingVisible(result)).not.toContain(API_KEY);
});

test('two images in one answer become two items; Stream off sends stream: false', async () => {
	const result = await runNode(ctx.sandbox, {
		mode: 'chat',
		model: model('gpt-4o-image'),
		prompt: 'TWO_IMAGES of a banner',
		options: { stream: false, binaryPropertyOutput: 'banner' },
	});

	expect(ctx.sandbox.lastRequest(CHAT)!.body.stream).toBe(false);
	const items = result.output(NODE_NAME);
	expect(items.map((item) => item.json.index)).toEqual([0, 1]);
	expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
	expect(items.map((item) => item.binary!.banner.fileName)).toEqual(['gpt-4o-image-0-0.png', 'gpt-4o-image-0-1.png']);
	expect(items[0].json.url).not.toBe(items[1].json.url);
	for (const index of [0, 1]) {
		const bytes = await result.binary(NODE_NAME, index, 'banner');
		expect(bytes.equals(await directDownload(items[index].json.url as string))).toBe(true);
	}
	expect(items[0].json.usage).toBeDefined();
	expect(items[1].json.usage).toBeUndefined();
});

test('gemini image model: a link without a file extension is still labelled from its bytes', async () => {
	const result = await runNode(ctx.sandbox, { mode: 'chat', model: model('gemini-2.5-flash-image'), prompt: 'A logo' });

	const items = result.output(NODE_NAME);
	expect(items).toHaveLength(2);
	expect(items[1].json.url).not.toMatch(/\.png$/);
	expect(items[1].binary!.data).toMatchObject({ mimeType: 'image/png', fileName: 'gemini-2.5-flash-image-0-1.png' });
});

test('download off: json with the links only', async () => {
	const result = await runNode(ctx.sandbox, {
		mode: 'chat',
		model: model('gpt-4o-image'),
		prompt: 'TWO_IMAGES please',
		options: { downloadImages: false },
	});

	const items = result.output(NODE_NAME);
	expect(items.map((item) => Object.keys(item.json))).toEqual([
		['model', 'prompt', 'url', 'index'],
		['model', 'prompt', 'url', 'index'],
	]);
	expect(items.every((item) => item.binary === undefined)).toBe(true);
	expect(fileRequests(ctx.sandbox)).toHaveLength(0);
});

test('reference images become image parts of the user message; extra body fields are merged (usage in the stream)', async () => {
	const reference = await directDownload(ctx.sandbox.fileUrl('sample.png'));
	const result = await runNode(
		ctx.sandbox,
		{
			mode: 'chat',
			model: model('gpt-4o-image'),
			prompt: 'Put this mug on a beach',
			options: {
				referenceImageUrls: `${ctx.sandbox.fileUrl('sample.jpg')}, ${ctx.sandbox.fileUrl('sample.webp')}`,
				referenceImageFields: 'mug',
				extraBody: '{"stream_options": {"include_usage": true}}',
			},
		},
		{ input: [{ json: {}, binary: { mug: await toBinaryData(reference, 'mug.png', 'image/png') } }] },
	);

	expect(ctx.sandbox.lastRequest(CHAT)!.body).toEqual({
		model: 'gpt-4o-image',
		messages: [
			{
				role: 'user',
				content: [
					{ type: 'text', text: 'Put this mug on a beach' },
					{ type: 'image_url', image_url: { url: ctx.sandbox.fileUrl('sample.jpg') } },
					{ type: 'image_url', image_url: { url: ctx.sandbox.fileUrl('sample.webp') } },
					{ type: 'image_url', image_url: { url: `data:image/png;base64,${reference.toString('base64')}` } },
				],
			},
		],
		stream: true,
		stream_options: { include_usage: true },
	});
	const items = result.output(NODE_NAME);
	expect(items).toHaveLength(1);
	expect(items[0].json.usage).toEqual(expect.objectContaining({ total_tokens: expect.any(Number) }));
});

test('a model that answers in text: an error quoting the answer', async () => {
	const result = await runNode(ctx.sandbox, { mode: 'chat', model: model('gpt-4o-mini'), prompt: 'Draw a cat' });

	expect(result.error!.message).toBe('gpt-4o-mini answered without an image link');
	expect((result.error as { description?: string }).description).toContain('"Sandbox reply to: Draw a cat"');
	expect(result.error).toBeInstanceOf(NodeApiError);
	expect((result.error as NodeApiError).httpCode).toBe('200');
});

test('a relay error inside the stream, and a broken image link under Continue On Fail', async () => {
	ctx.sandbox.fault({
		path: CHAT,
		streamError: { message: 'upstream image service busy', type: 'upstream_error', code: 'busy' },
		afterChunks: 1,
	});
	const failed = await runNode(ctx.sandbox, { mode: 'chat', model: model('gpt-4o-image'), prompt: 'A cat' });
	expect(failed.error!.message).toContain('upstream image service busy');

	ctx.sandbox.fault({ path: /^\/files\/gen\//, status: 404, times: 10 });
	const result = await runNode(
		ctx.sandbox,
		{ mode: 'chat', model: model('gpt-4o-image'), prompt: '={{ $json.prompt }}', options: { maxConcurrency: 1 } },
		{ input: [{ json: { prompt: 'A cat' } }], continueOnFail: true },
	);
	const [item] = result.output(NODE_NAME);
	expect(item.json.error).toMatch(
		new RegExp(`^Could not download the image at ${ctx.sandbox.url}/files/gen/\\w+\\.png: the server answered 404 Not Found`),
	);
	expect(item.pairedItem).toEqual({ item: 0 });
});

test('a chat video model (veo3-chat) in chat mode: one item with the MP4 as binary, MIME type from the bytes', async () => {
	const result = await runNode(ctx.sandbox, { mode: 'chat', model: model('veo3-chat'), prompt: 'A cat surfing NO_EXTENSION' });

	const items = result.output(NODE_NAME);
	expect(items).toHaveLength(1);
	expect(items[0].json).toEqual({
		model: 'veo3-chat',
		prompt: 'A cat surfing NO_EXTENSION',
		url: expect.stringMatching(new RegExp(`^${ctx.sandbox.url}/files/gen/\\w+$`)),
		index: 0,
		mimeType: 'video/mp4',
		fileSize: expect.any(Number),
	});
	expect(items[0].binary!.data).toMatchObject({ mimeType: 'video/mp4', fileName: 'veo3-chat-0-0.mp4', fileExtension: 'mp4' });
	expect(fileRequests(ctx.sandbox)).toHaveLength(1);
	const bytes = await result.binary(NODE_NAME, 0);
	expect(bytes.equals(await directDownload(items[0].json.url as string))).toBe(true);
});
