import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { decodeEmbedding, placeEmbeddings } from '../shared/embeddings';
import { runClient } from '../shared/n8n/client';
import { runBatched } from '../shared/n8n/items';
import { readConcurrency } from '../shared/n8n/parameters';
import type { RelayClient } from '../shared/transport';
import { readBatchLimits, readEmbeddingInput, type EmbeddingInput } from './request';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const client = await runClient(this, options);
	const limits = readBatchLimits(this);
	return await runBatched<EmbeddingInput>(
		this,
		{
			read: (itemIndex) => readEmbeddingInput(this, itemIndex),
			key: (input) => input.key,
			weight: (input) => input.text.length,
			maxItems: limits.batchSize,
			maxWeight: limits.maxCharacters,
			send: async (batch, signal) => await embedBatch(this, client, batch, signal),
		},
		readConcurrency(options),
	);
}

/**
 * One request for the batch; each vector goes back to its item by `index`, never by position, and
 * only when the answer's numbering leaves no doubt (placeEmbeddings).
 */
async function embedBatch(
	context: IExecuteFunctions,
	client: RelayClient,
	batch: Array<{ itemIndex: number; request: EmbeddingInput }>,
	signal: AbortSignal,
): Promise<Array<INodeExecutionData[] | Error>> {
	const first = batch[0].request;
	const body = { ...first.body, input: batch.map((entry) => entry.request.text) };
	const response = await client.embeddings(body, { signal });
	const data = response.body.data;
	const placed = placeEmbeddings(data, batch.length);
	if ('problem' in placed) {
		const message = `The relay's embeddings answer cannot be matched to the texts sent: ${placed.problem}`;
		return batch.map(({ itemIndex }) => new NodeOperationError(context.getNode(), message, { itemIndex, description: placed.description }));
	}
	const model = typeof response.body.model === 'string' && response.body.model ? response.body.model : first.model;
	const usage = response.body.usage as IDataObject | undefined;
	return batch.map(({ itemIndex, request }, position): INodeExecutionData[] | Error => {
		const raw = placed.vectors[position];
		const embedding = decodeEmbedding(raw);
		if (!embedding) {
			return new NodeOperationError(
				context.getNode(),
				raw === undefined
					? `The relay's answer has no vector for this item (input ${position} of ${batch.length} in its request)`
					: `The relay's vector for this item is neither numbers nor base64 float32`,
				{
					itemIndex,
					description: `The answer held ${data.length} vectors for ${batch.length} texts. Try a lower Batch Size.`,
				},
			);
		}
		const json: IDataObject = { embedding, dimensions: embedding.length, model, text: request.text };
		// Once per request, so that summing over the items gives the cost.
		if (position === 0 && usage) json.usage = usage;
		return [{ json }];
	});
}
