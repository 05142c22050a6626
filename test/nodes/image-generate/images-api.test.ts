/**
 * Image Generate in Images API mode, run as real n8n workflows against the sandbox relay:
 * the request the relay received, the items and the binary bytes the node emitted.
 */
import { NodeApiError } from 'n8n-workflow';

import { readImageInfo } from '../../../sandbox';
import { toBinaryData } from '../../../harness/workflow';
import {
	API_KEY,
	NODE_NAME,
	apiRequests,
	directDownload,
	directImages,
	everythingVisible,
	fileRequests,
	model,
	runNode,
	useSandbox,
} from './helpers';

const IMAGES = '/v1/images/generations';
const ctx = useSandbox();

describe('gpt-image-1 (base64 answers)', () => {
	test('defaults: sends only model and prompt, emits the decoded PNG with its metadata', async () => {
		const result = await runNode(ctx.sandbox, { prompt: 'A summer sale poster' });

		const sent = ctx.sandbox.lastRequest(IMAGES)!;
		expect(sent.body).toEqual({ model: 'gpt-image-1', prompt: 'A summer sale poster' });
		expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);

		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		const [expected] = await directImages(ctx.sandbox, sent.body);
		const bytes = await result.binary(NODE_NAME, 0);
		expect(bytes.equals(Buffer.from(expected.b64_json, 'base64'))).toBe(true);
		expect(readImageInfo(bytes)).toEqual({ format: 'png', width: 1024, height: 1024 });

		expect(items[0].json).toEqual({
			model: 'gpt-image-1',
			prompt: 'A summer sale poster',
			index: 0,
			mimeType: 'image/png',
			fileSize: bytes.length,
			width: 1024,
			height: 1024,
			usage: expect.objectContaining({ total_tokens: expect.any(Number) }),
		});
		expect(items[0].binary!.data).toMatchObject({
			mimeType: 'image/png',
			fileName: 'gpt-image-1-0-0.png',
			fileExtension: 'png',
		});
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(fileRequests(ctx.sandbox)).toHaveLength(0);
		expect(everythingVisible(result)).not.toContain(API_KEY);
	});

	test('n > 1 with every gpt-image option: no response_format, one JPEG item per image, usage once', async () => {
		const result = await runNode(ctx.sandbox, {
			numberOfImages: 3,
			size: '1536x1024',
			options: {
				quality: 'high',
				background: 'opaque',
				outputFormat: 'jpeg',
				outputCompression: 80,
				moderation: 'low',
				responseFormat: 'url',
				binaryPropertyOutput: 'poster',
			},
		});

		const sent = ctx.sandbox.lastRequest(IMAGES)!;
		expect(sent.body).toEqual({
			model: 'gpt-image-1',
			prompt: 'A red poster',
			n: 3,
			size: '1536x1024',
			quality: 'high',
			background: 'opaque',
			output_format: 'jpeg',
			output_compression: 80,
			moderation: 'low',
		});

		const items = result.output(NODE_NAME);
		expect(items.map((item) => item.json.index)).toEqual([0, 1, 2]);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }]);
		const expected = await directImages(ctx.sandbox, sent.body);
		for (const [index, item] of items.entries()) {
			expect(item.binary!.data).toBeUndefined();
			expect(item.binary!.poster).toMatchObject({
				mimeType: 'image/jpeg',
				fileExtension: 'jpg',
				fileName: `gpt-image-1-0-${index}.jpg`,
			});
			const bytes = await result.binary(NODE_NAME, index, 'poster');
			expect(bytes.equals(Buffer.from(expected[index].b64_json, 'base64'))).toBe(true);
			expect(item.json).toMatchObject({ mimeType: 'image/jpeg', width: 1536, height: 1024, fileSize: bytes.length });
		}
		expect(items[0].json.usage).toBeDefined();
		expect(items[1].json.usage).toBeUndefined();
		expect(items[2].json.usage).toBeUndefined();
	});

	test('a WebP answer is labelled image/webp with a .webp file name', async () => {
		const result = await runNode(ctx.sandbox, { size: 'auto', options: { outputFormat: 'webp' } });

		expect(ctx.sandbox.lastRequest(IMAGES)!.body).toEqual({
			model: 'gpt-image-1',
			prompt: 'A red poster',
			size: 'auto',
			output_format: 'webp',
		});
		const [item] = result.output(NODE_NAME);
		expect(item.binary!.data).toMatchObject({ mimeType: 'image/webp', fileExtension: 'webp', fileName: 'gpt-image-1-0-0.webp' });
		const bytes = await result.binary(NODE_NAME, 0);
		expect(bytes.toString('latin1', 8, 12)).toBe('WEBP');
		expect(item.json).toMatchObject({ mimeType: 'image/webp', width: 1024, height: 1024 });
	});

	test('large base64 answers (3 images of ~1.5 MB) arrive byte for byte', async () => {
		ctx.sandbox.setImageBytes(1_500_000);
		try {
			const result = await runNode(ctx.sandbox, { numberOfImages: 3 });
			const sent = ctx.sandbox.lastRequest(IMAGES)!;
			const expected = await directImages(ctx.sandbox, sent.body);
			const items = result.output(NODE_NAME);
			expect(items).toHaveLength(3);
			for (let index = 0; index < 3; index++) {
				const bytes = await result.binary(NODE_NAME, index);
				expect(bytes.length).toBeGreaterThan(1_400_000);
				expect(bytes.equals(Buffer.from(expected[index].b64_json, 'base64'))).toBe(true);
				expect(items[index].json.fileSize).toBe(bytes.length);
			}
		} finally {
			ctx.sandbox.setImageBytes(undefined);
		}
	});
});

