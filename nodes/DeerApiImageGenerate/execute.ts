import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { findMediaUrls } from '../shared/media';
import { runClient } from '../shared/n8n/client';
import { imageItems, imagesApiSources, nonEmptyObject, type ImageSource } from '../shared/n8n/image-items';
import { runPerItem } from '../shared/n8n/items';
import { readConcurrency } from '../shared/n8n/parameters';
import { truncate, type RelayClient, type Usage } from '../shared/transport';
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
						? await generateInChat(this, client, request, itemIndex, signal)
						: await generateWithImagesApi(this, client, request, itemIndex, signal);
				return await imageItems(this, client, request, itemIndex, answer, signal);
			},
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
	return imagesApiSources(context.getNode(), request.model, response.body, itemIndex, client.redact);
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
	const urls = findMediaUrls(content);
	if (urls.length === 0) {
		const answer = content.trim();
		const file = request.kinds?.[0] ?? 'image';
		throw new NodeOperationError(context.getNode(), `${request.model} answered without a${file === 'image' ? 'n' : ''} ${file} link`, {
			itemIndex,
			description: answer
				? `The answer was: "${client.redact(truncate(answer, 300))}". Is this an image model that answers in chat form? Other image models need Mode "Images API".`
				: 'The answer was empty.',
		});
	}
	return { sources: urls.map((url) => ({ url })), usage: nonEmptyObject(response.body.usage) };
}
