import type { INodeProperties } from 'n8n-workflow';

import {
	binaryPropertyOutputOption,
	CUSTOM_SIZE,
	customSizeProperty,
	downloadImagesOption,
	imageApiOptions,
	imageMaxConcurrencyOption,
	imageResponseFormatOption,
	MODEL_DEFAULT_SIZE,
} from '../shared/n8n/image-options';
import { maxRetriesOption, timeoutOption } from '../shared/n8n/client';
import { extraBodyOption, maxDownloadSizeOption, modelLocator } from '../shared/n8n/parameters';

export const DEFAULT_MODEL = 'gpt-image-1';

const imagesMode = { '/mode': ['images'] };
const chatMode = { '/mode': ['chat'] };
const imageApi = imageApiOptions({ show: imagesMode });

export const properties: INodeProperties[] = [
	modelLocator({
		searchMethod: 'searchImageModels',
		defaultId: DEFAULT_MODEL,
		placeholder: 'e.g. doubao-seedream-4-0-250828',
	}),
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		default: 'images',
		options: [
			{
				name: 'Chat',
				value: 'chat',
				description:
					'POST /v1/chat/completions, for models that answer with Markdown image links (gpt-4o-image, gemini-2.5-flash-image, ...)',
			},
			{
				name: 'Images API',
				value: 'images',
				description: 'POST /v1/images/generations (gpt-image-1, dall-e-3, doubao-seedream, flux, ...)',
			},
		],
		description: 'Which endpoint the model answers on',
	},
	{
		displayName:
			'gpt-image models always answer in base64 and reject "Response Format": the node leaves that option out for them. Sizes: 1024x1024, 1536x1024, 1024x1536 or auto.',
		name: 'gptImageNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { mode: ['images'], model: [{ _cnd: { startsWith: 'gpt-image' } }] } },
	},
	{
		displayName:
			'dall-e-3 makes one image per request: keep "Number of Images" at 1 (send several input items for more). Sizes: 1024x1024, 1792x1024 or 1024x1792.',
		name: 'dallE3Notice',
		type: 'notice',
		default: '',
		displayOptions: { show: { mode: ['images'], model: [{ _cnd: { startsWith: 'dall-e-3' } }] } },
	},
	{
		displayName:
			'Seedream takes sizes such as 2K, 4K or 2048x2048, reference images (Options > Reference Image URLs / Fields), and {"watermark": false} in Options > Extra Body Fields',
		name: 'seedreamNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { mode: ['images'], model: [{ _cnd: { includes: 'seedream' } }] } },
	},
	{
		displayName:
			'Chat mode sends the prompt as a user message and downloads the images the answer links to. Describe size or aspect ratio in the prompt (e.g. "16:9").',
		name: 'chatNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { mode: ['chat'] } },
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. A poster for a summer sale, bold typography, beach at sunset',
		typeOptions: { rows: 4 },
		description: 'What the image should show',
	},
	{
		displayName: 'Number of Images',
		name: 'numberOfImages',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 1, maxValue: 10 },
		description:
			'How many images to generate per input item (sent as "n" when above 1). dall-e-3 accepts 1 only.',
		displayOptions: { show: { mode: ['images'] } },
	},
	{
		displayName: 'Size',
		name: 'size',
		type: 'options',
		default: MODEL_DEFAULT_SIZE,
		options: [
			{ name: '1024x1024', value: '1024x1024', description: 'Square: gpt-image-1, dall-e-3, most models' },
			{ name: '1024x1536', value: '1024x1536', description: 'Portrait: gpt-image-1' },
			{ name: '1024x1792', value: '1024x1792', description: 'Portrait: dall-e-3' },
			{ name: '1536x1024', value: '1536x1024', description: 'Landscape: gpt-image-1' },
			{ name: '1792x1024', value: '1792x1024', description: 'Landscape: dall-e-3' },
			{ name: '2K', value: '2K', description: 'Seedream' },
			{ name: '4K', value: '4K', description: 'Seedream' },
			{ name: 'Auto', value: 'auto', description: 'The model picks the size (gpt-image-1)' },
			{ name: 'Custom', value: CUSTOM_SIZE, description: 'Enter a size such as 2048x2048 or 1K' },
			{ name: 'Default (Model Decides)', value: MODEL_DEFAULT_SIZE, description: 'Sends no size' },
		],
		description: 'Image size. Models accept different sizes: see each option.',
		displayOptions: { show: { mode: ['images'] } },
	},
	customSizeProperty({ mode: ['images'] }),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			imageApi.background,
			downloadImagesOption,
			extraBodyOption,
			imageMaxConcurrencyOption,
			maxDownloadSizeOption,
			maxRetriesOption,
			imageApi.moderation,
			imageApi.outputCompression,
			imageApi.outputFormat,
			binaryPropertyOutputOption,
			{
				displayName: 'Quality',
				name: 'quality',
				type: 'options',
				default: 'auto',
				options: [
					{ name: 'Auto', value: 'auto', description: 'For gpt-image-1' },
					{ name: 'HD', value: 'hd', description: 'For dall-e-3' },
					{ name: 'High', value: 'high', description: 'For gpt-image-1' },
					{ name: 'Low', value: 'low', description: 'For gpt-image-1' },
					{ name: 'Medium', value: 'medium', description: 'For gpt-image-1' },
					{ name: 'Standard', value: 'standard', description: 'For dall-e-3' },
				],
				description: 'Image quality. gpt-image-1 takes auto, low, medium or high; dall-e-3 standard or hd.',
				displayOptions: { show: imagesMode },
			},
			{
				displayName: 'Reference Image Fields',
				name: 'referenceImageFields',
				type: 'string',
				default: '',
				placeholder: 'e.g. data, logo',
				description:
					'Binary fields of the input item holding reference images, comma-separated. They are sent as data URLs after any Reference Image URLs: as "image" in Images API mode (Seedream), as image parts of the message in Chat mode.',
			},
			{
				displayName: 'Reference Image URLs',
				name: 'referenceImageUrls',
				type: 'string',
				default: '',
				placeholder: 'e.g. https://example.com/product.png',
				description:
					'Links to reference images (one per line, or comma-separated; an expression may return a list). Sent as "image" in Images API mode (Seedream: one image as a string, several as a list), as image parts of the message in Chat mode.',
			},
			imageResponseFormatOption(
				'How dall-e-3, Seedream and similar models return images. Left out for gpt-image models, which always answer in base64 and reject the field.',
				{ show: imagesMode },
			),
			{
				displayName: 'Stream',
				name: 'stream',
				type: 'boolean',
				default: true,
				description:
					'Whether to stream the chat answer. DeerAPI recommends it for gpt-4o-image: generation is slow and streaming keeps the connection alive.',
				displayOptions: { show: chatMode },
			},
			{
				displayName: 'Style',
				name: 'style',
				type: 'options',
				default: 'vivid',
				options: [
					{ name: 'Natural', value: 'natural' },
					{ name: 'Vivid', value: 'vivid' },
				],
				description: 'Style of dall-e-3 images',
				displayOptions: { show: imagesMode },
			},
			timeoutOption,
		],
	},
];
