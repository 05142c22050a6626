import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runClient } from '../shared/n8n/client';
import { imageItems, imagesApiSources } from '../shared/n8n/image-items';
import { runPerItem } from '../shared/n8n/items';
import { readConcurrency } from '../shared/n8n/parameters';
import { readImageEditRequest } from './request';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	// Timeout, Max Retries and Max Concurrent Requests shape the run: they are read from item 0.
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const client = await runClient(this, options);
	return await runPerItem(
		this,
		{
			read: async (itemIndex, signal) => await readImageEditRequest(this, client, itemIndex, signal),
			send: async (request, itemIndex, signal) => {
				const response = await client.editImages(request.form, { signal });
				const answer = imagesApiSources(this.getNode(), request.model, response.body, itemIndex, client.redact);
				return await imageItems(this, client, request, itemIndex, answer, signal);
			},
		},
		readConcurrency(options),
	);
}
