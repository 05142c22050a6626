import { readImageInfo, startSandbox, type Sandbox } from '../../sandbox';
import { get, pathOf, PNG_MAGIC, post } from './http';

const IMAGES = '/v1/images/generations';

describe('sandbox images API', () => {
	let sandbox: Sandbox;
	const generate = (body: Record<string, unknown>) => post(sandbox, IMAGES, body);

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.close());

	describe('gpt-image-1 family', () => {
		it('always answers base64 PNG with usage, and empty url / revised_prompt', async () => {
			const reply = await generate({ model: 'gpt-image-1', prompt: 'a lighthouse', n: 2 });
			expect(reply.status).toBe(200);
			expect(Math.abs(reply.json.created - Date.now() / 1000)).toBeLessThan(5);
			expect(reply.json.data).toHaveLength(2);
			for (const entry of reply.json.data) {
				expect(Object.keys(entry).sort()).toEqual(['b64_json', 'revised_prompt', 'url']);
				expect(entry.url).toBe('');
				expect(entry.revised_prompt).toBe('');
				const bytes = Buffer.from(entry.b64_json, 'base64');
				expect(bytes.subarray(0, 8)).toEqual(PNG_MAGIC);
				expect(readImageInfo(bytes)).toEqual({ format: 'png', width: 1024, height: 1024 });
			}
			const textTokens = Math.ceil('a lighthouse'.length / 4);
			expect(reply.json.usage).toEqual({
				input_tokens: textTokens,
				output_tokens: 2 * 1056,
				total_tokens: textTokens + 2 * 1056,
				input_tokens_details: { text_tokens: textTokens, image_tokens: 0 },
			});
		});

		it.each([
			['jpeg', '1536x1024', 'jpeg', 1536, 1024],
			['webp', '1024x1536', 'webp', 1024, 1536],
			['png', 'auto', 'png', 1024, 1024],
		])('encodes output_format %s at size %s', async (outputFormat, size, format, width, height) => {
			const reply = await generate({ model: 'gpt-image-1-mini', prompt: 'p', output_format: outputFormat, size });
			expect(reply.status).toBe(200);
			const bytes = Buffer.from(reply.json.data[0].b64_json, 'base64');
			expect(readImageInfo(bytes)).toEqual({ format, width, height });
		});

		it('rejects response_format like OpenAI', async () => {
			const reply = await generate({ model: 'gpt-image-1', prompt: 'p', response_format: 'url' });
			expect(reply.status).toBe(400);
			expect(reply.json.error).toEqual({
				message: "Unknown parameter: 'response_format'.",
				type: 'invalid_request_error',
				param: 'response_format',
				code: 'unknown_parameter',
			});
		});

		it.each([
			[{ size: '512x512' }, 'size'],
			[{ n: 11 }, 'n'],
			[{ n: 0 }, 'n'],
			[{ output_format: 'gif' }, 'output_format'],
			[{ quality: 'ultra' }, 'quality'],
			[{ background: 'transparent', output_format: 'jpeg' }, 'background'],
		])('rejects %j', async (extra, param) => {
			const reply = await generate({ model: 'gpt-image-1', prompt: 'p', ...extra });
			expect(reply.status).toBe(400);
			expect(reply.json.error.param).toBe(param);
			expect(reply.json.error.message.length).toBeGreaterThan(10);
		});
	});

	describe('dall-e-3', () => {
		it('answers a URL by default, with revised_prompt, and the URL serves the image', async () => {
			const reply = await generate({ model: 'dall-e-3', prompt: 'a fox', size: '1792x1024' });
			expect(reply.status).toBe(200);
			const [entry] = reply.json.data;
			expect(entry.b64_json).toBe('');
			expect(entry.revised_prompt).toBe('A vivid rendering of: a fox');
			expect(entry.url).toMatch(new RegExp(`^${sandbox.url}/files/gen/[0-9a-f]+\\.png$`));
			expect(reply.json).not.toHaveProperty('usage');
			const image = await get(sandbox, pathOf(entry.url), { auth: false });
			expect(image.status).toBe(200);
			expect(image.headers['content-type']).toBe('image/png');
			expect(readImageInfo(image.body)).toEqual({ format: 'png', width: 1792, height: 1024 });
		});

		it('answers b64_json when asked', async () => {
			const reply = await generate({ model: 'dall-e-3', prompt: 'a fox', response_format: 'b64_json' });
			const [entry] = reply.json.data;
			expect(entry.url).toBe('');
			expect(readImageInfo(Buffer.from(entry.b64_json, 'base64'))).toEqual({ format: 'png', width: 1024, height: 1024 });
		});

		it('allows one image only and its three sizes', async () => {
			const two = await generate({ model: 'dall-e-3', prompt: 'p', n: 2 });
			expect(two.status).toBe(400);
			expect(two.json.error.message).toMatch(/only request 1 image .*dall-e-3/);
			const size = await generate({ model: 'dall-e-3', prompt: 'p', size: '1536x1024' });
			expect(size.status).toBe(400);
			expect(size.json.error.param).toBe('size');
			const format = await generate({ model: 'dall-e-3', prompt: 'p', response_format: 'binary' });
			expect(format.status).toBe(400);
			expect(format.json.error.param).toBe('response_format');
		});
	});

	describe('doubao-seedream', () => {
		it.each([
			['1K', 1024, 1024],
			['2K', 2048, 2048],
			['4K', 2048, 2048],
			['1280x720', 1280, 720],
			['3072x1536', 2048, 1024],
		])('accepts size %s (generated at %ix%i)', async (size, width, height) => {
			const reply = await generate({
				model: 'doubao-seedream-4-0-250828',
				prompt: 'mountains',
				size,
				watermark: false,
				image: ['https://example.com/ref.png'],
				response_format: 'b64_json',
			});
			expect(reply.status).toBe(200);
			expect(readImageInfo(Buffer.from(reply.json.data[0].b64_json, 'base64'))).toEqual({ format: 'png', width, height });
			expect(sandbox.lastRequest(IMAGES)!.body).toMatchObject({ watermark: false, image: ['https://example.com/ref.png'] });
		});

		it('defaults to a URL at 2048x2048 and rejects nonsense sizes', async () => {
			const reply = await generate({ model: 'doubao-seedream-4-5-251128', prompt: 'sea' });
			const [entry] = reply.json.data;
			expect(entry).toMatchObject({ b64_json: '', revised_prompt: '' });
			const image = await get(sandbox, pathOf(entry.url), { auth: false });
			expect(readImageInfo(image.body)).toEqual({ format: 'png', width: 2048, height: 2048 });
			const bad = await generate({ model: 'doubao-seedream-4-5-251128', prompt: 'sea', size: 'huge' });
			expect(bad.status).toBe(400);
			expect(bad.json.error.param).toBe('size');
		});
	});

	it('serves other models (flux ...) leniently, URL by default', async () => {
		const reply = await generate({ model: 'flux-kontext-pro', prompt: 'neon city', n: 3, size: '640x480' });
		expect(reply.status).toBe(200);
		expect(reply.json.data).toHaveLength(3);
		const urls = reply.json.data.map((d: any) => d.url);
		expect(new Set(urls).size).toBe(3);
		for (const url of urls) {
			const image = await get(sandbox, pathOf(url), { auth: false });
			expect(readImageInfo(image.body)).toEqual({ format: 'png', width: 640, height: 480 });
		}
	});

	it('requires a prompt, and a channel for the model', async () => {
		const reply = await generate({ model: 'dall-e-3' });
		expect(reply.status).toBe(400);
		expect(reply.json.error.message).toMatch(/^prompt is required/);
		expect(reply.json.error.type).toBe('invalid_request_error');
		const unavailable = await generate({ model: 'unavailable-flux', prompt: 'x' });
		expect(unavailable.status).toBe(503);
		expect(unavailable.json.error.code).toBe('model_not_found');
	});

	it('requires auth', async () => {
		const reply = await post(sandbox, IMAGES, { model: 'dall-e-3', prompt: 'x' }, { auth: false });
		expect(reply.status).toBe(401);
	});

	it('makes noisy images of about imageBytes when set', async () => {
		sandbox.setImageBytes(300_000);
		try {
			const reply = await generate({ model: 'dall-e-3', prompt: 'noise', response_format: 'b64_json' });
			const bytes = Buffer.from(reply.json.data[0].b64_json, 'base64');
			expect(bytes.length).toBeGreaterThan(270_000);
			expect(bytes.length).toBeLessThan(330_000);
			expect(readImageInfo(bytes)).toEqual({ format: 'png', width: 1024, height: 1024 });
			const webp = await generate({ model: 'gpt-image-1', prompt: 'noise', output_format: 'webp' });
			const webpBytes = Buffer.from(webp.json.data[0].b64_json, 'base64');
			expect(Math.abs(webpBytes.length - 300_000)).toBeLessThan(1000);
			expect(readImageInfo(webpBytes)).toEqual({ format: 'webp', width: 1024, height: 1024 });
		} finally {
			sandbox.setImageBytes(undefined);
		}
		const small = await generate({ model: 'dall-e-3', prompt: 'noise', response_format: 'b64_json' });
		expect(Buffer.from(small.json.data[0].b64_json, 'base64').length).toBeLessThan(20_000);
	});
});

