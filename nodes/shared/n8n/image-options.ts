import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { isImageSource } from '../transport/media-links';
import { truncate } from '../transport';
import { invalidParameter } from './errors';
import type { ImageOutput } from './image-items';
import { readMaxDownloadBytes, readText, splitList, textOf } from './parameters';
import { maxConcurrencyOption } from './runner';

/**
 * The parameters Image Generate and Image Edit share: the Images API fields of the gpt-image and
 * dall-e families, the size picker, and where the images go.
 */
export const DEFAULT_BINARY_PROPERTY = 'data';
/** Size value that sends no `size` at all: the model picks its own default. */
export const MODEL_DEFAULT_SIZE = 'modelDefault';
export const CUSTOM_SIZE = 'custom';

const MAX_IMAGES = 10;
const WXH_SIZE = /^(\d{2,5})\s*[x×*]\s*(\d{2,5})$/i;
const K_SIZE = /^(\d{1,2})\s*k$/i;

/** gpt-image-1, gpt-image-1-mini, ...: base64 only, and `response_format` is an unknown parameter. */
export function isGptImageModel(model: string): boolean {
	return model.toLowerCase().startsWith('gpt-image');
}

export function customSizeProperty(show: IDisplayOptions['show']): INodeProperties {
	return {
		displayName: 'Custom Size',
		name: 'customSize',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 2048x2048 or 2K',
		description: 'WIDTHxHEIGHT in pixels (e.g. 2560x1440) or a resolution such as 1K, 2K, 4K',
		displayOptions: { show: { ...show, size: [CUSTOM_SIZE] } },
	};
}

