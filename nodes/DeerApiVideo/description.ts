import type { INodeProperties } from 'n8n-workflow';

import { binaryPropertyOutputOption, imageMaxConcurrencyOption } from '../shared/n8n/image-options';
import { maxRetriesOption, timeoutOption } from '../shared/n8n/client';
import { extraBodyOption, maxDownloadSizeOption, modelLocator } from '../shared/n8n/parameters';
import { taskWaitProperties } from '../shared/n8n/tasks';

export const DEFAULT_MODEL = 'veo3-fast';

const generate = { show: { operation: ['generate'] } };
/** Inside the Options collection a condition on a top-level parameter starts with "/". */
const generateOption = { show: { '/operation': ['generate'] } };
const get = { show: { operation: ['get'] } };

export const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'generate',
		options: [
			{
				name: 'Generate',
				value: 'generate',
				action: 'Generate a video',
				description: 'Submit a text or image to video task, wait for it and download the video',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a video task',
				description: 'Look up a task by its ID: its status, and the video once it is ready',
			},
		],
	},
	{
		...modelLocator({ searchMethod: 'searchVideoModels', defaultId: DEFAULT_MODEL, placeholder: 'e.g. veo3, kling-v2-1-master, sora-2' }),
		displayOptions: generate,
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. A slow pan around the bottle on a marble table, soft morning light',
		typeOptions: { rows: 4 },
		displayOptions: generate,
		description: 'What the video shows',
	},
	{
		displayName: 'Input Image Fields',
		name: 'imageFields',
		type: 'string',
		default: '',
		placeholder: 'e.g. data, or first, last',
		displayOptions: generate,
		hint: 'Binary fields of the input item: one picture to animate, or a first and a last frame',
		description:
			'Pictures to start from, from binary fields of the input item (comma-separated): the first is the first frame, a second one the last frame, for models that take two. Empty: text to video.',
	},
	{
		displayName: 'Input Image URLs',
		name: 'imageUrls',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/product.png',
		displayOptions: generate,
		description:
			'Links to pictures to start from, after the binary fields (one per line or comma-separated). OpenAI Videos format: the node downloads them first, without your API key, and sends the files; new-api format: the links are sent as they are.',
	},
	{
		displayName: 'Duration (Seconds)',
		name: 'seconds',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0, maxValue: 60 },
		displayOptions: generate,
		description:
			'Length of the video. 0 sends none: the model decides. Where known the node checks it before sending: sora-2 takes 4, 8 or 12; veo3 4, 6 or 8; kling 5 or 10; hailuo 6 or 10.',
	},
	{
		displayName: 'Size or Aspect Ratio',
		name: 'size',
		type: 'string',
		default: '',
		placeholder: 'e.g. 1280x720, 720x1280 or 16:9',
		displayOptions: generate,
		description: 'Sent as "size": a resolution (width x height) or an aspect ratio, as the model takes it. Empty: the model decides.',
	},
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. task_4Yt… or video_68d…',
		displayOptions: get,
		description: 'The ID of a video task: the "taskId" of an earlier run, or one made by another tool with the same key',
	},
	{
		displayName: 'API Format',
		name: 'apiFormat',
		type: 'options',
		default: 'openai',
		options: [
			{
				name: 'OpenAI Videos',
				value: 'openai',
				description: 'POST /v1/videos: the format most relays keep for every video model (multipart; the video from the relay)',
			},
			{
				name: 'New-API Video Generations',
				value: 'new-api',
				description: "POST /v1/video/generations: new-api's unified format (JSON; the video from the task's link)",
			},
		],
		description: 'Which of the relay\'s video routes to use. A Get must use the format the task was made with.',
	},
	...taskWaitProperties('video'),
	{
		displayName: 'Download Video',
		name: 'download',
		type: 'boolean',
		default: true,
		description:
			'Whether to download a finished video into the binary output (streamed into n8n\'s binary data). Off: only its link and details.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				...extraBodyOption,
				displayOptions: generateOption,
				description:
					'JSON object merged into the submit (form fields for OpenAI Videos, the JSON body for new-api), for fields the relay passes through (e.g. {"mode": "pro"} or {"fps": 24}). It overrides fields set above.',
			},
			{
				displayName: 'Extra Fields (Metadata)',
				name: 'metadata',
				type: 'json',
				default: '{}',
				displayOptions: generateOption,
				description:
					'JSON object of vendor-specific extras, sent as "metadata" (e.g. {"watermark": false, "negative_prompt": "text, logos"})',
			},
			{
				...imageMaxConcurrencyOption,
				description:
					'How many requests go to the relay at once (submits, polls and downloads). Every task is waited for side by side whatever this is; output order always follows input order.',
			},
			{
				...maxDownloadSizeOption,
				description:
					'A video (or an input picture at a URL) larger than this fails the item instead of filling the disk or the memory',
			},
			maxRetriesOption,
			{
				...binaryPropertyOutputOption,
				hint: 'The name of the output binary field to put the video in',
				description: 'The video goes into this binary field of the item',
			},
			timeoutOption,
		],
	},
];
