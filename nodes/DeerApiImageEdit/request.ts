import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { pngHasAlpha, type Image } from '../shared/transport/file-types';
import { fetchImage } from '../shared/transport/media-download';
import { fileNameOfUrl, readBinaryImage, withExtension } from '../shared/n8n/binary';
import { invalidParameter } from '../shared/n8n/errors';
import type { ImageOutput } from '../shared/n8n/image-items';
import {
	isGptImageModel,
	readImageApiFields,
	readImageCount,
	readImageOutput,
	readImageUrls,
	readSize,
} from '../shared/n8n/image-options';
import { mergeExtraBody, multipartFields, readModel, readRequiredText, splitList, textOf } from '../shared/n8n/parameters';
import { formatBytes, type MultipartBody, type RelayClient } from '../shared/transport';
import { DEFAULT_INPUT_FIELD } from './description';

/** Everything one input item asks for, validated, with the form to send. */
export interface ImageEditRequest extends ImageOutput {
	form: MultipartBody;
}

/** One image to edit, with the parameter and source that named it (for errors). */
interface InputImage {
	image: Image;
	field: string;
	/** `binary field "data"` or the URL. */
	source: string;
	fileName: string;
}

const EDIT_FORMATS = ['png', 'jpg', 'webp'];
const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
const MAX_DALL_E_2_BYTES = 4 * 1024 * 1024;
const MAX_GPT_IMAGE_INPUTS = 16;

/**
 * Reads and checks everything of one item before anything reaches the relay: parameters first,
 * then the input images (binary fields, then URLs, downloaded without the key), then the mask.
 */
export async function readImageEditRequest(
	context: IExecuteFunctions,
	client: RelayClient,
	itemIndex: number,
	signal: AbortSignal,
): Promise<ImageEditRequest> {
	const node = context.getNode();
	const model = readModel(context, itemIndex);
	const prompt = readRequiredText(context, itemIndex, 'prompt', 'Prompt', 'Say what to change in the image.');
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const output = readImageOutput(context, itemIndex, model, prompt, options);

	const fields: IDataObject = { model, prompt };
	const count = readImageCount(context, itemIndex);
	// 1 is every model's default; some relay channels reject an explicit n.
	if (count > 1) fields.n = count;
	const size = readSize(context, itemIndex);
	if (size !== undefined) fields.size = size;
	Object.assign(fields, readImageApiFields(context, itemIndex, model, options));
	if (typeof options.inputFidelity === 'string') fields.input_fidelity = options.inputFidelity;
	const merged = mergeExtraBody(context, itemIndex, fields, options.extraBody);

	const imageFields = splitList(context.getNodeParameter('imageFields', itemIndex, DEFAULT_INPUT_FIELD), /[\s,]+/);
	const imageUrls = readImageUrls(context, itemIndex, context.getNodeParameter('imageUrls', itemIndex, ''), 'Input Image URLs');
	if (imageFields.length + imageUrls.length === 0) {
		throw invalidParameter(
			node,
			itemIndex,
			'Input Image Fields',
			'no image to edit',
			'Name the binary field holding the image (e.g. "data"), or enter Input Image URLs.',
		);
	}
	const maskField = textOf(options.maskField).trim();

	const images: InputImage[] = [];
	for (const property of imageFields) {
		const binary = await readBinaryImage(context, itemIndex, property, 'Input Image Fields');
		images.push(
			checkInputImage(context, itemIndex, model, {
				image: binary.image ?? { kind: 'image', mimeType: binary.mimeType, extension: '', bytes: binary.bytes },
				field: 'Input Image Fields',
				source: `the binary field "${property}"`,
				fileName: binary.fileName ?? property,
			}),
		);
	}
	for (const [index, url] of imageUrls.entries()) {
		// A failed download is a RelayDownloadError naming the link; the item runner maps it.
		const image = await fetchImage(client, url, { signal, maxBytes: output.maxDownloadBytes });
		images.push(
			checkInputImage(context, itemIndex, model, {
				image,
				field: 'Input Image URLs',
				source: url.startsWith('data:') ? 'the data URL' : url,
				fileName: fileNameOfUrl(url) ?? `image-${index}`,
			}),
		);
	}
	checkImageCount(context, itemIndex, model, images.length);

	const form: MultipartBody = { fields: multipartFields(merged), files: [] };
	// One image goes as "image", as dall-e-2 wants; several as repeated "image[]" parts.
	const partName = images.length > 1 ? 'image[]' : 'image';
	for (const input of images) {
		form.files.push({
			name: partName,
			bytes: input.image.bytes,
			fileName: withExtension(input.fileName, input.image.extension),
			contentType: input.image.mimeType,
		});
	}
	if (maskField) {
		const mask = await readMask(context, itemIndex, maskField, images[0]);
		form.files.push({ name: 'mask', bytes: mask, fileName: 'mask.png', contentType: 'image/png' });
	}
	return { ...output, form };
}

