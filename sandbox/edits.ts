/**
 * POST /v1/images/edits: OpenAI's multipart format as DeerAPI forwards it ("图像编辑 (gpt-image-1)").
 * Parsed with the platform's own Request.formData(). Images come as `image` or repeated
 * `image[]` file parts (PNG, JPEG or WebP; dall-e-2: one square PNG under 4 MB), an optional
 * `mask` must be a PNG with an alpha channel of the first image's size, and the other fields are
 * those of generations, checked by the same rules. The answer is a generations body whose images
 * have the first image's size unless `size` asks for another one.
 */
import { createHash } from 'node:crypto';

import { unavailableModel } from './chat';
import { pngHasAlpha, readImageInfo, type ImageInfo } from './image-bytes';
import { imagesAnswer, validateImageRequest } from './images';
import { relayError } from './relay-errors';
import { json, type RouteResult } from './responses';
import type { RouteContext } from './state';
import type { FormPart } from './multipart';

const MAX_GPT_IMAGE_INPUTS = 16;
const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
const MAX_DALL_E_2_BYTES = 4 * 1024 * 1024;
const EDIT_FORMATS = ['png', 'jpeg', 'webp'];
const NUMERIC_FIELDS = ['n', 'output_compression'];

function invalid(message: string, param: string, code = 'invalid_value'): RouteResult {
	return json(400, relayError(message, 'invalid_request_error', code, param));
}

function describeSize(info: ImageInfo): string {
	return `${info.width}x${info.height}`;
}

export function handleImageEdits(parts: FormPart[] | undefined, ctx: RouteContext): RouteResult {
	const { requestId } = ctx;
	if (!parts) {
		return invalid(
			`Invalid Content-Type header, expected multipart/form-data (request id: ${requestId})`,
			'',
			'invalid_request',
		);
	}
	const fields: Record<string, unknown> = {};
	for (const part of parts) {
		if (part.bytes || part.value === undefined) continue;
		fields[part.name] = NUMERIC_FIELDS.includes(part.name) && /^-?\d+(\.\d+)?$/.test(part.value) ? Number(part.value) : part.value;
	}
	const model = typeof fields.model === 'string' ? fields.model : '';
	if (!model) return invalid(`field model is required (request id: ${requestId})`, 'model', 'invalid_request');
	if (typeof fields.prompt !== 'string' || !fields.prompt.trim()) {
		return invalid(`prompt is required (request id: ${requestId})`, 'prompt', 'invalid_request');
	}
	if (model.startsWith('unavailable-')) return unavailableModel(model, requestId);

	const imageParts = parts.filter((part) => part.name === 'image' || part.name === 'image[]');
	if (imageParts.some((part) => !part.bytes)) {
		return invalid("Invalid type for 'image': expected a file, but got a string instead.", 'image', 'invalid_type');
	}
	if (imageParts.length === 0) return invalid("Missing required parameter: 'image'.", 'image', 'missing_required_parameter');

	const isGptImage = model.startsWith('gpt-image-1');
	const isDallE2 = model === 'dall-e-2';
	if (isGptImage && imageParts.length > MAX_GPT_IMAGE_INPUTS) {
		return invalid(`Invalid 'image': too many images. Expected at most ${MAX_GPT_IMAGE_INPUTS}, got ${imageParts.length}.`, 'image', 'array_above_max_length');
	}
	if (isDallE2 && imageParts.length > 1) {
		return invalid('dall-e-2 edits take exactly one image.', 'image');
	}
	const images: ImageInfo[] = [];
	for (const part of imageParts) {
		const info = readImageInfo(part.bytes!);
		if (!info || !EDIT_FORMATS.includes(info.format) || (isDallE2 && info.format !== 'png')) {
			const accepted = isDallE2 ? "'image/png'" : "'image/jpeg', 'image/png', and 'image/webp'";
			return invalid(
				`Invalid file '${part.fileName ?? 'image'}': unsupported mimetype ('${part.contentType || 'application/octet-stream'}'). Supported file formats are ${accepted}.`,
				'image',
				'unsupported_file_mimetype',
			);
		}
		const limit = isDallE2 ? MAX_DALL_E_2_BYTES : MAX_IMAGE_BYTES;
		if (part.size > limit) {
			return invalid(`Invalid file '${part.fileName}': the image must be smaller than ${limit / 1024 / 1024} MB.`, 'image', 'image_too_large');
		}
		if (isDallE2 && info.width !== info.height) {
			return invalid(`Invalid input image - image must be square, got ${describeSize(info)}.`, 'image');
		}
		images.push(info);
	}

	const maskPart = parts.find((part) => part.name === 'mask');
	if (maskPart) {
		const mask = maskPart.bytes ? readImageInfo(maskPart.bytes) : undefined;
		if (!mask || mask.format !== 'png') {
			return invalid(`Invalid file '${maskPart.fileName ?? 'mask'}': the mask must be a PNG image.`, 'mask', 'unsupported_file_mimetype');
		}
		if (!pngHasAlpha(maskPart.bytes!)) {
			return invalid("Invalid mask image - format must be in ['RGBA', 'LA'], got RGB.", 'mask');
		}
		if (mask.width !== images[0].width || mask.height !== images[0].height) {
			return invalid(
				`Invalid mask image - mask size ${describeSize(mask)} does not match image size ${describeSize(images[0])}.`,
				'mask',
			);
		}
	}

	if (fields.input_fidelity !== undefined && !['high', 'low'].includes(String(fields.input_fidelity))) {
		return invalid(`Invalid value: '${String(fields.input_fidelity)}'. Supported values are: 'high' and 'low'.`, 'input_fidelity');
	}
	const compression = fields.output_compression;
	if (compression !== undefined && !(Number.isInteger(compression) && (compression as number) >= 0 && (compression as number) <= 100)) {
		return invalid(`Invalid 'output_compression': expected an integer from 0 to 100, got ${JSON.stringify(compression)}.`, 'output_compression');
	}

	const request = validateImageRequest(fields, model);
	if ('kind' in request) return request;
	// An edit keeps the picture's shape unless a size is asked for.
	if (fields.size === undefined || fields.size === 'auto') {
		request.size = { width: images[0].width, height: images[0].height };
	}
	const firstImage = createHash('sha256').update(imageParts[0].bytes!).digest('hex');
	return imagesAnswer(request, ctx, `${request.prompt}\n${firstImage}`);
}