describe('sandbox chat-form image models', () => {
	let sandbox: Sandbox;
	const chatImage = (model: string, text: string) =>
		post(sandbox, '/v1/chat/completions', { model, messages: [{ role: 'user', content: text }] });
	const imageLinks = (markdown: string) => [...markdown.matchAll(/!\[([^\]]*)\]\(([^)]+)\)/g)].map((m) => m[2]);

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.close());

	it('answers DeerAPI-style Markdown with a fetchable PNG and a non-image progress link', async () => {
		const reply = await chatImage('gpt-4o-image', 'a cat in a hat');
		expect(reply.status).toBe(200);
		const content: string = reply.json.choices[0].message.content;
		const fence = /^```json\n([\s\S]+?)\n```/.exec(content);
		expect(fence).not.toBeNull();
		expect(JSON.parse(fence![1])).toEqual({ prompt: 'a cat in a hat', ratio: '1:1' });
		expect(content).toContain('>🕐 Queuing.');
		expect(content).toContain('>⚡ Generating..');
		expect(content).toContain('> ✅ Generation complete');

		const progress = /Progress 14\.\.\.37\.\.\.61\.\.\[100\]\(([^)]+)\)/.exec(content);
		expect(progress).not.toBeNull();
		expect(progress![1]).toMatch(new RegExp(`^${sandbox.url}/files/progress/\\w+$`));
		const page = await get(sandbox, pathOf(progress![1]), { auth: false });
		expect(page.status).toBe(200);
		expect(page.headers['content-type']).toMatch(/^text\/html/);
		expect(readImageInfo(page.body)).toBeUndefined();

		const links = imageLinks(content);
		expect(links).toHaveLength(1);
		expect(links[0]).toMatch(/\/files\/gen\/\w+\.png$/);
		const image = await get(sandbox, pathOf(links[0]), { auth: false });
		expect(image.headers['content-type']).toBe('image/png');
		expect(image.body.subarray(0, 8)).toEqual(PNG_MAGIC);
		expect(readImageInfo(image.body)).toEqual({ format: 'png', width: 1024, height: 1024 });
	});

	it('gives gemini image models a second image whose URL has no extension', async () => {
		const reply = await chatImage('gemini-2.5-flash-image', 'two birds 16:9');
		const content: string = reply.json.choices[0].message.content;
		expect(content).toContain('"ratio": "16:9"');
		const links = imageLinks(content);
		expect(links).toHaveLength(2);
		expect(links[0]).toMatch(/\.png$/);
		expect(links[1]).toMatch(/\/files\/gen\/\w+-b$/);
		for (const link of links) {
			const image = await get(sandbox, pathOf(link), { auth: false });
			expect(image.status).toBe(200);
			expect(image.headers['content-type']).toBe('image/png');
			expect(readImageInfo(image.body)).toEqual({ format: 'png', width: 1024, height: 576 });
		}
	});

	it.each(['gpt-4o-image-vip', 'gpt-image-1'])('gives two images for TWO_IMAGES (%s)', async (model) => {
		const reply = await chatImage(model, 'TWO_IMAGES of a boat');
		const links = imageLinks(reply.json.choices[0].message.content);
		expect(links).toHaveLength(2);
		expect(new Set(links).size).toBe(2);
		for (const link of links) {
			const image = await get(sandbox, pathOf(link), { auth: false });
			expect(image.body.subarray(0, 8)).toEqual(PNG_MAGIC);
		}
	});
});

