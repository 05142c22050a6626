import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { classifyModel } from '../shared/transport/model-kinds';
import { binaryImageDataUrl } from '../shared/n8n/binary';
import { invalidParameter } from '../shared/n8n/errors';
import {
	readImageApiFields,
	readImageCount,
	readImageOutput,
	readImageUrls,
	readSize,
} from '../shared/n8n/image-options';
import type { ImageOutput } from '../shared/n8n/image-items';
import { mergeExtraBody, readModel, readRequiredText, splitList } from '../shared/n8n/parameters';

export type Mode = 'images' | 'chat';

/** Everything one input item asks for, validated. */
export interface ImageRequest extends ImageOutput {
	mode: Mode;
	/** The request body, extra body fields merged in. */
	body: IDataObject;
}

function isDallE3(model: string): boolean {
	return model.toLowerCase().startsWith('dall-e-3');
}

export async function readImageRequest(
	context: IExecuteFunctions,
	itemIndex: number,
): Promise<ImageRequest> {
	const model = readModel(context, itemIndex);
	const mode = context.getNodeParameter('mode', itemIndex, 'images') as Mode;
	const prompt = readRequiredText(context, itemIndex, 'prompt', 'Prompt', 'Describe the image to generate.');
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const output = readImageOutput(context, itemIndex, model, prompt, options);

	const references = await readReferenceImages(context, itemIndex, options);
	const base =
		mode === 'chat'
			? chatBody(model, prompt, references, options)
			: imagesBody(context, itemIndex, model, prompt, references, options);

	return {
		...output,
		mode,
		body: mergeExtraBody(context, itemIndex, base, options.extraBody),
		// A chat video model (veo3-chat) links to its video: each video becomes an item.
		...(mode === 'chat' && classifyModel({ id: model }) === 'video' ? { kinds: ['video', 'image'] as const } : {}),
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

	const count = readImageCount(context, itemIndex);
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

	const { quality, ...apiFields } = readImageApiFields(context, itemIndex, model, options);
	if (quality !== undefined) body.quality = quality;
	if (typeof options.style === 'string') body.style = options.style;
	Object.assign(body, apiFields);
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

/**
 * Reference images as URLs the API accepts: the links as given, then the input item's binary
 * fields as data URLs with the MIME type their bytes show.
 */
async function readReferenceImages(
	context: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): Promise<string[]> {
	const urls = readImageUrls(context, itemIndex, options.referenceImageUrls, 'Reference Image URLs');

	const fields = splitList(options.referenceImageFields, /[\s,]+/);
	if (fields.length === 0) return urls;
	const dataUrls: string[] = [];
	for (const field of fields) {
		dataUrls.push(await binaryImageDataUrl(context, itemIndex, field, 'Reference Image Fields'));
	}
	return [...urls, ...dataUrls];
}
