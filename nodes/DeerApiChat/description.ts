import type { INodeProperties } from 'n8n-workflow';

import { maxRetriesOption, timeoutOption } from '../shared/n8n/client';
import { extraBodyOption, maxDownloadSizeOption, modelLocator } from '../shared/n8n/parameters';
import { maxConcurrencyOption } from '../shared/n8n/runner';
import {
	chatResponseFormatOption,
	frequencyPenaltyOption,
	maxTokensFieldOption,
	maxTokensOption,
	presencePenaltyOption,
	reasoningEffortOption,
	temperatureOption,
	topPOption,
} from '../shared/n8n/sampling-options';

/** Binary field prefixes when Binary Field Prefix is not set: by what the model makes. */
export const DEFAULT_IMAGE_PROPERTY_PREFIX = 'image_';
export const DEFAULT_VIDEO_PROPERTY_PREFIX = 'video_';
export const DEFAULT_DOWNLOAD_TIMEOUT_S = 300;

const messageProperties: INodeProperties[] = [
	{
		displayName: 'System Message',
		name: 'systemMessage',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'e.g. You are a copywriter for an outdoor brand. Answer in English.',
		description:
			'Instructions sent first, as a message with the role "system". Leave empty to send none.',
	},
	{
		displayName: 'Conversation History',
		name: 'history',
		type: 'json',
		default: '[]',
		description:
			'Earlier messages as a JSON array of {"role": "user" | "assistant" | "system" | "tool", "content": "..."}, sent after the system message and before the messages below. Usually an expression that reads the history from the input item. Fields other than role, content, name, tool_calls and tool_call_id are left out.',
	},
	{
		displayName: 'Messages',
		name: 'messages',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Message',
		default: { values: [{ role: 'user', content: '' }] },
		description: 'The messages to send, in order, after the system message and the history',
		options: [
			{
				displayName: 'Message',
				name: 'values',
				values: [
					{
						displayName: 'Role',
						name: 'role',
						type: 'options',
						options: [
							{
								name: 'Assistant',
								value: 'assistant',
								description: 'An earlier answer of the model (for examples or history)',
							},
							{
								name: 'System',
								value: 'system',
								description: 'Instructions for the model',
							},
							{
								name: 'User',
								value: 'user',
								description: 'What the user says or asks',
							},
						],
						default: 'user',
					},
					{
						displayName: 'Content',
						name: 'content',
						type: 'string',
						typeOptions: { rows: 4 },
						default: '',
						placeholder: 'e.g. Write an Instagram caption for {{ $json.product }}',
					},
				],
			},
		],
	},
	{
		displayName: 'Images',
		name: 'images',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Image',
		default: {},
		description:
			'Images for vision models, attached to the last user message. URLs are sent as given (the relay fetches them); files of the input item are sent inline.',
		options: [
			{
				displayName: 'Image',
				name: 'values',
				values: [
					{
						displayName: 'Source',
						name: 'source',
						type: 'options',
						options: [
							{
								name: 'Binary File',
								value: 'binary',
								description: 'A file of the input item (from HTTP Request, Read Files, a form...)',
							},
							{
								name: 'URL',
								value: 'url',
								description: 'A public http(s) link, or a data: URL',
							},
						],
						default: 'url',
					},
					{
						displayName: 'Image URL',
						name: 'url',
						type: 'string',
						default: '',
						placeholder: 'e.g. https://example.com/photo.jpg',
						description:
							'The image link. An expression that yields a list of links attaches them all.',
						displayOptions: { show: { source: ['url'] } },
					},
					{
						displayName: 'Input Binary Field',
						name: 'binaryPropertyName',
						type: 'string',
						default: 'data',
						placeholder: 'e.g. data',
						hint: 'The name of the input binary field containing the image. Separate several names with commas.',
						displayOptions: { show: { source: ['binary'] } },
					},
					{
						displayName: 'Detail',
						name: 'detail',
						type: 'options',
						options: [
							{ name: 'Auto', value: 'auto', description: 'The model decides' },
							{ name: 'High', value: 'high', description: 'Reads small text and details; costs more tokens' },
							{ name: 'Low', value: 'low', description: 'A quick low-resolution look; cheaper and faster' },
						],
						default: 'auto',
						description: 'How closely the model looks at the image. Auto sends no detail field.',
					},
				],
			},
		],
	},
];

// Shown by a value inside the Options collection. The leading '/' makes it a path from the node's
// root, which n8n-workflow 1.x leaves out of the resolve order; without it 1.x takes
// 'options.responseFormat' for a sibling parameter that never resolves and refuses the node
// ("Could not resolve parameter dependencies"). The editor reads both forms the same way.
const notices: INodeProperties[] = [
	{
		displayName:
			'JSON Object mode: many models (OpenAI\'s among them) refuse it unless the word "JSON" appears in the messages, e.g. "Answer in JSON with the keys title and caption."',
		name: 'jsonObjectNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { '/options.responseFormat': ['json_object'] } },
	},
	{
		displayName:
			'JSON Schema mode: add "JSON Schema" under Options. Not every model behind a relay supports it; JSON Object mode works with more of them.',
		name: 'jsonSchemaNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { '/options.responseFormat': ['json_schema'] } },
	},
];