/** What the edits endpoint takes: PNG, JPEG or WebP under 50 MB; dall-e-2 one square PNG under 4 MB. */
function checkInputImage(context: IExecuteFunctions, itemIndex: number, model: string, input: InputImage): InputImage {
	const node = context.getNode();
	const { image, field, source } = input;
	const dallE2 = isDallE2(model);
	if (!EDIT_FORMATS.includes(image.extension) || (dallE2 && image.extension !== 'png')) {
		throw invalidParameter(
			node,
			itemIndex,
			field,
			`${source} is ${image.mimeType}, which ${model} cannot edit`,
			dallE2 ? 'dall-e-2 edits PNG images only.' : 'Image edits take PNG, JPEG or WebP images: convert the file first.',
		);
	}
	const limit = dallE2 ? MAX_DALL_E_2_BYTES : MAX_IMAGE_BYTES;
	if (image.bytes.length > limit) {
		throw invalidParameter(
			node,
			itemIndex,
			field,
			`${source} is ${formatBytes(image.bytes.length)}, more than the ${formatBytes(limit)} ${model} accepts`,
		);
	}
	if (dallE2 && image.width !== undefined && image.width !== image.height) {
		throw invalidParameter(
			node,
			itemIndex,
			field,
			`${source} is ${image.width}x${image.height}; dall-e-2 edits square images only`,
		);
	}
	return input;
}

function checkImageCount(context: IExecuteFunctions, itemIndex: number, model: string, count: number): void {
	const max = isDallE2(model) ? 1 : isGptImageModel(model) ? MAX_GPT_IMAGE_INPUTS : undefined;
	if (max !== undefined && count > max) {
		throw invalidParameter(
			context.getNode(),
			itemIndex,
			'Input Image Fields',
			`${count} images given, ${model} edits at most ${max}`,
		);
	}
}

/** The mask's bytes once it is a PNG with transparency of the first image's size; else which of these is wrong. */
async function readMask(context: IExecuteFunctions, itemIndex: number, property: string, first: InputImage): Promise<Buffer> {
	const node = context.getNode();
	const field = 'Mask Field';
	const mask = await readBinaryImage(context, itemIndex, property, field);
	if (mask.image?.extension !== 'png') {
		throw invalidParameter(
			node,
			itemIndex,
			field,
			`the mask in binary field "${property}" is ${mask.mimeType}, not a PNG`,
			'A mask is a PNG whose transparent pixels mark where to edit.',
		);
	}
	if (!pngHasAlpha(mask.bytes)) {
		throw invalidParameter(
			node,
			itemIndex,
			field,
			`the mask in binary field "${property}" has no transparency (no alpha channel)`,
			'Make the area to edit transparent and save the mask as a PNG with an alpha channel (RGBA).',
		);
	}
	const { width, height } = mask.image;
	const expected = first.image;
	if (expected.width !== undefined && (width !== expected.width || height !== expected.height)) {
		throw invalidParameter(
			node,
			itemIndex,
			field,
			`the mask is ${width}x${height} but the first image (${first.source}) is ${expected.width}x${expected.height}`,
			'The mask must have the same size as the first image.',
		);
	}
	return mask.bytes;
}

function isDallE2(model: string): boolean {
	return model.toLowerCase().startsWith('dall-e-2');
}
