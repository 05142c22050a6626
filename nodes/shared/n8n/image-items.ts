import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { asImage, type Media, type MediaKind } from '../transport/file-types';
import { fetchMedia } from '../transport/media-download';
import {
	RelayResponseError,
	truncate,
	type ImageData,
	type ImagesResponse,
	type RelayClient,
	type Redact,
	type RelayResponse,
	type Usage,
} from '../transport';
import { mediaInfo, mediaToBinary } from './binary';
import type { ItemScope } from './runner';

/** One image of an answer: its bytes in base64, or a link to them. */
export interface ImageSource {
	b64?: string;
	/** b64_json already decoded by the transport. */
	bytes?: Buffer;
	url?: string;
	revisedPrompt?: string;
}

/** The images of an answer, and its usage. */
export interface ImageAnswer {
	sources: ImageSource[];
	usage?: Usage;
}

/** How the images of one request become items; the same for generations, edits and chat mode. */
export interface ImageOutput {
	model: string;
	prompt: string;
	binaryProperty: string;
	downloadImages: boolean;
	maxDownloadBytes: number;
	/** What a link may give: images, or (a chat video model) videos first. Default images. */
	kinds?: readonly MediaKind[];
}

/**
 * The images of an Images API answer (generations or edits), each with b64_json or a url; an
 * answer without images, or an entry with neither, is an answer that cannot be used.
 */
export function imagesApiSources(
	model: string,
	response: RelayResponse<ImagesResponse>,
	/** The client's: the key out of the entry quoted when it holds no image. */
	redact: Redact,
): ImageAnswer {
	const data = response.body.data;
	if (data.length === 0) {
		throw RelayResponseError.unusable(response, `${model} returned no images`, 'The model may have refused the prompt. Try rewording it.');
	}
	const sources = data.map((entry, index) => {
		const source = toSource(entry);
		if (!source.b64 && !source.bytes && !source.url) {
			throw RelayResponseError.unusable(
				response,
				`Image ${index + 1} of the answer has neither "b64_json" nor "url"`,
				`The relay answered: ${redact(truncate(JSON.stringify(entry), 300))}`,
			);
		}
		return source;
	});
	// The sources now hold the only reference to each base64 string.
	data.length = 0;
	return { sources, usage: nonEmptyObject(response.body.usage) };
}

/**
 * One item per image: the image as binary (unless it is a link and downloads are off) and its
 * metadata; `usage` on the first item, so that summing over the items gives the cost.
 */
export async function imageItems(
	answer: ImageAnswer,
	output: ImageOutput,
	{ context, client, itemIndex, signal }: ItemScope,
): Promise<INodeExecutionData[]> {
	const { sources, usage } = answer;
	const items: INodeExecutionData[] = [];
	for (const [index, source] of sources.entries()) {
		items.push(await imageItem(context, client, output, itemIndex, index, source, signal));
		// The base64 text is no longer needed once decoded; let it go before the next image.
		sources[index] = {};
	}
	if (usage && items.length > 0) items[0].json.usage = usage as IDataObject;
	return items;
}

async function imageItem(
	context: IExecuteFunctions,
	client: RelayClient,
	output: ImageOutput,
	itemIndex: number,
	index: number,
	source: ImageSource,
	signal: AbortSignal,
): Promise<INodeExecutionData> {
	const json: IDataObject = { model: output.model, prompt: output.prompt };
	if (source.revisedPrompt) json.revisedPrompt = source.revisedPrompt;
	if (source.url && !source.url.startsWith('data:')) json.url = source.url;
	json.index = index;
	if (!source.b64 && !source.bytes && !output.downloadImages) return { json };

	const image = await loadImage(client, output, index, source, signal);
	const binary = await mediaToBinary(context, image, `${fileBaseName(output.model)}-${itemIndex}-${index}`);
	return { json: { ...json, ...mediaInfo(image) }, binary: { [output.binaryProperty]: binary } };
}

async function loadImage(
	client: RelayClient,
	output: ImageOutput,
	index: number,
	source: ImageSource,
	signal: AbortSignal,
): Promise<Media> {
	if (source.bytes || source.b64) {
		// A relay may put an error page where the image should be: NotAnImageError says so.
		return asImage(source.bytes ?? Buffer.from(source.b64!, 'base64'), `Image ${index + 1} of the answer (b64_json)`);
	}
	return await fetchMedia(client, source.url!, { signal, maxBytes: output.maxDownloadBytes, kinds: output.kinds });
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

export function nonEmptyObject<T>(value: T | null | undefined): T | undefined {
	return value && typeof value === 'object' && Object.keys(value).length > 0 ? value : undefined;
}

/** Model ids carry "/" and ":" (e.g. "black-forest-labs/flux-1.1-pro"): not for file names. */
function fileBaseName(model: string): string {
	return model.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'image';
}
