import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { decodeEmbedding } from '../shared/embeddings';
import { runClient } from '../shared/n8n/client';
import { readConcurrency, runBatched } from '../shared/n8n/runner';
import { RelayResponseError, type RelayClient } from '../shared/transport';
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
			send: async (batch, signal) => await embedBatch(client, batch, signal),
		},
		readConcurrency(options),
	);
}

/** One request for the batch; each vector goes back to its item by `index`, never by position. */
async function embedBatch(
	client: RelayClient,
	batch: Array<{ itemIndex: number; request: EmbeddingInput }>,
	signal: AbortSignal,
): Promise<Array<INodeExecutionData[] | Error>> {
	const first = batch[0].request;
	const body = { ...first.body, input: batch.map((entry) => entry.request.text) };
	const response = await client.embeddings(body, { signal });
	const byIndex = new Map<number, unknown>();
	for (const entry of response.body.data) {
		if (typeof entry?.index === 'number') byIndex.set(entry.index, entry.embedding);
	}
	const model = typeof response.body.model === 'string' && response.body.model ? response.body.model : first.model;
	const usage = response.body.usage as IDataObject | undefined;
	return batch.map(({ request }, position): INodeExecutionData[] | Error => {
		const raw = byIndex.get(position);
		const embedding = decodeEmbedding(raw);
		if (!embedding) {
			return RelayResponseError.unusable(
				response,
				raw === undefined
					? `The relay's answer has no vector for this item (input ${position} of ${batch.length} in its request)`
					: `The relay's vector for this item is neither numbers nor base64 float32`,
				`The answer held ${response.body.data.length} vectors for ${batch.length} texts. Try a lower Batch Size.`,
			);
		}
		const json: IDataObject = { embedding, dimensions: embedding.length, model, text: request.text };
		// Once per request, so that summing over the items gives the cost.
		if (position === 0 && usage) json.usage = usage;
		return [{ json }];
	});
}
