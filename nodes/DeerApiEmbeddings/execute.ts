import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { decodeEmbedding, placeEmbeddings } from './vectors';
import { runNode, type BatchEntry, type BatchOperation } from '../shared/n8n/runner';
import { RelayResponseError, type EmbeddingsResponse, type RelayResponse } from '../shared/transport';
import { readBatchLimits, readEmbeddingInput, type EmbeddingInput } from './request';

const embed: BatchOperation<EmbeddingInput, RelayResponse<EmbeddingsResponse>> = {
	read: ({ context, itemIndex }) => readEmbeddingInput(context, itemIndex),
	batching: (context) => {
		const limits = readBatchLimits(context);
		return {
			key: (input) => input.key,
			weight: (input) => input.text.length,
			maxItems: limits.batchSize,
			maxWeight: limits.maxCharacters,
		};
	},
	call: async (batch, { client, signal }) =>
		await client.embeddings({ ...batch[0].request.body, input: batch.map((entry) => entry.request.text) }, { signal }),
	toItems: embeddingItems,
};

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runNode(this, embed);
}

/**
 * Each vector goes back to its item by `index`, never by position, and only when the answer's
 * numbering leaves no doubt (placeEmbeddings).
 */
function embeddingItems(
	response: RelayResponse<EmbeddingsResponse>,
	batch: Array<BatchEntry<EmbeddingInput>>,
): Array<INodeExecutionData[] | Error> {
	const first = batch[0].request;
	const data = response.body.data;
	const placed = placeEmbeddings(data, batch.length);
	if ('problem' in placed) {
		const message = `The relay's embeddings answer cannot be matched to the texts sent: ${placed.problem}`;
		return batch.map(() => RelayResponseError.unusable(response, message, placed.description));
	}
	const model = typeof response.body.model === 'string' && response.body.model ? response.body.model : first.model;
	const usage = response.body.usage as IDataObject | undefined;
	return batch.map(({ request }, position): INodeExecutionData[] | Error => {
		const raw = placed.vectors[position];
		const embedding = decodeEmbedding(raw);
		if (!embedding) {
			return RelayResponseError.unusable(
				response,
				raw === undefined
					? `The relay's answer has no vector for this item (input ${position} of ${batch.length} in its request)`
					: `The relay's vector for this item is neither numbers nor base64 float32`,
				`The answer held ${data.length} vectors for ${batch.length} texts. Try a lower Batch Size.`,
			);
		}
		const json: IDataObject = { embedding, dimensions: embedding.length, model, text: request.text };
		// Once per request, so that summing over the items gives the cost.
		if (position === 0 && usage) json.usage = usage;
		return [{ json }];
	});
}
