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
export const DEFAULT_INPUT_FIELD = 'data';

const imageApi = imageApiOptions();

export const properties: INodeProperties[] = [
	modelLocator({
		searchMethod: 'searchImageModels',
		defaultId: DEFAULT_MODEL,
		placeholder: 'e.g. gpt-image-1-mini',
	}),
	{
		displayName:
			'gpt-image models take up to 16 images (PNG, JPEG or WebP, each under 50 MB) and answer in base64. Sizes: 1024x1024, 1536x1024, 1024x1536 or auto.',
		name: 'gptImageNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { model: [{ _cnd: { startsWith: 'gpt-image' } }] } },
	},
	{
		displayName:
			'dall-e-2 edits one square PNG under 4 MB. Sizes: 256x256, 512x512 or 1024x1024. Without a mask the image itself needs transparent areas to edit.',
		name: 'dallE2Notice',
		type: 'notice',
		default: '',
		displayOptions: { show: { model: [{ _cnd: { startsWith: 'dall-e-2' } }] } },
	},
	{
		displayName:
			'Seedream and other models that take reference images in a generations call: use DeerAPI Image Generate with Options > Reference Image Fields / URLs',
		name: 'seedreamNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { model: [{ _cnd: { includes: 'seedream' } }] } },
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Place the product on a beach at sunset, keep the label sharp',
		typeOptions: { rows: 4 },
		description: 'What to change in the image',
	},
	{
		displayName: 'Input Image Fields',
		name: 'imageFields',
		type: 'string',
		default: DEFAULT_INPUT_FIELD,
		placeholder: 'e.g. data, logo',
		hint: 'Binary fields of the input item holding the images to edit, comma-separated',
		description:
			'The images to edit, from binary fields of the input item (any binary data storage). Sent before any Input Image URLs; the first image sets the size the mask must have. Empty: only the URLs are used.',
	},
	{
		displayName: 'Input Image URLs',
		name: 'imageUrls',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/product.png',
		description:
			'Links to more images to edit (one per line, or comma-separated; an expression may return a list). The node downloads them first, without your API key, and sends the files.',
	},
	{
		displayName: 'Number of Images',
		name: 'numberOfImages',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 1, maxValue: 10 },
		description: 'How many edited versions to make per input item (sent as "n" when above 1)',
	},
	{
		displayName: 'Size',
		name: 'size',
		type: 'options',
		default: MODEL_DEFAULT_SIZE,
		options: [
			{ name: '1024x1024', value: '1024x1024', description: 'Square: gpt-image-1, dall-e-2' },
			{ name: '1024x1536', value: '1024x1536', description: 'Portrait: gpt-image-1' },
			{ name: '1536x1024', value: '1536x1024', description: 'Landscape: gpt-image-1' },
			{ name: '256x256', value: '256x256', description: 'Square: dall-e-2' },
			{ name: '512x512', value: '512x512', description: 'Square: dall-e-2' },
			{ name: 'Auto', value: 'auto', description: 'The model picks the size (gpt-image-1)' },
			{ name: 'Custom', value: CUSTOM_SIZE, description: 'Enter a size such as 2048x2048' },
			{ name: 'Default (Model Decides)', value: MODEL_DEFAULT_SIZE, description: 'Sends no size' },
		],
		description: 'Size of the edited images. Models accept different sizes: see each option.',
	},
	customSizeProperty({}),
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
			{
				displayName: 'Input Fidelity',
				name: 'inputFidelity',
				type: 'options',
				default: 'low',
				options: [
					{ name: 'High', value: 'high', description: 'Keep faces, logos and details of the input closely' },
					{ name: 'Low', value: 'low' },
				],
				description: 'How closely gpt-image-1 keeps the features of the input images (sent as "input_fidelity")',
			},
			{
				displayName: 'Mask Field',
				name: 'maskField',
				type: 'string',
				default: '',
				placeholder: 'e.g. mask',
				description:
					'Binary field of the input item holding a mask: a PNG with transparency, the same size as the first image. Its transparent pixels mark where to edit.',
			},
			imageMaxConcurrencyOption,
			{
				...maxDownloadSizeOption,
				description:
					'A file larger than this fails the item instead of filling the memory: input images at Input Image URLs and images the model answers with as links',
			},
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
					{ name: 'Auto', value: 'auto' },
					{ name: 'High', value: 'high' },
					{ name: 'Low', value: 'low' },
					{ name: 'Medium', value: 'medium' },
				],
				description: 'Image quality of gpt-image models',
			},
			imageResponseFormatOption(
				'How dall-e-2 and similar models return images. Left out for gpt-image models, which always answer in base64 and reject the field.',
			),
			timeoutOption,
		],
	},
];
