import type { INodeProperties } from 'n8n-workflow';

import { MODEL_KINDS, type ModelKind } from '../shared/transport/model-kinds';
import { maxRetriesOption, timeoutOption } from '../shared/n8n/client';

export type SearchMode = 'contains' | 'regex';
export type SortOrder = 'id' | 'created' | 'owner';
export type OutputMode = 'perModel' | 'singleItem';

const KIND_LABELS: Record<ModelKind, { name: string; description: string }> = {
	audio: { name: 'Audio', description: 'Speech, transcription, music (tts-1, whisper-1, suno, ...)' },
	chat: { name: 'Chat', description: 'Text and vision chat models, and any ID not recognised as another type' },
	embedding: { name: 'Embedding', description: 'Text embeddings (text-embedding-3-small, bge-m3, ...)' },
	image: {
		name: 'Image',
		description: 'Image generation, on the images API or in chat form (gpt-image-1, gpt-4o-image, flux, mj_imagine, ...)',
	},
	moderation: { name: 'Moderation', description: 'Content moderation (omni-moderation-latest, ...)' },
	other: { name: 'Other', description: 'Rerankers and other models that fit none of the types above' },
	video: { name: 'Video', description: 'Video generation (sora-2, veo3, kling-v1, ...)' },
};

export const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		displayOptions: { show: { returnAll: [false] } },
		description: 'Max number of results to return',
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Search',
				name: 'search',
				type: 'string',
				default: '',
				placeholder: 'e.g. gpt-4o',
				description:
					'Keep only models whose ID contains this text (case-insensitive), or matches it as a regular expression when "Search Mode" is Regular Expression',
			},
			{
				displayName: 'Search Mode',
				name: 'searchMode',
				type: 'options',
				default: 'contains',
				options: [
					{
						name: 'Contains',
						value: 'contains',
						description: 'The ID contains the text, ignoring case',
					},
					{
						name: 'Regular Expression',
						value: 'regex',
						description:
							'The ID matches the JavaScript regular expression, ignoring case (e.g. ^(gpt|o\\d)). Write /pattern/flags to set the flags yourself.',
					},
				],
			},
			{
				displayName: 'Types',
				name: 'types',
				type: 'multiOptions',
				default: [],
				options: [...MODEL_KINDS]
					.sort()
					.map((kind) => ({ value: kind, ...KIND_LABELS[kind] })),
				description:
					'Keep only models of these types. The type comes from the relay\'s "supported_endpoint_types" when it sends them, else from the model ID.',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			maxRetriesOption,
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				default: 'perModel',
				options: [
					{
						name: 'One Item per Model',
						value: 'perModel',
						description: 'Each model is an item with its ID, owner, creation date, type and the raw entry',
					},
					{
						name: 'Single Item',
						value: 'singleItem',
						description: 'One item per input item, with the count and the models as a list',
					},
				],
			},
			{
				displayName: 'Sort By',
				name: 'sort',
				type: 'options',
				default: 'id',
				options: [
					{ name: 'ID', value: 'id', description: 'Alphabetically, numbers by value (v2 before v10)' },
					{
						name: 'Newest First',
						value: 'created',
						description: 'By creation date; models without one come last',
					},
					{
						name: 'Owner',
						value: 'owner',
						description: 'By "owned_by", then ID; models without an owner come last',
					},
				],
			},
			timeoutOption,
		],
	},
];
