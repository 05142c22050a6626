import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { isImageSource } from '../shared/images';
import { binaryImageDataUrl } from '../shared/n8n/binary';
import { invalidParameter } from '../shared/n8n/errors';
import { mergeExtraBody, readMaxDownloadBytes, readModel } from '../shared/n8n/parameters';
import { truncate } from '../shared/transport';
import {
	CUSTOM_SIZE,
	DEFAULT_BINARY_PROPERTY,
	MODEL_DEFAULT_SIZE,
} from './description';

export type Mode = 'images' | 'chat';

/** Everything one input item asks for, validated. */
export interface ImageRequest {
	mode: Mode;
	model: string;
	prompt: string;
	/** The request body, extra body fields merged in. */
	body: IDataObject;
	binaryProperty: string;
	downloadImages: boolean;
	maxDownloadBytes: number;
}

const MAX_IMAGES = 10;
const WXH_SIZE = /^(\d{2,5})\s*[x×*]\s*(\d{2,5})$/i;
const K_SIZE = /^(\d{1,2})\s*k$/i;

/** gpt-image-1, gpt-image-1-mini, ...: base64 only, and `response_format` is an unknown parameter. */
export function isGptImageModel(model: string): boolean {
	return model.toLowerCase().startsWith('gpt-image');
}

function isDallE3(model: string): boolean {
	return model.toLowerCase().startsWith('dall-e-3');
}

export async function readImageRequest(
	context: IExecuteFunctions,
	itemIndex: number,
): Promise<ImageRequest> {
	const node = context.getNode();
	const model = readModel(context, itemIndex);
	const mode = context.getNodeParameter('mode', itemIndex, 'images') as Mode;
	const prompt = String(context.getNodeParameter('prompt', itemIndex, '') ?? '');
	if (!prompt.trim()) {
		throw invalidParameter(node, itemIndex, 'Prompt', 'is empty', 'Describe the image to generate.');
	}
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;

	const binaryProperty =
		typeof options.binaryPropertyOutput === 'string' ? options.binaryPropertyOutput.trim() : DEFAULT_BINARY_PROPERTY;
	if (!binaryProperty) {
		throw invalidParameter(node, itemIndex, 'Put Output in Field', 'is empty', 'Enter a binary field name such as "data".');
	}
	const maxDownloadBytes = readMaxDownloadBytes(context, itemIndex, options);

	const references = await readReferenceImages(context, itemIndex, options);
	const base =
		mode === 'chat'
			? chatBody(model, prompt, references, options)
			: imagesBody(context, itemIndex, model, prompt, references, options);

	return {
		mode,
		model,
		prompt,
		body: mergeExtraBody(context, itemIndex, base, options.extraBody),
		binaryProperty,
		downloadImages: options.downloadImages !== false,
		maxDownloadBytes,
	};
}

function imagesBody(
	context: IExecuteFunctions,
	itemIndex: number,
	model: string,
	prompt: string,
	references: string[],
	options: IDataObject,
): IDataObject {
	const node = context.getNode();
	const body: IDataObject = { model, prompt };

	const count = Number(context.getNodeParameter('numberOfImages', itemIndex, 1));
	if (!Number.isInteger(count) || count < 1 || count > MAX_IMAGES) {
		throw invalidParameter(node, itemIndex, 'Number of Images', `must be a whole number from 1 to ${MAX_IMAGES}, got ${count}`);
	}
	if (count > 1 && isDallE3(model)) {
		throw invalidParameter(
			node,
			itemIndex,
			'Number of Images',
			`${model} makes one image per request, got ${count}`,
			'Set Number of Images to 1 and send one input item per image, or use a model that takes several (gpt-image-1, dall-e-2).',
		);
	}
	// 1 is every model's default; some relays' Seedream channels reject an explicit n.
	if (count > 1) body.n = count;

	const size = readSize(context, itemIndex);
	if (size !== undefined) body.size = size;

	if (typeof options.quality === 'string') body.quality = options.quality;
	if (typeof options.style === 'string') body.style = options.style;
	if (typeof options.background === 'string') body.background = options.background;
	if (typeof options.outputFormat === 'string') body.output_format = options.outputFormat;
	if (typeof options.outputCompression === 'number') {
		const compression = options.outputCompression;
		if (!Number.isInteger(compression) || compression < 0 || compression > 100) {
			throw invalidParameter(node, itemIndex, 'Output Compression', `must be a whole number from 0 to 100, got ${compression}`);
		}
		body.output_compression = compression;
	}
	if (typeof options.moderation === 'string') body.moderation = options.moderation;
	// The answer is the same binary either way, so a stale option must not break gpt-image runs.
	if (typeof options.responseFormat === 'string' && !isGptImageModel(model)) {
		body.response_format = options.responseFormat;
	}
	if (references.length === 1) body.image = references[0];
	else if (references.length > 1) body.image = references;
	return body;
}

