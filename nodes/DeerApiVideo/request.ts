import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { Image } from '../shared/transport/file-types';
import { fetchImage } from '../shared/transport/media-download';
import { fileNameOfUrl, readBinaryImage, withExtension } from '../shared/n8n/binary';
import { invalidParameter } from '../shared/n8n/errors';
import { readImageOutput, readImageUrls } from '../shared/n8n/image-options';
import { mergeExtraBody, multipartFields, parseJsonParameter, readModel, splitList } from '../shared/n8n/parameters';
import { readTaskId, readTaskWait, type TaskItemRequest } from '../shared/n8n/tasks';
import type { MultipartBody, RelayClient, VideoApiFormat, VideoSubmit } from '../shared/transport';

/** Everything one item asks for, read and checked before anything is sent. */
export interface VideoRequest extends TaskItemRequest {
	operation: 'generate' | 'get';
	format: VideoApiFormat;
	/** Generate: what is submitted. */
	submit?: VideoSubmit;
	/** Get: the task to look up. */
	taskId?: string;
	model?: string;
	prompt?: string;
	download: boolean;
	binaryProperty: string;
	maxDownloadBytes: number;
}

/** A picture to start from, with what names it in errors. */
interface InputImage {
	/** For OpenAI Videos: the file; for new-api: a data URL or the link as given. */
	image?: Image;
	url?: string;
	fileName: string;
}

// A first and a last frame: more has no meaning in either format.
const MAX_INPUT_IMAGES = 2;

/** Durations the model families document; any other model takes any whole number of seconds. */
const KNOWN_DURATIONS: Array<[RegExp, number[]]> = [
	[/^sora-2/, [4, 8, 12]],
	[/^veo-?3/, [4, 6, 8]],
	[/kling/, [5, 10]],
	[/hailuo|minimax/, [6, 10]],
];

const SIZE = /^\d{2,5}\s*[x×*]\s*\d{2,5}$/i;
const ASPECT_RATIO = /^\d{1,2}\s*:\s*\d{1,2}$/;

export async function readVideoRequest(
	context: IExecuteFunctions,
	client: RelayClient,
	itemIndex: number,
	signal: AbortSignal,
): Promise<VideoRequest> {
	const operation = context.getNodeParameter('operation', itemIndex, 'generate') === 'get' ? 'get' : 'generate';
	const format = context.getNodeParameter('apiFormat', itemIndex, 'openai') === 'new-api' ? 'new-api' : 'openai';
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const wait = readTaskWait(context, itemIndex);
	const download = context.getNodeParameter('download', itemIndex, true) !== false;
	if (operation === 'get') {
		const taskId = readTaskId(context, itemIndex, 'Enter the "taskId" of an earlier run.');
		const output = readImageOutput(context, itemIndex, '', '', options);
		return { operation, format, taskId, wait, download, binaryProperty: output.binaryProperty, maxDownloadBytes: output.maxDownloadBytes };
	}

	const node = context.getNode();
	const model = readModel(context, itemIndex);
	const prompt = String(context.getNodeParameter('prompt', itemIndex, '') ?? '');
	if (!prompt.trim()) throw invalidParameter(node, itemIndex, 'Prompt', 'is empty', 'Say what the video shows.');
	const output = readImageOutput(context, itemIndex, model, prompt, options);
	const seconds = readSeconds(context, itemIndex, model);
	const size = readSize(context, itemIndex);
	const metadata = parseJsonParameter(context, itemIndex, options.metadata, 'Extra Fields (Metadata)', 'object') as IDataObject | undefined;
	const images = await readInputImages(context, client, itemIndex, format, output.maxDownloadBytes, signal);

	const fields: IDataObject = { model, prompt };
	let submit: VideoSubmit;
	if (format === 'openai') {
		if (seconds !== undefined) fields.seconds = String(seconds);
		if (size) fields.size = size;
		if (metadata && Object.keys(metadata).length) fields.metadata = metadata;
		const form: MultipartBody = { fields: multipartFields(mergeExtraBody(context, itemIndex, fields, options.extraBody)), files: [] };
		for (const input of images) {
			const image = input.image!;
			form.files.push({ name: 'input_reference', bytes: image.bytes, fileName: withExtension(input.fileName, image.extension), contentType: image.mimeType });
		}
		submit = { form };
	} else {
		if (seconds !== undefined) fields.duration = seconds;
		if (size) fields.size = size;
		const [first, last] = images.map((input) => input.url ?? `data:${input.image!.mimeType};base64,${input.image!.bytes.toString('base64')}`);
		if (first) fields.image = first;
		const extras: IDataObject = { ...metadata };
		if (last) extras.image_tail = last;
		if (Object.keys(extras).length) fields.metadata = extras;
		submit = { json: mergeExtraBody(context, itemIndex, fields, options.extraBody) };
	}
	return { operation, format, submit, model, prompt, wait, download, binaryProperty: output.binaryProperty, maxDownloadBytes: output.maxDownloadBytes };
}

