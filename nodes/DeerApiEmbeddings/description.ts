import type { INodeProperties } from 'n8n-workflow';

import { maxRetriesOption, timeoutOption } from '../shared/n8n/client';
import { extraBodyOption, modelLocator } from '../shared/n8n/parameters';
import { maxConcurrencyOption } from '../shared/n8n/runner';

export const DEFAULT_MODEL = 'text-embedding-3-small';
export const DEFAULT_BATCH_SIZE = 100;
/** OpenAI takes up to 2048 inputs a request. */
export const MAX_BATCH_SIZE = 2048;
/**
 * OpenAI allows 300,000 tokens a request. A token is about 4 characters of English but can be
 * one character of Chinese: 200,000 characters stay under the limit in either.
 */
export const DEFAULT_MAX_CHARACTERS = 200_000;

export const properties: INodeProperties[] = [
	modelLocator({
		searchMethod: 'searchEmbeddingModels',
		defaultId: DEFAULT_MODEL,
		placeholder: 'e.g. text-embedding-3-large',
	}),
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.description }}',
		typeOptions: { rows: 3 },
		description:
			'The text to embed, one per input item (usually an expression). Many items go to the relay in one request.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				default: DEFAULT_BATCH_SIZE,
				typeOptions: { minValue: 1, maxValue: MAX_BATCH_SIZE },
				description:
					'How many input items are embedded in one request (sent as "input": [...]). 1 sends one request per item.',
			},
			{
				displayName: 'Dimensions',
				name: 'dimensions',
				type: 'number',
				default: 1536,
				typeOptions: { minValue: 1 },
				description:
					'Length of the vectors, for models that can shorten them (text-embedding-3-small up to 1536, -large up to 3072). Left out: the model\'s full length.',
			},
			{
				displayName: 'Encoding Format',
				name: 'encodingFormat',
				type: 'options',
				default: 'float',
				options: [
					{ name: 'Float', value: 'float', description: 'Numbers in JSON' },
					{
						name: 'Base64',
						value: 'base64',
						description: 'Little-endian float32 bytes, about a quarter of the size on the wire; the node decodes them to numbers',
					},
				],
				description: 'How the relay sends the vectors. The output is a number array either way.',
			},
			extraBodyOption,
			{
				...maxConcurrencyOption,
				description: 'How many requests (batches) are sent to the relay at once. Output order always follows input order.',
			},
			{
				displayName: 'Max Characters per Request',
				name: 'maxCharacters',
				type: 'number',
				default: DEFAULT_MAX_CHARACTERS,
				typeOptions: { minValue: 1 },
				description:
					'A batch is cut before its texts together would pass this many characters, to stay under the relay\'s per-request token limit. A longer text still goes, alone.',
			},
			maxRetriesOption,
			timeoutOption,
		],
	},
];