function chatBody(model: string, prompt: string, references: string[], options: IDataObject): IDataObject {
	const content =
		references.length === 0
			? prompt
			: [
					{ type: 'text', text: prompt },
					...references.map((url) => ({ type: 'image_url', image_url: { url } })),
				];
	return {
		model,
		messages: [{ role: 'user', content }],
		stream: options.stream !== false,
	};
}

/** The `size` to send, or undefined for "Default (Model Decides)". */
function readSize(context: IExecuteFunctions, itemIndex: number): string | undefined {
	const choice = String(context.getNodeParameter('size', itemIndex, MODEL_DEFAULT_SIZE) ?? '');
	if (choice === MODEL_DEFAULT_SIZE || choice === '') return undefined;
	if (choice !== CUSTOM_SIZE) return choice;
	const custom = String(context.getNodeParameter('customSize', itemIndex, '') ?? '').trim();
	const wxh = WXH_SIZE.exec(custom);
	if (wxh) return `${Number(wxh[1])}x${Number(wxh[2])}`;
	const k = K_SIZE.exec(custom);
	if (k && Number(k[1]) > 0) return `${Number(k[1])}K`;
	throw invalidParameter(
		context.getNode(),
		itemIndex,
		'Custom Size',
		custom ? `"${custom}" is not a size` : 'is empty',
		'Use WIDTHxHEIGHT in pixels (e.g. 2048x2048) or a resolution such as 1K, 2K or 4K.',
	);
}

/**
 * Reference images as URLs the API accepts: the links as given, then the input item's binary
 * fields as data URLs with the MIME type their bytes show.
 */
async function readReferenceImages(
	context: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): Promise<string[]> {
	const node = context.getNode();
	const urls = splitList(options.referenceImageUrls, /\s+|,(?=\s*(?:https?:|data:))/i);
	for (const url of urls) {
		// Sent as given: the relay fetches links itself and takes only base64 data URLs.
		if (!isImageSource(url) || (url.startsWith('data:') && !/^data:image\/[\w.+-]+;base64,/i.test(url))) {
			throw invalidParameter(
				node,
				itemIndex,
				'Reference Image URLs',
				`"${truncate(url, 80)}" is not an http(s) link or an image data URL`,
			);
		}
	}

	const fields = splitList(options.referenceImageFields, /[\s,]+/);
	if (fields.length === 0) return urls;
	const dataUrls: string[] = [];
	for (const field of fields) {
		dataUrls.push(await binaryImageDataUrl(context, itemIndex, field, 'Reference Image Fields'));
	}
	return [...urls, ...dataUrls];
}

/** A list parameter typed as text (one per line / separated) or given as an array by an expression. */
function splitList(value: unknown, separator: RegExp): string[] {
	const parts = Array.isArray(value)
		? value.flatMap((entry) => (typeof entry === 'string' ? entry.split(separator) : []))
		: typeof value === 'string'
			? value.split(separator)
			: [];
	return parts.map((part) => part.trim()).filter(Boolean);
}