function readSeconds(context: IExecuteFunctions, itemIndex: number, model: string): number | undefined {
	const value = Number(context.getNodeParameter('seconds', itemIndex, 0) ?? 0);
	if (value === 0) return undefined;
	const field = 'Duration (Seconds)';
	if (!Number.isInteger(value) || value < 0) throw invalidParameter(context.getNode(), itemIndex, field, `must be a whole number of seconds, got ${value}`);
	const known = KNOWN_DURATIONS.find(([pattern]) => pattern.test(model.toLowerCase()))?.[1];
	if (known && !known.includes(value)) {
		throw invalidParameter(context.getNode(), itemIndex, field, `${model} makes videos of ${known.join(', ')} seconds, not ${value}`, 'Pick one of those, or 0 to let the model decide.');
	}
	return value;
}

function readSize(context: IExecuteFunctions, itemIndex: number): string | undefined {
	const value = String(context.getNodeParameter('size', itemIndex, '') ?? '').trim();
	if (!value) return undefined;
	if (!SIZE.test(value) && !ASPECT_RATIO.test(value)) {
		throw invalidParameter(context.getNode(), itemIndex, 'Size or Aspect Ratio', `"${value}" is neither a size (1280x720) nor an aspect ratio (16:9)`);
	}
	return value.replace(/\s+/g, '').replace(/[×*]/, 'x');
}

/**
 * The pictures to start from: binary fields first (checked to be images), then links. OpenAI
 * Videos takes files, so links are downloaded (without the key) and checked; new-api takes
 * links as they are.
 */
async function readInputImages(
	context: IExecuteFunctions,
	client: RelayClient,
	itemIndex: number,
	format: VideoApiFormat,
	maxDownloadBytes: number,
	signal: AbortSignal,
): Promise<InputImage[]> {
	const fields = splitList(context.getNodeParameter('imageFields', itemIndex, ''), /[\s,]+/);
	const urls = readImageUrls(context, itemIndex, context.getNodeParameter('imageUrls', itemIndex, ''), 'Input Image URLs');
	if (fields.length + urls.length > MAX_INPUT_IMAGES) {
		throw invalidParameter(
			context.getNode(),
			itemIndex,
			'Input Image Fields',
			`${fields.length + urls.length} pictures given, at most ${MAX_INPUT_IMAGES} (a first and a last frame)`,
		);
	}
	const images: InputImage[] = [];
	for (const property of fields) {
		const binary = await readBinaryImage(context, itemIndex, property, 'Input Image Fields');
		const image = binary.image ?? { kind: 'image' as const, mimeType: binary.mimeType, extension: binary.mimeType.split('/')[1] ?? 'img', bytes: binary.bytes };
		images.push({ image, fileName: binary.fileName ?? property });
	}
	for (const [index, url] of urls.entries()) {
		if (format === 'new-api') images.push({ url, fileName: `image-${index}` });
		// A failed download is a RelayDownloadError naming the link; the item runner maps it.
		else images.push({ image: await fetchImage(client, url, { signal, maxBytes: maxDownloadBytes }), fileName: fileNameOfUrl(url) ?? `image-${index}` });
	}
	return images;
}
