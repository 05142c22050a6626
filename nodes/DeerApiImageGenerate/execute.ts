import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { asImage, fetchImage, findImageUrls, type Image } from '../shared/images';
import { imageInfo, imageToBinary } from '../shared/n8n/binary';
import { runClient } from '../shared/n8n/client';
import { runPerItem } from '../shared/n8n/items';
import { readConcurrency } from '../shared/n8n/parameters';
import { truncate, type ImageData, type RelayClient, type Usage } from '../shared/transport';
import { readImageRequest, type ImageRequest } from './request';

/** One image of an answer: its bytes in base64, or a link to them. */
interface ImageSource {
	b64?: string;
	/** b64_json already decoded by the transport. */
	bytes?: Buffer;
	url?: string;
	revisedPrompt?: string;
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const client = await runClient(this, options);
	return await runPerItem(
		this,
		async (itemIndex, signal) => {
			const request = await readImageRequest(this, itemIndex);
			const { sources, usage } =
				request.mode === 'chat'
					? await generateInChat(this, client, request, itemIndex, signal)
					: await generateWithImagesApi(this, client, request, itemIndex, signal);
			const items: INodeExecutionData[] = [];
			for (const [index, source] of sources.entries()) {
				items.push(await imageItem(this, client, request, itemIndex, index, source, signal));
				// The base64 text is no longer needed once decoded; let it go before the next image.
				sources[index] = {};
			}
			// Once per request, so that summing over the items gives the cost.
			if (usage && items.length > 0) items[0].json.usage = usage as IDataObject;
			return items;
		},
		readConcurrency(options),
	);
}

async function generateWithImagesApi(
	context: IExecuteFunctions,
	client: RelayClient,
	request: ImageRequest,
	itemIndex: number,
	signal: AbortSignal,
): Promise<{ sources: ImageSource[]; usage?: Usage }> {
	const response = await client.generateImages(request.body, { signal });
	const data = response.body.data;
	if (data.length === 0) {
		throw new NodeOperationError(context.getNode(), `${request.model} returned no images`, {
			itemIndex,
			description: 'The model may have refused the prompt. Try rewording it.',
		});
	}
	const sources = data.map((entry, index) => {
		const source = toSource(entry);
		if (!source.b64 && !source.bytes && !source.url) {
			throw new NodeOperationError(
				context.getNode(),
				`Image ${index + 1} of the answer has neither "b64_json" nor "url"`,
				{ itemIndex, description: `The relay answered: ${truncate(JSON.stringify(entry), 300)}` },
			);
		}
		return source;
	});
	// The sources now hold the only reference to each base64 string.
	data.length = 0;
	return { sources, usage: nonEmptyObject(response.body.usage) };
}

async function generateInChat(
	context: IExecuteFunctions,
	client: RelayClient,
	request: ImageRequest,
	itemIndex: number,
	signal: AbortSignal,
): Promise<{ sources: ImageSource[]; usage?: Usage }> {
	const response = await client.chat(request.body, { signal });
	const content = response.body.choices[0]?.message?.content ?? '';
	const urls = findImageUrls(content);
	if (urls.length === 0) {
		const answer = content.trim();
		throw new NodeOperationError(context.getNode(), `${request.model} answered without an image link`, {
			itemIndex,
			description: answer
				? `The answer was: "${truncate(answer, 300)}". Is this an image model that answers in chat form? Other image models need Mode "Images API".`
				: 'The answer was empty.',
		});
	}
	return { sources: urls.map((url) => ({ url })), usage: nonEmptyObject(response.body.usage) };
}

/** One output item: the image as binary (unless it is a link and downloads are off) and its metadata. */
async function imageItem(
	context: IExecuteFunctions,
	client: RelayClient,
	request: ImageRequest,
	itemIndex: number,
	index: number,
	source: ImageSource,
	signal: AbortSignal,
): Promise<INodeExecutionData> {
	const json: IDataObject = { model: request.model, prompt: request.prompt };
	if (source.revisedPrompt) json.revisedPrompt = source.revisedPrompt;
	if (source.url && !source.url.startsWith('data:')) json.url = source.url;
	json.index = index;
	if (!source.b64 && !source.bytes && !request.downloadImages) return { json };

	const image = await loadImage(client, request, index, source, signal);
	const binary = await imageToBinary(context, image, `${fileBaseName(request.model)}-${itemIndex}-${index}`);
	return { json: { ...json, ...imageInfo(image) }, binary: { [request.binaryProperty]: binary } };
}

async function loadImage(
	client: RelayClient,
	request: ImageRequest,
	index: number,
	source: ImageSource,
	signal: AbortSignal,
): Promise<Image> {
	if (source.bytes || source.b64) {
		// A relay may put an error page where the image should be: NotAnImageError says so.
		return asImage(source.bytes ?? Buffer.from(source.b64!, 'base64'), `Image ${index + 1} of the answer (b64_json)`);
	}
	return await fetchImage(client, source.url!, { signal, maxBytes: request.maxDownloadBytes });
}

/** new-api sends every field, "" when absent. */
function toSource(entry: ImageData): ImageSource {
	return {
		b64: nonEmptyString(entry.b64_json),
		bytes: Buffer.isBuffer(entry.b64_json_bytes) ? entry.b64_json_bytes : undefined,
		url: nonEmptyString(entry.url)?.trim(),
		revisedPrompt: nonEmptyString(entry.revised_prompt),
	};
}

function nonEmptyString(value: unknown): string | undefined {
	// A test, not a trim: b64_json strings run to megabytes.
	return typeof value === 'string' && /\S/.test(value) ? value : undefined;
}

function nonEmptyObject<T>(value: T | null | undefined): T | undefined {
	return value && typeof value === 'object' && Object.keys(value).length > 0 ? value : undefined;
}

/** Model ids carry "/" and ":" (e.g. "black-forest-labs/flux-1.1-pro"): not for file names. */
function fileBaseName(model: string): string {
	return model.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'image';
}
