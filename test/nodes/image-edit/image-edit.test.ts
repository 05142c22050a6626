/**
 * DeerAPI Image Edit run as real n8n workflows against the sandbox relay: the multipart parts
 * the relay received, the items and binary bytes the node emitted, the errors a user reads.
 */
import { encodeImage, readImageInfo } from '../../../sandbox';
import {
	API_KEY,
	NODE_NAME,
	binaryItem,
	directEdit,
	editRequests,
	everythingVisible,
	fileRequests,
	mask,
	model,
	photo,
	runEdit,
	useSandbox,
} from './helpers';

const ctx = useSandbox();

const fieldsOf = (parts: Array<{ name: string; value?: string }>) =>
	parts.filter((part) => part.value !== undefined).map((part) => [part.name, part.value]);
const filesOf = (parts: Array<{ name: string; value?: string; fileName?: string; contentType?: string; size: number }>) =>
	parts.filter((part) => part.value === undefined).map(({ name, fileName, contentType, size }) => ({ name, fileName, contentType, size }));

describe('gpt-image-1', () => {
	test('one image + prompt: model, prompt and the photo as "image"; the edited PNG comes back as binary', async () => {
		const product = photo(64, 48);
		const result = await runEdit(ctx.sandbox, {}, { input: [await binaryItem({ data: [product, 'product.png'] })] });

		const [sent] = editRequests(ctx.sandbox);
		expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);
		expect(sent.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
		expect(sent.parts).toEqual([
			{ name: 'model', value: 'gpt-image-1', size: 11 },
			{ name: 'prompt', value: 'Place it on a beach at sunset', size: 29 },
			{ name: 'image', fileName: 'product.png', contentType: 'image/png', size: product.length },
		]);

		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		const bytes = await result.binary(NODE_NAME, 0);
		const [expected] = await directEdit(ctx.sandbox, { model: 'gpt-image-1', prompt: 'Place it on a beach at sunset' }, [product]);
		expect(bytes.equals(Buffer.from(expected.b64_json, 'base64'))).toBe(true);
		expect(readImageInfo(bytes)).toEqual({ format: 'png', width: 64, height: 48 });
		expect(items[0].json).toEqual({
			model: 'gpt-image-1',
			prompt: 'Place it on a beach at sunset',
			index: 0,
			mimeType: 'image/png',
			fileSize: bytes.length,
			width: 64,
			height: 48,
			usage: expect.objectContaining({ total_tokens: expect.any(Number) }),
		});
		expect(items[0].binary!.data).toMatchObject({ mimeType: 'image/png', fileName: 'gpt-image-1-0-0.png', fileExtension: 'png' });
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(fileRequests(ctx.sandbox)).toHaveLength(0);
		expect(everythingVisible(result)).not.toContain(API_KEY);
	});

	test('three images + mask: three image[] parts in order, the mask, every option as a form field', async () => {
		const first = photo(64, 48);
		const logo = encodeImage('jpeg', { width: 32, height: 32, rgb: [10, 10, 200] });
		const texture = encodeImage('webp', { width: 16, height: 16, rgb: [10, 200, 10] });
		const maskBytes = mask(64, 48);
		const result = await runEdit(
			ctx.sandbox,
			{
				imageFields: 'data, logo,texture',
				numberOfImages: 2,
				size: '1536x1024',
				options: {
					maskField: 'mask',
					quality: 'high',
					background: 'opaque',
					outputFormat: 'jpeg',
					outputCompression: 80,
					inputFidelity: 'high',
					moderation: 'low',
					// gpt-image models reject it: left out.
					responseFormat: 'url',
					extraBody: '{"user": "campaign-7", "partial_images": 0}',
					binaryPropertyOutput: 'edited',
				},
			},
			{
				input: [
					await binaryItem({
						data: [first, 'bottle.png'],
						// A wrong label and extension: the part says what the bytes are.
						logo: [logo, 'logo.png', 'image/png'],
						texture: [texture, 'texture.webp', 'image/webp'],
						mask: [maskBytes, 'mask.png'],
					}),
				],
			},
		);

		const [sent] = editRequests(ctx.sandbox);
		expect(fieldsOf(sent.parts!)).toEqual([
			['model', 'gpt-image-1'],
			['prompt', 'Place it on a beach at sunset'],
			['n', '2'],
			['size', '1536x1024'],
			['quality', 'high'],
			['background', 'opaque'],
			['output_format', 'jpeg'],
			['output_compression', '80'],
			['moderation', 'low'],
			['input_fidelity', 'high'],
			['user', 'campaign-7'],
			['partial_images', '0'],
		]);
		expect(filesOf(sent.parts!)).toEqual([
			{ name: 'image[]', fileName: 'bottle.png', contentType: 'image/png', size: first.length },
			{ name: 'image[]', fileName: 'logo.jpg', contentType: 'image/jpeg', size: logo.length },
			{ name: 'image[]', fileName: 'texture.webp', contentType: 'image/webp', size: texture.length },
			{ name: 'mask', fileName: 'mask.png', contentType: 'image/png', size: maskBytes.length },
		]);

		const items = result.output(NODE_NAME);
		expect(items.map((item) => item.json.index)).toEqual([0, 1]);
		for (const [index, item] of items.entries()) {
			expect(item.binary!.edited).toMatchObject({ mimeType: 'image/jpeg', fileName: `gpt-image-1-0-${index}.jpg` });
			expect(item.json).toMatchObject({ mimeType: 'image/jpeg', width: 1536, height: 1024 });
		}
		expect(items[0].json.usage).toBeDefined();
		expect(items[1].json.usage).toBeUndefined();
	});

	test('an input image at a URL is downloaded first without the key and sent as a file', async () => {
		const url = ctx.sandbox.fileUrl('sample.jpg');
		const result = await runEdit(ctx.sandbox, { imageFields: '', imageUrls: url });

		const [download] = fileRequests(ctx.sandbox);
		expect(download.path).toBe('/files/sample.jpg');
		expect(download.headers.authorization).toBeUndefined();
		const downloaded = Buffer.from(await (await fetch(url)).arrayBuffer());
		const [sent] = editRequests(ctx.sandbox);
		expect(ctx.sandbox.requests.indexOf(download)).toBeLessThan(ctx.sandbox.requests.indexOf(sent));
		expect(filesOf(sent.parts!)).toEqual([
			{ name: 'image', fileName: 'sample.jpg', contentType: 'image/jpeg', size: downloaded.length },
		]);
		expect(result.output(NODE_NAME)[0].json).toMatchObject({ width: 64, height: 48, mimeType: 'image/png' });
	});

	test('binary fields first, then URLs: a binary photo plus a URL logo go as two image[] parts', async () => {
		const url = ctx.sandbox.fileUrl('sample.webp');
		await runEdit(ctx.sandbox, { imageUrls: url }, { input: [await binaryItem({ data: [photo(), 'p.png'] })] });
		const [sent] = editRequests(ctx.sandbox);
		expect(filesOf(sent.parts!).map((part) => [part.name, part.fileName, part.contentType])).toEqual([
			['image[]', 'p.png', 'image/png'],
			['image[]', 'sample.webp', 'image/webp'],
		]);
	});
});

