import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { invalidParameter } from '../shared/n8n/errors';
import { mergeExtraBody, readModel, readRequiredText } from '../shared/n8n/parameters';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_CHARACTERS, MAX_BATCH_SIZE } from './description';

/** One input item's text and everything its request must carry, validated. */
export interface EmbeddingInput {
	text: string;
	model: string;
	/**
	 * The request body without `input`: model, dimensions, encoding_format and extra fields.
	 * Items whose bodies are equal share a request.
	 */
	body: IDataObject;
	/** The JSON of `body`: the batch key. */
	key: string;
}

/** How items are cut into requests: node-wide, from the first item's options. */
export interface BatchLimits {
	batchSize: number;
	maxCharacters: number;
}

export function readBatchLimits(context: IExecuteFunctions): BatchLimits {
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const node = context.getNode();
	const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
	if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
		throw invalidParameter(node, 0, 'Batch Size', `must be a whole number from 1 to ${MAX_BATCH_SIZE}, got ${String(batchSize)}`);
	}
	const maxCharacters = options.maxCharacters ?? DEFAULT_MAX_CHARACTERS;
	if (typeof maxCharacters !== 'number' || !(maxCharacters >= 1)) {
		throw invalidParameter(node, 0, 'Max Characters per Request', `must be 1 or more, got ${String(maxCharacters)}`);
	}
	return { batchSize, maxCharacters: Math.floor(maxCharacters) };
}

export function readEmbeddingInput(context: IExecuteFunctions, itemIndex: number): EmbeddingInput {
	const node = context.getNode();
	const model = readModel(context, itemIndex);
	const text = readRequiredText(
		context,
		itemIndex,
		'text',
		'Text',
		`Item ${itemIndex} has no text to embed. Check the expression, or drop such items first (e.g. with a Filter node).`,
	);

	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const base: IDataObject = { model };
	if (options.dimensions !== undefined) {
		const dimensions = options.dimensions;
		if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1) {
			throw invalidParameter(node, itemIndex, 'Dimensions', `must be a whole number of 1 or more, got ${String(dimensions)}`);
		}
		base.dimensions = dimensions;
	}
	if (options.encodingFormat === 'base64') base.encoding_format = 'base64';
	const body = mergeExtraBody(context, itemIndex, base, options.extraBody);
	if ('input' in body) {
		throw invalidParameter(node, itemIndex, 'Extra Body Fields', '"input" is set by the node from Text', 'Remove "input" from Extra Body Fields.');
	}
	return { text, model, body, key: JSON.stringify(body) };
}
