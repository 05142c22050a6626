import type { INodeProperties } from 'n8n-workflow';

import { binaryPropertyOutputOption, imageMaxConcurrencyOption } from '../shared/n8n/image-options';
import { maxRetriesOption, timeoutOption } from '../shared/n8n/client';
import { maxDownloadSizeOption } from '../shared/n8n/parameters';
import { taskWaitProperties } from '../shared/n8n/tasks';
import { buttonOptions, CUSTOM_ID } from './buttons';

export type Operation = 'imagine' | 'action' | 'blend' | 'describe' | 'modal' | 'get';

export const DEFAULT_IMAGE_FIELD = 'data';

const only = (...operation: Operation[]) => ({ show: { operation } });
const submits = only('imagine', 'action', 'blend', 'describe', 'modal');

export const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'imagine',
		options: [
			{
				name: 'Action (Press a Button)',
				value: 'action',
				action: 'Press a button of a task',
				description: 'Upscale, vary, reroll, zoom or pan the image of an earlier task',
			},
			{ name: 'Blend', value: 'blend', action: 'Blend images', description: 'Two to five images blended into a grid' },
			{ name: 'Describe', value: 'describe', action: 'Describe an image', description: 'An image to four prompts, as four items' },
			{ name: 'Get', value: 'get', action: 'Get a task', description: 'A task by its ID: its state, and its image once it is ready' },
			{ name: 'Imagine', value: 'imagine', action: 'Imagine an image', description: 'A prompt (and reference images) to a 2x2 grid of four images' },
			{
				name: 'Modal (Answer a Waiting Task)',
				value: 'modal',
				action: 'Answer a task that waits for input',
				description: 'The mask (Vary (Region)) or prompt (Custom Zoom) a task in status MODAL waits for',
			},
		],
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. a ceramic mug on a sunlit kitchen table, product photography --ar 3:2 --v 6.1',
		typeOptions: { rows: 4 },
		displayOptions: only('imagine'),
		description:
			"What to imagine, with Midjourney's own parameters at the end as you would type them in Discord (--ar 16:9, --v 6.1, --stylize 250, --no text ...): they are sent as they are",
	},
	{
		displayName: 'Reference Image Fields',
		name: 'referenceImageFields',
		type: 'string',
		default: '',
		placeholder: 'e.g. data, logo',
		displayOptions: only('imagine'),
		hint: 'Binary fields of the input item holding reference images, comma-separated',
		description:
			'Images for Midjourney to start from (image prompts), from binary fields of the input item. Sent inline as base64 (PNG, JPEG, WebP or GIF).',
	},
	{
		displayName: 'Reference Image URLs',
		name: 'referenceImageUrls',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/style.png',
		displayOptions: only('imagine'),
		description:
			'Links to more reference images (one per line or comma-separated). The node downloads them first, without your API key, and sends them inline as base64.',
	},
	{
		displayName: 'Bot',
		name: 'botType',
		type: 'options',
		default: 'MID_JOURNEY',
		displayOptions: only('imagine'),
		options: [
			{ name: 'Midjourney', value: 'MID_JOURNEY' },
			{ name: 'Niji (Anime and Illustration)', value: 'NIJI_JOURNEY' },
		],
		description: 'Which Midjourney bot draws it (sent as "botType")',
	},
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 1733112233445566',
		displayOptions: only('action', 'modal', 'get'),
		description: 'The ID of a Midjourney task: the "taskId" of an earlier output, or a task made by another tool with the same key',
	},
	{
		displayName: 'Button',
		name: 'button',
		type: 'options',
		default: 'U1',
		displayOptions: only('action'),
		options: buttonOptions,
		description:
			'The button to press. The node first looks the task up and checks that it offers the button (a grid offers U1-U4, V1-V4 and reroll; an upscaled image the Upscale, Vary, Zoom and Pan buttons).',
	},
	{
		displayName: 'Custom ID',
		name: 'customId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. MJ::JOB::upsample::1::0b4fd5d4-…',
		displayOptions: { show: { operation: ['action'], button: [CUSTOM_ID] } },
		hint: 'E.g. an expression on "buttons" of an earlier output: buttons[0].customId',
		description: 'The customId of one of the task\'s buttons, as an earlier output of this node lists them under "buttons"',
	},
	{
		displayName: 'Image Fields',
		name: 'imageFields',
		type: 'string',
		default: DEFAULT_IMAGE_FIELD,
		placeholder: 'e.g. data, data_1',
		displayOptions: only('blend'),
		hint: 'Binary fields of the input item holding the images, comma-separated',
		description: 'The images to blend, from binary fields of the input item; with the Image URLs, 2 to 5 images in all',
	},
	{
		displayName: 'Image URLs',
		name: 'imageUrls',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/a.png, https://example.com/b.png',
		displayOptions: only('blend'),
		description: 'Links to images to blend, after the binary fields (one per line or comma-separated); downloaded first, without your API key',
	},
	{
		displayName: 'Shape',
		name: 'dimensions',
		type: 'options',
		default: 'SQUARE',
		displayOptions: only('blend'),
		options: [
			{ name: 'Square (1:1)', value: 'SQUARE' },
			{ name: 'Portrait (2:3)', value: 'PORTRAIT' },
			{ name: 'Landscape (3:2)', value: 'LANDSCAPE' },
		],
		description: 'The shape of the blended images (sent as "dimensions")',
	},
	{
		displayName: 'Image Field',
		name: 'imageField',
		type: 'string',
		default: DEFAULT_IMAGE_FIELD,
		displayOptions: only('describe'),
		hint: 'The binary field of the input item holding the image to describe',
		description: 'The image to describe. Ignored when an Image URL is given.',
	},
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/product.png',
		displayOptions: only('describe'),
		description: 'A link to the image to describe instead of a binary field; downloaded first, without your API key',
	},
	{
		displayName: 'Prompt',
		name: 'modalPrompt',
		type: 'string',
		default: '',
		placeholder: 'e.g. a red scarf --zoom 1.8',
		typeOptions: { rows: 3 },
		displayOptions: only('modal'),
		description: 'What the waiting task asks for: the new prompt of a Custom Zoom (with --zoom), or what to draw in a Vary (Region) area',
	},
	{
		displayName: 'Mask Field',
		name: 'maskField',
		type: 'string',
		default: '',
		placeholder: 'e.g. mask',
		displayOptions: only('modal'),
		description:
			'A Vary (Region) task waits for a mask: the binary field of the input item holding it (an image of the task\'s size whose marked area is redrawn)',
	},
	{
		displayName: 'Speed',
		name: 'speed',
		type: 'options',
		default: 'default',
		displayOptions: submits,
		options: [
			{ name: 'Default (the Relay Decides)', value: 'default', description: 'The relay\'s own route, /mj' },
			{ name: 'Relax', value: 'relax', description: 'Slow and cheap: the route /mj-relax' },
			{ name: 'Fast', value: 'fast', description: 'The route /mj-fast' },
			{ name: 'Turbo', value: 'turbo', description: 'Fastest and dearest: the route /mj-turbo' },
		],
		description: 'Which of the relay\'s Midjourney routes to use: relays price and queue them differently',
	},
	...taskWaitProperties('image'),
	{
		displayName: 'Download Image',
		name: 'download',
		type: 'boolean',
		default: true,
		displayOptions: { hide: { operation: ['describe'] } },
		description:
			'Whether to download a finished image into the binary output as soon as it is done (Midjourney\'s links expire within a day). Off: only its link and details.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				...imageMaxConcurrencyOption,
				description:
					'How many requests go to the relay at once (submits, polls and downloads). Every task is waited for side by side whatever this is; output order always follows input order.',
			},
			{
				...maxDownloadSizeOption,
				description: 'A finished image (or an input image at a URL) larger than this fails the item instead of filling the memory',
			},
			maxRetriesOption,
			{
				...binaryPropertyOutputOption,
				hint: 'The name of the output binary field to put the image in',
				description: 'The finished image goes into this binary field of the item',
			},
			timeoutOption,
		],
	},
];