describe('dall-e-3 (URL answers)', () => {
	test('downloads the image the relay links to, without sending the key to the file host', async () => {
		const result = await runNode(ctx.sandbox, {
			model: model('dall-e-3'),
			prompt: 'A banner with a lighthouse',
			size: '1792x1024',
			options: { quality: 'hd', style: 'natural' },
		});

		expect(ctx.sandbox.lastRequest(IMAGES)!.body).toEqual({
			model: 'dall-e-3',
			prompt: 'A banner with a lighthouse',
			size: '1792x1024',
			quality: 'hd',
			style: 'natural',
		});
		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({
			model: 'dall-e-3',
			prompt: 'A banner with a lighthouse',
			revisedPrompt: 'A vivid rendering of: A banner with a lighthouse',
			url: expect.stringMatching(new RegExp(`^${ctx.sandbox.url}/files/gen/\\w+\\.png$`)),
			index: 0,
			mimeType: 'image/png',
			width: 1792,
			height: 1024,
		});
		expect(item.json.usage).toBeUndefined();

		const downloads = fileRequests(ctx.sandbox);
		expect(downloads).toHaveLength(1);
		expect(downloads[0].headers.authorization).toBeUndefined();
		const bytes = await result.binary(NODE_NAME, 0);
		expect(bytes.equals(await directDownload(item.json.url as string))).toBe(true);
		expect(item.json.fileSize).toBe(bytes.length);
		expect(item.binary!.data).toMatchObject({ fileName: 'dall-e-3-0-0.png', mimeType: 'image/png' });
	});

	test('response format base64 is sent for dall-e-3 and decoded without a download', async () => {
		const result = await runNode(ctx.sandbox, { model: model('dall-e-3'), options: { responseFormat: 'b64_json' } });

		const sent = ctx.sandbox.lastRequest(IMAGES)!;
		expect(sent.body).toEqual({ model: 'dall-e-3', prompt: 'A red poster', response_format: 'b64_json' });
		const [expected] = await directImages(ctx.sandbox, sent.body);
		expect((await result.binary(NODE_NAME, 0)).equals(Buffer.from(expected.b64_json, 'base64'))).toBe(true);
		expect(result.output(NODE_NAME)[0].json.url).toBeUndefined();
		expect(fileRequests(ctx.sandbox)).toHaveLength(0);
	});

	test('Number of Images above 1 is refused before anything is sent', async () => {
		const result = await runNode(ctx.sandbox, { model: model('dall-e-3'), numberOfImages: 2 });

		expect(result.status).toBe('error');
		expect(result.error!.message).toBe('Number of Images: dall-e-3 makes one image per request, got 2');
		expect((result.error as { description?: string }).description).toContain('Set Number of Images to 1');
		expect((result.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(0);
		expect(ctx.sandbox.requests).toHaveLength(0);
	});

	test('with Download Images off: json with the link, no binary, no download', async () => {
		const result = await runNode(ctx.sandbox, { model: model('dall-e-3'), options: { downloadImages: false } });

		const [item] = result.output(NODE_NAME);
		expect(item.binary).toBeUndefined();
		expect(item.json).toEqual({
			model: 'dall-e-3',
			prompt: 'A red poster',
			revisedPrompt: 'A vivid rendering of: A red poster',
			url: expect.stringContaining(`${ctx.sandbox.url}/files/gen/`),
			index: 0,
		});
		expect(fileRequests(ctx.sandbox)).toHaveLength(0);
		expect(await directDownload(item.json.url as string)).toBeInstanceOf(Buffer);
	});
});

describe('doubao-seedream', () => {
	const SEEDREAM = 'doubao-seedream-4-0-250828';

	test('custom size, reference images from a URL and an input binary, watermark via extra body', async () => {
		const reference = await directDownload(ctx.sandbox.fileUrl('sample.jpg'));
		const referenceUrl = ctx.sandbox.fileUrl('sample.png');
		const result = await runNode(
			ctx.sandbox,
			{
				model: model(SEEDREAM),
				size: 'custom',
				customSize: '2560 x 1440',
				options: {
					referenceImageUrls: referenceUrl,
					// A wrong MIME type on the input: the data URL says what the bytes are.
					referenceImageFields: 'photo',
					extraBody: '{"watermark": false, "sequential_image_generation": "disabled"}',
				},
			},
			{ input: [{ json: {}, binary: { photo: await toBinaryData(reference, 'photo.png', 'image/png') } }] },
		);

		const sent = ctx.sandbox.lastRequest(IMAGES)!;
		expect(sent.body).toEqual({
			model: SEEDREAM,
			prompt: 'A red poster',
			size: '2560x1440',
			image: [referenceUrl, `data:image/jpeg;base64,${reference.toString('base64')}`],
			watermark: false,
			sequential_image_generation: 'disabled',
		});
		const [item] = result.output(NODE_NAME);
		// The sandbox caps generated sides at 2048, keeping the aspect ratio.
		expect(item.json).toMatchObject({ model: SEEDREAM, width: 2048, height: 1152, mimeType: 'image/png' });
		expect(item.json.revisedPrompt).toBeUndefined();
		const bytes = await result.binary(NODE_NAME, 0);
		expect(bytes.equals(await directDownload(item.json.url as string))).toBe(true);
		expect(item.binary!.data.fileName).toBe('doubao-seedream-4-0-250828-0-0.png');
	});

	test('named size 2K from the list; one reference image goes as a string', async () => {
		const referenceUrl = ctx.sandbox.fileUrl('sample.webp');
		const result = await runNode(ctx.sandbox, {
			model: model(SEEDREAM),
			size: '2K',
			options: { referenceImageUrls: `  ${referenceUrl}\n` },
		});

		expect(ctx.sandbox.lastRequest(IMAGES)!.body).toEqual({
			model: SEEDREAM,
			prompt: 'A red poster',
			size: '2K',
			image: referenceUrl,
		});
		expect(result.output(NODE_NAME)[0].json).toMatchObject({ width: 2048, height: 2048 });
	});

	test('custom size "2k" is sent as 2K; a size that is neither WxH nor nK is refused', async () => {
		await runNode(ctx.sandbox, { model: model(SEEDREAM), size: 'custom', customSize: '2k' });
		expect(ctx.sandbox.lastRequest(IMAGES)!.body.size).toBe('2K');

		ctx.sandbox.clearRequests();
		const result = await runNode(ctx.sandbox, { model: model(SEEDREAM), size: 'custom', customSize: 'huge' });
		expect(result.error!.message).toBe('Custom Size: "huge" is not a size');
		expect((result.error as { description?: string }).description).toContain('WIDTHxHEIGHT');
		expect(ctx.sandbox.requests).toHaveLength(0);
	});

	test('reference image problems name the field: a missing binary field, a file that is not an image, a bad link', async () => {
		const missing = await runNode(ctx.sandbox, { model: model(SEEDREAM), options: { referenceImageFields: 'logo' } }, {
			input: [{ json: {}, binary: { data: await toBinaryData(Buffer.from('x'), 'a.txt', 'text/plain') } }],
		});
		expect(missing.error!.message).toBe('Reference Image Fields: the input item has no binary field "logo"');
		expect((missing.error as { description?: string }).description).toBe('Its binary fields: data.');

		const notImage = await runNode(ctx.sandbox, { model: model(SEEDREAM), options: { referenceImageFields: 'data' } }, {
			input: [{ json: {}, binary: { data: await toBinaryData(Buffer.from('name,price\nmug,4\n'), 'a.csv', 'text/csv') } }],
		});
		expect(notImage.error!.message).toBe(
			'Reference Image Fields: the binary field "data" is not an image (text/csv, a.csv)',
		);

		const badLink = await runNode(ctx.sandbox, { model: model(SEEDREAM), options: { referenceImageUrls: 'ftp://host/a.png' } });
		expect(badLink.error!.message).toBe(
			'Reference Image URLs: "ftp://host/a.png" is not an http(s) link or an image data URL',
		);
		expect(ctx.sandbox.requests).toHaveLength(0);
	});
});

describe('answers that must be labelled by their bytes', () => {
	function answerWithUrl(url: string) {
		ctx.sandbox.fault({
			path: IMAGES,
			status: 200,
			body: { created: 1, data: [{ url, b64_json: '', revised_prompt: '' }] },
		});
	}

	test('JPEG bytes served as image/png under a .png name come out as image/jpeg .jpg', async () => {
		answerWithUrl(ctx.sandbox.fileUrl('jpeg-as-png.png'));
		const result = await runNode(ctx.sandbox, { model: model('flux-kontext-pro') });

		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({ mimeType: 'image/jpeg', width: 64, height: 48 });
		expect(item.binary!.data).toMatchObject({ mimeType: 'image/jpeg', fileExtension: 'jpg', fileName: 'flux-kontext-pro-0-0.jpg' });
		const bytes = await result.binary(NODE_NAME, 0);
		expect(bytes.equals(await directDownload(ctx.sandbox.fileUrl('jpeg-as-png.png')))).toBe(true);
	});

	test('a model id with "/" gives a clean file name; a GIF answer is image/gif', async () => {
		answerWithUrl(ctx.sandbox.fileUrl('sample.gif'));
		const result = await runNode(ctx.sandbox, { model: model('black-forest-labs/flux-1.1-pro') });

		const [item] = result.output(NODE_NAME);
		expect(item.binary!.data).toMatchObject({ mimeType: 'image/gif', fileName: 'black-forest-labs-flux-1.1-pro-0-0.gif' });
		expect(item.json).toMatchObject({ mimeType: 'image/gif', width: 1, height: 1 });
	});

	test('base64 that is not an image is an error naming the image, not a file of garbage', async () => {
		ctx.sandbox.fault({
			path: IMAGES,
			status: 200,
			body: { data: [{ url: '', b64_json: Buffer.from('<html>quota exceeded</html>').toString('base64') }] },
		});
		const result = await runNode(ctx.sandbox, {});

		expect(result.error!.message).toBe(
			'Image 1 of the answer (b64_json) is an HTML page ("quota exceeded"), not an image',
		);
	});

	test('an answer without any image, or an entry with neither url nor b64_json, is an error', async () => {
		ctx.sandbox.fault({ path: IMAGES, status: 200, body: { created: 1, data: [] } });
		const empty = await runNode(ctx.sandbox, {});
		expect(empty.error!.message).toBe('gpt-image-1 returned no images');
		// An unusable answer goes through the one mapper like every answer error: status, hint, request id.
		expect(empty.error).toBeInstanceOf(NodeApiError);
		expect((empty.error as NodeApiError).httpCode).toBe('200');
		expect((empty.error as NodeApiError).description).toMatch(/^The model may have refused the prompt\. Try rewording it\. Request ID: \S+ \(quote it/);

		ctx.sandbox.fault({ path: IMAGES, status: 200, body: { data: [{ url: '', b64_json: '', revised_prompt: '' }] } });
		const blank = await runNode(ctx.sandbox, {});
		expect(blank.error!.message).toBe('Image 1 of the answer has neither "b64_json" nor "url"');
	});
});

describe('download failures', () => {
	function answerWithUrl(url: string) {
		ctx.sandbox.fault({ path: IMAGES, status: 200, body: { data: [{ url, b64_json: '', revised_prompt: '' }] } });
	}

	test('an expired (404) link: the error names the URL and the status, and says why', async () => {
		const url = ctx.sandbox.fileUrl('missing.png');
		answerWithUrl(url);
		const result = await runNode(ctx.sandbox, { model: model('dall-e-3') });

		expect(result.status).toBe('error');
		const error = result.error as Error & { description?: string; context?: { itemIndex?: number } };
		expect(error.message).toBe(`Could not download the image at ${url}: the server answered 404 Not Found`);
		expect(error.description).toContain('expire');
		expect(error.context?.itemIndex).toBe(0);
		// 404 is final: no retries.
		expect(fileRequests(ctx.sandbox)).toHaveLength(1);
	});

	test('an HTML page instead of an image', async () => {
		const url = ctx.sandbox.fileUrl('not-an-image.png');
		answerWithUrl(url);
		const result = await runNode(ctx.sandbox, { model: model('dall-e-3') });

		expect(result.error!.message).toBe(
			`Could not download the image at ${url}: it is an HTML page ("Sign in - Corporate Proxy"), not an image`,
		);
	});

	test('an empty answer instead of an image', async () => {
		const url = ctx.sandbox.fileUrl('empty.png');
		ctx.sandbox.fault({ path: '/files/empty.png', status: 200, body: '', headers: { 'content-type': 'image/png' } });
		answerWithUrl(url);
		const result = await runNode(ctx.sandbox, { model: model('dall-e-3') });

		expect(result.error!.message).toBe(`Could not download the image at ${url}: it is empty, not an image`);
	});

	test('an image larger than Max Download Size', async () => {
		const url = `${ctx.sandbox.fileUrl('big.png')}?bytes=300000`;
		answerWithUrl(url);
		const result = await runNode(ctx.sandbox, { model: model('dall-e-3'), options: { maxDownloadMb: 0.25 } });

		expect(result.error!.message).toMatch(
			new RegExp(`^Could not download the image at ${url.replace(/[.?]/g, '\\$&')}: it is larger than the limit of 256 KB \\(at least [\\d.]+ KB\\)$`),
		);
		expect((result.error as { description?: string }).description).toContain('Max Download Size (MB)');
	});

	test('a 503 from the file host is retried like any request, then the image arrives', async () => {
		const url = ctx.sandbox.fileUrl('sample.png');
		answerWithUrl(url);
		ctx.sandbox.fault({ path: '/files/sample.png', status: 503, headers: { 'retry-after-ms': '10' } });
		const result = await runNode(ctx.sandbox, { model: model('dall-e-3') });

		expect(fileRequests(ctx.sandbox)).toHaveLength(2);
		expect((await result.binary(NODE_NAME, 0)).equals(await directDownload(url))).toBe(true);
		expect(result.output(NODE_NAME)[0].json).toMatchObject({ url, mimeType: 'image/png', width: 64, height: 48 });
	});

	test('a link that is not http(s), and a file host slower than the Timeout', async () => {
		answerWithUrl('ftp://images.example.com/a.png');
		const ftp = await runNode(ctx.sandbox, { model: model('dall-e-3') });
		expect(ftp.error!.message).toBe(
			'Could not download the image at ftp://images.example.com/a.png: only http(s) links can be downloaded',
		);

		const url = ctx.sandbox.fileUrl('sample.png');
		answerWithUrl(url);
		ctx.sandbox.fault({ path: '/files/sample.png', latencyMs: 3000, times: 2 });
		const slow = await runNode(ctx.sandbox, { model: model('dall-e-3'), options: { timeout: 0.3, maxRetries: 1 } });
		expect(slow.error!.message).toBe(`Could not download the image at ${url}: no answer within 0.3 s`);
		expect((slow.error as { description?: string }).description).toBe(
			'Raise the "Timeout" option if the image host is this slow. Tried 2 times.',
		);
		expect(fileRequests(ctx.sandbox)).toHaveLength(2);
	});

	test('under Continue On Fail the failure is an error item paired to its input', async () => {
		const url = ctx.sandbox.fileUrl('missing.png');
		answerWithUrl(url);
		const result = await runNode(ctx.sandbox, { model: model('dall-e-3') }, { continueOnFail: true });

		expect(result.status).toBe('success');
		const [item] = result.output(NODE_NAME);
		expect(item.json.error).toBe(`Could not download the image at ${url}: the server answered 404 Not Found`);
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.binary).toBeUndefined();
	});
});

describe('relay errors, retries and several items', () => {
	test('a 429 then success: the same body is sent again and the image arrives', async () => {
		ctx.sandbox.fault({ path: IMAGES, status: 429, headers: { 'retry-after-ms': '20' } });
		const result = await runNode(ctx.sandbox, { numberOfImages: 2 });

		const sent = apiRequests(ctx.sandbox, IMAGES);
		expect(sent).toHaveLength(2);
		expect(sent[1].body).toEqual(sent[0].body);
		expect(sent[1].body).toEqual({ model: 'gpt-image-1', prompt: 'A red poster', n: 2 });
		const expected = await directImages(ctx.sandbox, sent[1].body);
		expect((await result.binary(NODE_NAME, 1)).equals(Buffer.from(expected[1].b64_json, 'base64'))).toBe(true);
	});

	test('a 429 with no retries left is a NodeApiError with the status and a hint', async () => {
		ctx.sandbox.fault({ path: IMAGES, status: 429, times: 2, headers: { 'retry-after-ms': '10' } });
		const result = await runNode(ctx.sandbox, { options: { maxRetries: 1 } });

		expect(apiRequests(ctx.sandbox, IMAGES)).toHaveLength(2);
		const error = result.error as Error & { httpCode?: string; description?: string };
		expect(error.constructor.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('429');
		expect(error.description).toContain('Max Concurrent Requests');
		expect(error.description).toContain('Tried 2 times');
	});

	test('the relay rejecting a field: its message reaches the user, the key does not', async () => {
		const result = await runNode(ctx.sandbox, { model: model('dall-e-3'), size: '1536x1024' });

		expect(result.error!.message).toContain("Invalid size '1536x1024'");
		expect(everythingVisible(result)).not.toContain(API_KEY);
	});

	test('a wrong key: 401 with the relay message, and the key appears nowhere', async () => {
		const result = await runNode(
			ctx.sandbox,
			{},
			{ run: { credentials: { deerApiRelayApi: { apiKey: `${API_KEY}-wrong`, baseUrl: ctx.sandbox.url } } } },
		);
		expect((result.error as { httpCode?: string }).httpCode).toBe('401');
		expect(result.error!.message).toContain('无效的令牌');
		expect(everythingVisible(result)).not.toContain(API_KEY);
	});

	test('a base URL that is not a URL: a clear error, nothing sent', async () => {
		const result = await runNode(ctx.sandbox, {}, { run: { credentials: { deerApiRelayApi: { apiKey: API_KEY, baseUrl: 'api.deerapi' } } } });
		expect(result.error!.constructor.name).toBe('NodeOperationError');
		expect(result.error!.message).toBe('Base URL "api.deerapi" is not a valid URL: use the form https://api.deerapi.com');
		expect(ctx.sandbox.requests).toHaveLength(0);
	});

	test('Continue On Fail: the failing item becomes an error item, the others carry their images, all paired', async () => {
		const input = [
			{ json: { model: 'gpt-image-1', prompt: 'first' } },
			{ json: { model: 'unavailable-image-model', prompt: 'second' } },
			{ json: { model: 'dall-e-3', prompt: 'third' } },
		];
		const result = await runNode(
			ctx.sandbox,
			{
				model: { __rl: true, mode: 'id', value: '={{ $json.model }}' },
				prompt: '={{ $json.prompt }}',
				numberOfImages: '={{ $json.model === "gpt-image-1" ? 2 : 1 }}',
				options: { maxRetries: 0, maxConcurrency: 3 },
			},
			{ input, continueOnFail: true },
		);

		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items.map((item) => item.json.prompt)).toEqual(['first', 'first', undefined, 'third']);
		expect(items[2].json).toMatchObject({ httpCode: '503', error: expect.stringContaining('无可用渠道') });
		expect(items[2].binary).toBeUndefined();
		expect(items[3].json.model).toBe('dall-e-3');
		expect((await result.binary(NODE_NAME, 3)).length).toBe(items[3].json.fileSize);
		const bodies = apiRequests(ctx.sandbox, IMAGES).map((request) => request.body);
		expect(bodies).toEqual(
			expect.arrayContaining([
				{ model: 'gpt-image-1', prompt: 'first', n: 2 },
				{ model: 'unavailable-image-model', prompt: 'second' },
				{ model: 'dall-e-3', prompt: 'third' },
			]),
		);
		expect(everythingVisible(result)).not.toContain(API_KEY);
	});

	test('without Continue On Fail the first failing item fails the node with its index', async () => {
		const result = await runNode(
			ctx.sandbox,
			{ prompt: '={{ $json.prompt }}', options: { maxConcurrency: 1 } },
			{ input: [{ json: { prompt: 'fine' } }, { json: { prompt: '   ' } }] },
		);

		expect(result.status).toBe('error');
		expect(result.error!.message).toBe('Prompt: is empty');
		expect((result.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
	});

	test('an invalid Extra Body Fields JSON names the field', async () => {
		const result = await runNode(ctx.sandbox, { options: { extraBody: '{"watermark": fals' } });
		expect(result.error!.message).toMatch(/^Extra Body Fields: not valid JSON/);
		expect(ctx.sandbox.requests).toHaveLength(0);
	});

	test('cancelling the execution aborts the request in flight', async () => {
		ctx.sandbox.fault({ path: IMAGES, latencyMs: 5000 });
		const controller = new AbortController();
		const started = Date.now();
		setTimeout(() => controller.abort(), 200);
		const result = await runNode(ctx.sandbox, {}, { run: { signal: controller.signal } });

		expect(result.status).toBe('canceled');
		expect(Date.now() - started).toBeLessThan(3000);
		expect(result.nodes[NODE_NAME]?.items ?? []).toHaveLength(0);
	});
});
