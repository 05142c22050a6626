import { encodeImage, pngHasAlpha, readImageInfo, startSandbox, type Sandbox } from '../../sandbox';
import { PNG_MAGIC } from './http';

const EDITS = '/v1/images/edits';

const photo = (width = 64, height = 48) => encodeImage('png', { width, height, rgb: [200, 120, 40] });
const mask = (width = 64, height = 48) => encodeImage('png', { width, height, rgb: [0, 0, 0], alpha: 0 });

interface Part {
	name: string;
	value: string | Buffer;
	fileName?: string;
	type?: string;
}

describe('sandbox images/edits (multipart)', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.close());

	async function edit(parts: Part[], init: { auth?: boolean } = {}) {
		const form = new FormData();
		for (const part of parts) {
			if (typeof part.value === 'string') form.append(part.name, part.value);
			else form.append(part.name, new Blob([part.value], { type: part.type ?? 'image/png' }), part.fileName ?? 'file.png');
		}
		const response = await fetch(`${sandbox.url}${EDITS}`, {
			method: 'POST',
			headers: init.auth === false ? {} : { authorization: `Bearer ${sandbox.apiKey}` },
			body: form,
		});
		return { status: response.status, json: (await response.json()) as any };
	}

	const fields = (values: Record<string, string>): Part[] =>
		Object.entries(values).map(([name, value]) => ({ name, value }));

	it('edits one image for gpt-image-1: base64 PNG of the input size, usage, parts recorded', async () => {
		const image = photo(64, 48);
		const reply = await edit([
			...fields({ model: 'gpt-image-1', prompt: 'on a beach' }),
			{ name: 'image', value: image, fileName: 'product.png' },
		]);
		expect(reply.status).toBe(200);
		expect(reply.json.data).toHaveLength(1);
		expect(reply.json.data[0].url).toBe('');
		const bytes = Buffer.from(reply.json.data[0].b64_json, 'base64');
		expect(bytes.subarray(0, 8)).toEqual(PNG_MAGIC);
		expect(readImageInfo(bytes)).toEqual({ format: 'png', width: 64, height: 48 });
		expect(reply.json.usage).toMatchObject({ total_tokens: expect.any(Number) });

		expect(sandbox.lastRequest(EDITS)!.parts).toEqual([
			{ name: 'model', value: 'gpt-image-1', size: 11 },
			{ name: 'prompt', value: 'on a beach', size: 10 },
			{ name: 'image', fileName: 'product.png', contentType: 'image/png', size: image.length },
		]);
	});

	it('takes three image[] parts and a mask of the first image size, and honours size, n and output_format', async () => {
		const reply = await edit([
			...fields({ model: 'gpt-image-1', prompt: 'p', n: '2', size: '1536x1024', output_format: 'webp', input_fidelity: 'high' }),
			{ name: 'image[]', value: photo(64, 48), fileName: 'a.png' },
			{ name: 'image[]', value: encodeImage('jpeg', { width: 32, height: 32, rgb: [1, 2, 3] }), fileName: 'b.jpg', type: 'image/jpeg' },
			{ name: 'image[]', value: encodeImage('webp', { width: 16, height: 16, rgb: [1, 2, 3] }), fileName: 'c.webp', type: 'image/webp' },
			{ name: 'mask', value: mask(64, 48), fileName: 'mask.png' },
		]);
		expect(reply.status).toBe(200);
		expect(reply.json.data).toHaveLength(2);
		for (const entry of reply.json.data) {
			expect(readImageInfo(Buffer.from(entry.b64_json, 'base64'))).toEqual({ format: 'webp', width: 1536, height: 1024 });
		}
		const parts = sandbox.lastRequest(EDITS)!.parts!;
		expect(parts.filter((part) => part.name === 'image[]').map((part) => [part.fileName, part.contentType])).toEqual([
			['a.png', 'image/png'],
			['b.jpg', 'image/jpeg'],
			['c.webp', 'image/webp'],
		]);
		expect(parts.find((part) => part.name === 'mask')).toMatchObject({ fileName: 'mask.png', contentType: 'image/png' });
	});

	it('rejects a mask whose size differs from the first image, naming both sizes', async () => {
		const reply = await edit([
			...fields({ model: 'gpt-image-1', prompt: 'p' }),
			{ name: 'image', value: photo(64, 48) },
			{ name: 'mask', value: mask(32, 32), fileName: 'mask.png' },
		]);
		expect(reply.status).toBe(400);
		expect(reply.json.error).toMatchObject({
			message: 'Invalid mask image - mask size 32x32 does not match image size 64x48.',
			param: 'mask',
		});
	});

	it('rejects a mask without an alpha channel, and a mask that is not a PNG', async () => {
		const opaque = await edit([
			...fields({ model: 'gpt-image-1', prompt: 'p' }),
			{ name: 'image', value: photo() },
			{ name: 'mask', value: photo() },
		]);
		expect(opaque.status).toBe(400);
		expect(opaque.json.error.message).toBe("Invalid mask image - format must be in ['RGBA', 'LA'], got RGB.");

		const jpeg = await edit([
			...fields({ model: 'gpt-image-1', prompt: 'p' }),
			{ name: 'image', value: photo() },
			{ name: 'mask', value: encodeImage('jpeg', { width: 64, height: 48, rgb: [0, 0, 0] }), fileName: 'm.jpg' },
		]);
		expect(jpeg.status).toBe(400);
		expect(jpeg.json.error).toMatchObject({ param: 'mask', code: 'unsupported_file_mimetype' });
	});

	it('rejects a file that is not an image, a missing image, and an image sent as text', async () => {
		const html = await edit([
			...fields({ model: 'gpt-image-1', prompt: 'p' }),
			{ name: 'image', value: Buffer.from('<html>login</html>'), fileName: 'page.html', type: 'text/html' },
		]);
		expect(html.status).toBe(400);
		expect(html.json.error.message).toBe(
			"Invalid file 'page.html': unsupported mimetype ('text/html'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.",
		);

		const missing = await edit(fields({ model: 'gpt-image-1', prompt: 'p' }));
		expect(missing.status).toBe(400);
		expect(missing.json.error).toMatchObject({ message: "Missing required parameter: 'image'.", param: 'image' });

		const text = await edit(fields({ model: 'gpt-image-1', prompt: 'p', image: 'https://example.com/a.png' }));
		expect(text.status).toBe(400);
		expect(text.json.error.code).toBe('invalid_type');
	});

	it('applies the generations rules: gpt-image rejects response_format, a bad size is named', async () => {
		const format = await edit([
			...fields({ model: 'gpt-image-1', prompt: 'p', response_format: 'url' }),
			{ name: 'image', value: photo() },
		]);
		expect(format.status).toBe(400);
		expect(format.json.error).toMatchObject({ message: "Unknown parameter: 'response_format'.", param: 'response_format' });

		const size = await edit([...fields({ model: 'gpt-image-1', prompt: 'p', size: '999x999' }), { name: 'image', value: photo() }]);
		expect(size.status).toBe(400);
		expect(size.json.error.param).toBe('size');
	});

	it('answers dall-e-2 with a link to a PNG, and wants one square PNG', async () => {
		const reply = await edit([...fields({ model: 'dall-e-2', prompt: 'p' }), { name: 'image', value: photo(48, 48) }]);
		expect(reply.status).toBe(200);
		expect(reply.json.data[0].b64_json).toBe('');
		const file = await fetch(reply.json.data[0].url);
		expect(readImageInfo(Buffer.from(await file.arrayBuffer()))).toEqual({ format: 'png', width: 48, height: 48 });

		const wide = await edit([...fields({ model: 'dall-e-2', prompt: 'p' }), { name: 'image', value: photo(64, 48) }]);
		expect(wide.status).toBe(400);
		expect(wide.json.error.message).toBe('Invalid input image - image must be square, got 64x48.');
	});

	it('wants multipart, a key, a model and a prompt', async () => {
		const asJson = await fetch(`${sandbox.url}${EDITS}`, {
			method: 'POST',
			headers: { authorization: `Bearer ${sandbox.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'gpt-image-1', prompt: 'p' }),
		});
		expect(asJson.status).toBe(400);
		expect(((await asJson.json()) as any).error.message).toMatch(/^Invalid Content-Type header, expected multipart\/form-data/);

		expect((await edit([...fields({ model: 'gpt-image-1', prompt: 'p' })], { auth: false })).status).toBe(401);
		expect((await edit([...fields({ prompt: 'p' }), { name: 'image', value: photo() }])).json.error.param).toBe('model');
		expect((await edit([...fields({ model: 'gpt-image-1' }), { name: 'image', value: photo() }])).json.error.param).toBe('prompt');
	});

	it('makes the edited picture depend on the input image', async () => {
		const prompt = fields({ model: 'gpt-image-1', prompt: 'same prompt' });
		const first = await edit([...prompt, { name: 'image', value: photo() }]);
		const second = await edit([...prompt, { name: 'image', value: encodeImage('png', { width: 64, height: 48, rgb: [9, 9, 9] }) }]);
		expect(first.json.data[0].b64_json).not.toBe(second.json.data[0].b64_json);
	});
});

describe('PNG alpha', () => {
	it('encodes RGBA when an alpha is given and tells masks from opaque PNGs', () => {
		const rgba = encodeImage('png', { width: 8, height: 4, rgb: [0, 0, 0], alpha: 0 });
		expect(rgba[25]).toBe(6);
		expect(readImageInfo(rgba)).toEqual({ format: 'png', width: 8, height: 4 });
		expect(pngHasAlpha(rgba)).toBe(true);
		expect(pngHasAlpha(photo())).toBe(false);
		expect(pngHasAlpha(encodeImage('jpeg', { width: 8, height: 8, rgb: [0, 0, 0] }))).toBe(false);
	});
});