describe('dall-e-2', () => {
	test('answers a link: response_format is sent, the image is downloaded without the key', async () => {
		const square = photo(48, 48);
		const result = await runEdit(
			ctx.sandbox,
			{ model: model('dall-e-2'), size: '512x512', options: { responseFormat: 'url' } },
			{ input: [await binaryItem({ data: [square, 'square.png'] })] },
		);

		const [sent] = editRequests(ctx.sandbox);
		expect(fieldsOf(sent.parts!)).toEqual([
			['model', 'dall-e-2'],
			['prompt', 'Place it on a beach at sunset'],
			['size', '512x512'],
			['response_format', 'url'],
		]);
		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({ model: 'dall-e-2', url: expect.stringMatching(/\/files\/gen\//), width: 512, height: 512 });
		const [download] = fileRequests(ctx.sandbox);
		expect(download.headers.authorization).toBeUndefined();
		expect((await result.binary(NODE_NAME, 0)).length).toBe(item.json.fileSize);
	});

	test('a photo that is not square, or not a PNG, fails before anything is sent', async () => {
		const wide = await runEdit(ctx.sandbox, { model: model('dall-e-2') }, { input: [await binaryItem({ data: [photo(64, 48), 'p.png'] })] });
		expect(wide.error!.message).toBe('Input Image Fields: the binary field "data" is 64x48; dall-e-2 edits square images only');

		const jpeg = encodeImage('jpeg', { width: 32, height: 32, rgb: [1, 2, 3] });
		const notPng = await runEdit(ctx.sandbox, { model: model('dall-e-2') }, { input: [await binaryItem({ data: [jpeg, 'p.jpg', 'image/jpeg'] })] });
		expect(notPng.error!.message).toBe('Input Image Fields: the binary field "data" is image/jpeg, which dall-e-2 cannot edit');
		expect(editRequests(ctx.sandbox)).toHaveLength(0);
	});
});

describe('bad input fails the item before anything is sent, naming the field', () => {
	test('a mask of the wrong size names both sizes', async () => {
		const result = await runEdit(
			ctx.sandbox,
			{ options: { maskField: 'mask' } },
			{ input: [await binaryItem({ data: [photo(64, 48), 'p.png'], mask: [mask(32, 32), 'm.png'] })] },
		);
		expect(result.error!.message).toBe('Mask Field: the mask is 32x32 but the first image (the binary field "data") is 64x48');
		expect((result.error as { description?: string }).description).toBe('The mask must have the same size as the first image.');
		expect((result.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(0);
		expect(ctx.sandbox.requests).toHaveLength(0);
	});

	test('a mask without transparency, a mask that is not a PNG, a mask field that is missing', async () => {
		const input = async (maskFile: [Buffer, string, string?]) => [await binaryItem({ data: [photo(), 'p.png'], mask: maskFile })];
		const opaque = await runEdit(ctx.sandbox, { options: { maskField: 'mask' } }, { input: await input([photo(), 'm.png']) });
		expect(opaque.error!.message).toBe('Mask Field: the mask in binary field "mask" has no transparency (no alpha channel)');

		const jpeg = encodeImage('jpeg', { width: 64, height: 48, rgb: [0, 0, 0] });
		const notPng = await runEdit(ctx.sandbox, { options: { maskField: 'mask' } }, { input: await input([jpeg, 'm.jpg', 'image/jpeg']) });
		expect(notPng.error!.message).toBe('Mask Field: the mask in binary field "mask" is image/jpeg, not a PNG');

		const missing = await runEdit(ctx.sandbox, { options: { maskField: 'alpha' } }, { input: await input([mask(), 'm.png']) });
		expect(missing.error!.message).toBe('Mask Field: the input item has no binary field "alpha"');
		expect(ctx.sandbox.requests).toHaveLength(0);
	});

	test('a missing field, a file that is not an image, a GIF, no image at all, an empty prompt', async () => {
		const missing = await runEdit(ctx.sandbox, { imageFields: 'photo' }, { input: [await binaryItem({ data: [photo(), 'p.png'] })] });
		expect(missing.error!.message).toBe('Input Image Fields: the input item has no binary field "photo"');
		expect((missing.error as { description?: string }).description).toBe('Its binary fields: data.');

		const csv = await runEdit(ctx.sandbox, {}, { input: [await binaryItem({ data: [Buffer.from('a,b\n1,2\n'), 'a.csv', 'text/csv'] })] });
		expect(csv.error!.message).toBe('Input Image Fields: the binary field "data" is not an image (text/csv, a.csv)');

		const gif = encodeImage('gif', { width: 1, height: 1, rgb: [0, 0, 0] });
		const gifResult = await runEdit(ctx.sandbox, {}, { input: [await binaryItem({ data: [gif, 'a.gif', 'image/gif'] })] });
		expect(gifResult.error!.message).toBe('Input Image Fields: the binary field "data" is image/gif, which gpt-image-1 cannot edit');
		expect((gifResult.error as { description?: string }).description).toBe(
			'Image edits take PNG, JPEG or WebP images: convert the file first.',
		);

		const none = await runEdit(ctx.sandbox, { imageFields: ' ' });
		expect(none.error!.message).toBe('Input Image Fields: no image to edit');

		const prompt = await runEdit(ctx.sandbox, { prompt: '  ' }, { input: [await binaryItem({ data: [photo(), 'p.png'] })] });
		expect(prompt.error!.message).toBe('Prompt: is empty');
		expect(ctx.sandbox.requests).toHaveLength(0);
	});

	test('an input link that cannot be downloaded fails the item, naming the link; the edit is not sent', async () => {
		const missing = ctx.sandbox.fileUrl('missing.png');
		const result = await runEdit(ctx.sandbox, { imageFields: '', imageUrls: missing, options: { maxRetries: 0 } });
		expect(result.error!.message).toBe(`Could not download the image at ${missing}: the server answered 404 Not Found`);
		expect(editRequests(ctx.sandbox)).toHaveLength(0);

		const page = ctx.sandbox.fileUrl('not-an-image.png');
		const notImage = await runEdit(ctx.sandbox, { imageFields: '', imageUrls: page });
		expect(notImage.error!.message).toBe(`Could not download the image at ${page}: it is an HTML page ("Sign in - Corporate Proxy"), not an image`);
		expect(editRequests(ctx.sandbox)).toHaveLength(0);
	});

	test('a bad link and an image over the 4 MB dall-e-2 limit', async () => {
		const link = await runEdit(ctx.sandbox, { imageFields: '', imageUrls: 'file:///etc/passwd' });
		expect(link.error!.message).toBe('Input Image URLs: "file:///etc/passwd" is not an http(s) link or an image data URL');

		const big = encodeImage('png', { width: 1200, height: 1200, rgb: [0, 0, 0], targetBytes: 4.5 * 1024 * 1024 });
		const tooLarge = await runEdit(ctx.sandbox, { model: model('dall-e-2') }, { input: [await binaryItem({ data: [big, 'big.png'] })] });
		expect(tooLarge.error!.message).toMatch(/^Input Image Fields: the binary field "data" is 4\.\d MB, more than the 4 MB dall-e-2 accepts$/);
		expect(ctx.sandbox.requests).toHaveLength(0);
	});
});

describe('relay errors and Continue On Fail', () => {
	test("a relay 400 is passed through with the relay's message and status", async () => {
		const result = await runEdit(
			ctx.sandbox,
			{ size: 'custom', customSize: '999x999' },
			{ input: [await binaryItem({ data: [photo(), 'p.png'] })] },
		);
		expect(editRequests(ctx.sandbox)).toHaveLength(1);
		expect(result.error!.message).toContain("Invalid value: '999x999'. Supported values are: '1024x1024', '1536x1024', '1024x1536', and 'auto'.");
		expect(result.error).toMatchObject({ httpCode: '400' });
		expect(everythingVisible(result)).not.toContain(API_KEY);
	});

	test('under Continue On Fail a failing item becomes an error item, the others go on', async () => {
		const result = await runEdit(
			ctx.sandbox,
			{ prompt: '={{ $json.prompt }}' },
			{
				continueOnFail: true,
				input: [
					{ ...(await binaryItem({ data: [photo(), 'a.png'] })), json: { prompt: 'first' } },
					{ json: { prompt: 'no photo' } },
					{ ...(await binaryItem({ data: [photo(), 'c.png'] })), json: { prompt: 'third' } },
				],
			},
		);
		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items.map((item) => item.json.prompt)).toEqual(['first', undefined, 'third']);
		expect(items[1].json.error).toBe('Input Image Fields: the input item has no binary field "data"');
		expect(items[1].binary).toBeUndefined();
		expect(editRequests(ctx.sandbox).map((request) => fieldsOf(request.parts!)[1][1])).toEqual(['first', 'third']);
	});
});
