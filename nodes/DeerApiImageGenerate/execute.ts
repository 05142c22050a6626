import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { findMediaUrls } from '../shared/transport/media-links';
import { imageItems, imagesApiSources, nonEmptyObject, type ImageAnswer } from '../shared/n8n/image-items';
import { runNode, type ItemOperation } from '../shared/n8n/runner';
import { contentText, RelayResponseError, truncate, type RelayClient } from '../shared/transport';
import { readImageRequest, type ImageRequest } from './request';

const generateImages: ItemOperation<ImageRequest, ImageAnswer> = {
	read: async ({ context, itemIndex }) => await readImageRequest(context, itemIndex),
	call: async (request, { client, signal }) =>
		request.mode === 'chat' ? await generateInChat(client, request, signal) : await generateWithImagesApi(client, request, signal),
	toItems: imageItems,
};

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runNode(this, generateImages);
}

async function generateWithImagesApi(client: RelayClient, request: ImageRequest, signal: AbortSignal): Promise<ImageAnswer> {
	const response = await client.generateImages(request.body, { signal });
	return imagesApiSources(request.model, response, client.redact);
}

async function generateInChat(client: RelayClient, request: ImageRequest, signal: AbortSignal): Promise<ImageAnswer> {
	const response = await client.chat(request.body, { signal });
	const content = contentText(response.body.choices[0]?.message?.content) ?? '';
	const urls = findMediaUrls(content);
	if (urls.length === 0) {
		const answer = content.trim();
		const file = request.kinds?.[0] ?? 'image';
		throw RelayResponseError.unusable(
			response,
			`${request.model} answered without a${file === 'image' ? 'n' : ''} ${file} link`,
			answer
				? `The answer was: "${client.redact(truncate(answer, 300))}". Is this an image model that answers in chat form? Other image models need Mode "Images API".`
				: 'The answer was empty.',
		);
	}
	return { sources: urls.map((url) => ({ url })), usage: nonEmptyObject(response.body.usage) };
}
