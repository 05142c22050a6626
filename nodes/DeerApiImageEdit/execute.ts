import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { imageItems, imagesApiSources, type ImageAnswer } from '../shared/n8n/image-items';
import { runNode, type ItemOperation } from '../shared/n8n/runner';
import { readImageEditRequest, type ImageEditRequest } from './request';

const editImages: ItemOperation<ImageEditRequest, ImageAnswer> = {
	read: async ({ context, client, itemIndex, signal }) => await readImageEditRequest(context, client, itemIndex, signal),
	call: async (request, { client, signal }) => imagesApiSources(request.model, await client.editImages(request.form, { signal }), client.redact),
	toItems: imageItems,
};

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runNode(this, editImages);
}
