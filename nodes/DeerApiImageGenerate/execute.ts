import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { findMediaUrls } from '../shared/media';
import { runClient } from '../shared/n8n/client';
import { imageItems, imagesApiSources, nonEmptyObject, type ImageSource } from '../shared/n8n/image-items';
import { readConcurrency, runPerItem } from '../shared/n8n/runner';
import { RelayResponseError, truncate, type RelayClient, type Usage } from '../shared/transport';
import { readImageRequest, type ImageRequest } from './request';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const client = await runClient(this, options);
	return await runPerItem(
		this,
		{
			read: async (itemIndex) => await readImageRequest(this, itemIndex),
			send: async (request, itemIndex, signal) => {
				const answer =
					request.mode === 'chat'
						? await generateInChat(client, request, signal)
						: await generateWithImagesApi(client, request, signal);
				return await imageItems(this, client, request, itemIndex, answer, signal);
			},
		},
		readConcurrency(options),
	);
}

async function generateWithImagesApi(
	client: RelayClient,
	request: ImageRequest,
	signal: AbortSignal,
): Promise<{ sources: ImageSource[]; usage?: Usage }> {
	const response = await client.generateImages(request.body, { signal });
	return imagesApiSources(request.model, response);
}

async function generateInChat(
	client: RelayClient,
	request: ImageRequest,
	signal: AbortSignal,
): Promise<{ sources: ImageSource[]; usage?: Usage }> {
	const response = await client.chat(request.body, { signal });
	const content = response.body.choices[0]?.message?.content ?? '';
	const urls = findMediaUrls(content);
	if (urls.length === 0) {
		const answer = content.trim();
		const file = request.kinds?.[0] ?? 'image';
		throw RelayResponseError.unusable(
			response,
			`${request.model} answered without a${file === 'image' ? 'n' : ''} ${file} link`,
			answer
				? `The answer was: "${truncate(answer, 300)}". Is this an image model that answers in chat form? Other image models need Mode "Images API".`
				: 'The answer was empty.',
		);
	}
	return { sources: urls.map((url) => ({ url })), usage: nonEmptyObject(response.body.usage) };
}