describe('sandbox /files', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.close());

	it('builds file URLs', () => {
		expect(sandbox.fileUrl('sample.png')).toBe(`${sandbox.url}/files/sample.png`);
		expect(sandbox.fileUrl('/big.png?bytes=10')).toBe(`${sandbox.url}/files/big.png?bytes=10`);
	});

	it.each([
		['sample.png', 'image/png', 'png', 64, 48],
		['sample.jpg', 'image/jpeg', 'jpeg', 64, 48],
		['sample.webp', 'image/webp', 'webp', 64, 48],
		['sample.gif', 'image/gif', 'gif', 1, 1],
	])('serves %s', async (name, contentType, format, width, height) => {
		const reply = await get(sandbox, `/files/${name}`, { auth: false });
		expect(reply.status).toBe(200);
		expect(reply.headers['content-type']).toBe(contentType);
		expect(Number(reply.headers['content-length'])).toBe(reply.body.length);
		expect(readImageInfo(reply.body)).toEqual({ format, width, height });
	});

	it('answers 404 HTML for missing files', async () => {
		for (const name of ['missing.png', 'gen/nope.png', 'whatever']) {
			const reply = await get(sandbox, `/files/${name}`, { auth: false });
			expect(reply.status).toBe(404);
			expect(reply.headers['content-type']).toMatch(/^text\/html/);
			expect(reply.text).toContain('404 Not Found');
		}
	});

	it('serves an HTML page under an image name', async () => {
		const reply = await get(sandbox, '/files/not-an-image.png', { auth: false });
		expect(reply.status).toBe(200);
		expect(reply.headers['content-type']).toMatch(/^text\/html/);
		expect(reply.text).toMatch(/^<!DOCTYPE html>/);
		expect(readImageInfo(reply.body)).toBeUndefined();
	});

	it('serves JPEG bytes labelled image/png', async () => {
		const reply = await get(sandbox, '/files/jpeg-as-png.png', { auth: false });
		expect(reply.headers['content-type']).toBe('image/png');
		expect(reply.body.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
		expect(readImageInfo(reply.body)?.format).toBe('jpeg');
	});

	it('serves a big noisy PNG of about the asked size', async () => {
		const reply = await get(sandbox, '/files/big.png?bytes=3000000', { auth: false });
		expect(reply.status).toBe(200);
		expect(reply.headers['content-type']).toBe('image/png');
		expect(Math.abs(reply.body.length - 3_000_000)).toBeLessThan(30_000);
		expect(reply.body.subarray(0, 8)).toEqual(PNG_MAGIC);
		expect(sandbox.lastRequest()!.query).toEqual({ bytes: '3000000' });
	});

	it('keeps generated files for the life of the server', async () => {
		const reply = await post(sandbox, '/v1/images/generations', { model: 'flux-schnell', prompt: 'keep me' });
		const url = reply.json.data[0].url;
		const first = await get(sandbox, pathOf(url), { auth: false });
		const again = await get(sandbox, pathOf(url), { auth: false });
		expect(again.body.equals(first.body)).toBe(true);
	});
});