/** The `size` to send, or undefined for "Default (Model Decides)". */
export function readSize(context: IExecuteFunctions, itemIndex: number): string | undefined {
	const choice = String(context.getNodeParameter('size', itemIndex, MODEL_DEFAULT_SIZE) ?? '');
	if (choice === MODEL_DEFAULT_SIZE || choice === '') return undefined;
	if (choice !== CUSTOM_SIZE) return choice;
	const custom = readText(context, itemIndex, 'customSize').trim();
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

/** "Number of Images" (`n`): 1 to 10. */
export function readImageCount(context: IExecuteFunctions, itemIndex: number): number {
	const count = Number(context.getNodeParameter('numberOfImages', itemIndex, 1));
	if (!Number.isInteger(count) || count < 1 || count > MAX_IMAGES) {
		throw invalidParameter(context.getNode(), itemIndex, 'Number of Images', `must be a whole number from 1 to ${MAX_IMAGES}, got ${count}`);
	}
	return count;
}

/** Image links typed one per line or comma-separated (or a list from an expression): http(s) or image data URLs. */
export function readImageUrls(context: IExecuteFunctions, itemIndex: number, value: unknown, field: string): string[] {
	const urls = splitList(value, /\s+|,(?=\s*(?:https?:|data:))/i);
	for (const url of urls) {
		// Sent as given or fetched by us: only links and base64 image data URLs are usable.
		if (!isImageSource(url) || (url.startsWith('data:') && !/^data:image\/[\w.+-]+;base64,/i.test(url))) {
			throw invalidParameter(context.getNode(), itemIndex, field, `"${truncate(url, 80)}" is not an http(s) link or an image data URL`);
		}
	}
	return urls;
}

/** Where the images go and whether links are fetched: the same for every image node. */
export function readImageOutput(
	context: IExecuteFunctions,
	itemIndex: number,
	model: string,
	prompt: string,
	options: IDataObject,
): ImageOutput {
	const binaryProperty = options.binaryPropertyOutput === undefined ? DEFAULT_BINARY_PROPERTY : textOf(options.binaryPropertyOutput).trim();
	if (!binaryProperty) {
		throw invalidParameter(context.getNode(), itemIndex, 'Put Output in Field', 'is empty', 'Enter a binary field name such as "data".');
	}
	return {
		model,
		prompt,
		binaryProperty,
		downloadImages: options.downloadImages !== false,
		maxDownloadBytes: readMaxDownloadBytes(context, itemIndex, options),
	};
}

/**
 * The output fields of the Images API the user set in Options (quality, background,
 * output_format, output_compression, moderation, response_format), by their wire names.
 */
export function readImageApiFields(
	context: IExecuteFunctions,
	itemIndex: number,
	model: string,
	options: IDataObject,
): IDataObject {
	const fields: IDataObject = {};
	if (typeof options.quality === 'string') fields.quality = options.quality;
	if (typeof options.background === 'string') fields.background = options.background;
	if (typeof options.outputFormat === 'string') fields.output_format = options.outputFormat;
	if (typeof options.outputCompression === 'number') {
		const compression = options.outputCompression;
		if (!Number.isInteger(compression) || compression < 0 || compression > 100) {
			throw invalidParameter(context.getNode(), itemIndex, 'Output Compression', `must be a whole number from 0 to 100, got ${compression}`);
		}
		fields.output_compression = compression;
	}
	if (typeof options.moderation === 'string') fields.moderation = options.moderation;
	// The answer is the same binary either way, so a stale option must not break gpt-image runs.
	if (typeof options.responseFormat === 'string' && !isGptImageModel(model)) {
		fields.response_format = options.responseFormat;
	}
	return fields;
}

/**
 * The Options entries for the fields readImageApiFields reads, except quality (its values differ
 * per node), by name: each node places them in its alphabetical list.
 */
export function imageApiOptions(displayOptions?: IDisplayOptions): Record<
	'background' | 'moderation' | 'outputCompression' | 'outputFormat',
	INodeProperties
> {
	const shown = displayOptions ? { displayOptions } : {};
	return {
		background: {
			displayName: 'Background',
			name: 'background',
			type: 'options',
			default: 'auto',
			options: [
				{ name: 'Auto', value: 'auto' },
				{ name: 'Opaque', value: 'opaque' },
				{ name: 'Transparent', value: 'transparent', description: 'Needs PNG or WebP output' },
			],
			description: 'Background of gpt-image models',
			...shown,
		},
		moderation: {
			displayName: 'Moderation',
			name: 'moderation',
			type: 'options',
			default: 'auto',
			options: [
				{ name: 'Auto', value: 'auto' },
				{ name: 'Low', value: 'low', description: 'Less restrictive filtering' },
			],
			description: 'Content moderation level of gpt-image models',
			...shown,
		},
		outputCompression: {
			displayName: 'Output Compression',
			name: 'outputCompression',
			type: 'number',
			default: 100,
			typeOptions: { minValue: 0, maxValue: 100 },
			description: 'Compression level (0-100) for JPEG and WebP output of gpt-image models',
			...shown,
		},
		outputFormat: {
			displayName: 'Output Format',
			name: 'outputFormat',
			type: 'options',
			default: 'png',
			options: [
				{ name: 'JPEG', value: 'jpeg' },
				{ name: 'PNG', value: 'png' },
				{ name: 'WebP', value: 'webp' },
			],
			description: 'File format of gpt-image models (sent as "output_format")',
			...shown,
		},
	};
}

export function imageResponseFormatOption(description: string, displayOptions?: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Response Format',
		name: 'responseFormat',
		type: 'options',
		default: 'b64_json',
		options: [
			{ name: 'Base64', value: 'b64_json', description: 'The image bytes come in the answer' },
			{ name: 'URL', value: 'url', description: 'A link the node then downloads' },
		],
		description,
		...(displayOptions ? { displayOptions } : {}),
	};
}

export const downloadImagesOption: INodeProperties = {
	displayName: 'Download Images',
	name: 'downloadImages',
	type: 'boolean',
	default: true,
	description:
		'Whether to download images the model answers with as links and output them as binary data. Off: the items carry only the links, which usually expire within an hour. Images answered in base64 are always output as binary.',
};

export const binaryPropertyOutputOption: INodeProperties = {
	displayName: 'Put Output in Field',
	name: 'binaryPropertyOutput',
	type: 'string',
	default: DEFAULT_BINARY_PROPERTY,
	hint: 'The name of the output binary field to put each image in',
	description: 'Each image becomes its own item with the file in this binary field',
};

export const imageMaxConcurrencyOption: INodeProperties = {
	...maxConcurrencyOption,
	description:
		'How many input items are sent at once. Output order always follows input order. Image models are slow and often rate limited: lower this on 429 errors.',
};