const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			// Named "imagePropertyPrefix" since before videos; the name stays so saved workflows keep it.
			displayName: 'Binary Field Prefix',
			name: 'imagePropertyPrefix',
			type: 'string',
			default: '',
			placeholder: 'image_ (video_ for video models)',
			description:
				'Downloaded files go into binary fields named by this prefix and a number. Empty: image_0, image_1 ... for images, video_0, video_1 ... for the videos of a video model (veo3-chat).',
		},
		{
			displayName: 'Download Images and Videos',
			name: 'downloadImages',
			type: 'boolean',
			default: true,
			description:
				'Whether to download the images of an image model (gpt-4o-image, Gemini image models...) and the videos of a video model (veo3-chat) its answer links to into binary fields, so they outlive the relay\'s short-lived links',
		},
		{
			displayName: 'Download Timeout (Seconds)',
			name: 'imageDownloadTimeout',
			type: 'number',
			default: DEFAULT_DOWNLOAD_TIMEOUT_S,
			typeOptions: { minValue: 1 },
			description: 'How long the download of one image or video may take',
		},
		extraBodyOption,
		frequencyPenaltyOption,
		{
			displayName: 'JSON Schema',
			name: 'jsonSchema',
			type: 'json',
			default:
				'{\n  "type": "object",\n  "properties": {\n    "title": { "type": "string" },\n    "caption": { "type": "string" }\n  },\n  "required": ["title", "caption"],\n  "additionalProperties": false\n}',
			description: 'The JSON Schema the reply must follow',
			displayOptions: { show: { responseFormat: ['json_schema'] } },
		},
		{
			displayName: 'JSON Schema Name',
			name: 'jsonSchemaName',
			type: 'string',
			default: 'response',
			description: 'A name for the schema (letters, digits, _ and -)',
			displayOptions: { show: { responseFormat: ['json_schema'] } },
		},
		{
			displayName: 'JSON Schema Strict',
			name: 'jsonSchemaStrict',
			type: 'boolean',
			default: true,
			description:
				'Whether the model must follow the schema exactly (strict). Strict schemas need "additionalProperties": false and every property listed in "required".',
			displayOptions: { show: { responseFormat: ['json_schema'] } },
		},
		maxConcurrencyOption,
		maxDownloadSizeOption,
		maxRetriesOption,
		maxTokensOption,
		maxTokensFieldOption,
		{
			displayName: 'Number of Completions',
			name: 'n',
			type: 'number',
			default: 1,
			typeOptions: { minValue: 1, maxValue: 16 },
			description:
				'How many answers to generate for each item (n). They all appear in the output under "choices".',
		},
		presencePenaltyOption,
		reasoningEffortOption,
		chatResponseFormatOption({ jsonSchema: true }),
		temperatureOption,
		{
			displayName: 'Seed',
			name: 'seed',
			type: 'number',
			default: 0,
			description: 'Models that support it try to answer the same way to the same request and seed',
		},
		{
			displayName: 'Stop Sequences',
			name: 'stop',
			type: 'string',
			default: '',
			placeholder: 'e.g. ["\\n\\n", "END"]',
			description:
				'Where the model stops writing: a JSON array of strings, or one sequence per line',
		},
		{
			displayName: 'Stream',
			name: 'stream',
			type: 'boolean',
			default: true,
			description:
				'Whether to receive the answer as it is written. Keeps long answers (and slow image models) from hitting proxy timeouts; the output is the same either way. In streaming workflows the text is passed on as it arrives.',
		},
		timeoutOption,
		{
			displayName: 'Tool Choice',
			name: 'toolChoice',
			type: 'options',
			options: [
				{ name: 'Auto', value: 'auto', description: 'The model decides whether to call a tool' },
				{ name: 'None', value: 'none', description: 'The model answers in text' },
				{ name: 'Required', value: 'required', description: 'The model must call at least one tool' },
				{ name: 'Specific Function', value: 'function', description: 'The model must call the named function' },
			],
			default: 'auto',
			description: 'Whether and which of the Tools the model must call (tool_choice)',
		},
		{
			displayName: 'Tool Function Name',
			name: 'toolChoiceFunction',
			type: 'string',
			default: '',
			placeholder: 'e.g. classify_ticket',
			description: 'The function the model must call',
			displayOptions: { show: { toolChoice: ['function'] } },
		},
		{
			displayName: 'Tools',
			name: 'tools',
			type: 'json',
			default:
				'[\n  {\n    "type": "function",\n    "function": {\n      "name": "classify_ticket",\n      "description": "Classify a support ticket",\n      "parameters": {\n        "type": "object",\n        "properties": {\n          "category": { "type": "string", "enum": ["billing", "bug", "other"] }\n        },\n        "required": ["category"]\n      }\n    }\n  }\n]',
			description:
				'Function definitions as a JSON array, in the OpenAI form {"type": "function", "function": {"name", "description", "parameters"}} or just {"name", "description", "parameters"}. The node returns the calls the model makes in "toolCalls" with their arguments parsed; it does not run them.',
		},
		topPOption,
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			description: 'An ID for your end user, passed on for abuse monitoring (user)',
		},
	],
};

export const chatProperties: INodeProperties[] = [
	modelLocator({
		searchMethod: 'searchModels',
		defaultId: 'gpt-4o-mini',
		placeholder: 'e.g. gpt-4o-mini',
	}),
	...messageProperties,
	...notices,
	{
		displayName: 'Simplify Output',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description: 'Whether to return a simplified version of the response instead of the raw data',
	},
	options,
];
