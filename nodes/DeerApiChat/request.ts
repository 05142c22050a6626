import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { MediaKind } from '../shared/transport/file-types';
import { classifyModel } from '../shared/transport/model-kinds';
import { invalidParameter } from '../shared/n8n/errors';
import { parseJsonParameter, readMaxDownloadBytes, readModel, textOf } from '../shared/n8n/parameters';
import { chatRequestBody, type ChatMessage, type ResponseFormat, type SamplingSettings } from '../shared/transport';
import { DEFAULT_DOWNLOAD_TIMEOUT_S, DEFAULT_IMAGE_PROPERTY_PREFIX, DEFAULT_VIDEO_PROPERTY_PREFIX } from './description';
import { buildMessages } from './messages';

/** The node's Options collection; only the options the user added are present (text ones read by textOf). */
export interface ChatOptions extends SamplingSettings {
	downloadImages?: boolean;
	extraBody?: unknown;
	imageDownloadTimeout?: number;
	imagePropertyPrefix?: unknown;
	jsonSchema?: unknown;
	jsonSchemaName?: unknown;
	jsonSchemaStrict?: boolean;
	maxConcurrency?: number;
	maxDownloadMb?: number;
	maxRetries?: number;
	n?: number;
	responseFormat?: 'text' | 'json_object' | 'json_schema';
	stop?: unknown;
	stream?: boolean;
	timeout?: number;
	toolChoice?: 'auto' | 'none' | 'required' | 'function';
	toolChoiceFunction?: unknown;
	tools?: unknown;
	user?: unknown;
}

/** Everything one input item asks for, read and validated before anything is sent. */
export interface ChatRequest {
	model: string;
	body: Record<string, unknown>;
	simplify: boolean;
	/** A JSON response format was asked (and the output is simplified): parse the reply. */
	parseJson: boolean;
	/**
	 * What the model makes, when it makes media: the links in an image or video model's answer
	 * are its files (a text model's links are web pages). Undefined for other models.
	 */
	media?: MediaKind;
	/** How to download the files an answer links to; undefined when downloads are off. */
	downloads?: MediaDownloads;
}

export interface MediaDownloads {
	propertyPrefix: string;
	maxBytes: number;
	timeoutMs: number;
	/** What a link may give: a video model's links are videos (or a cover image). */
	kinds: MediaKind[];
}

export async function readChatRequest(context: IExecuteFunctions, itemIndex: number): Promise<ChatRequest> {
	const model = readModel(context, itemIndex);
	const options = context.getNodeParameter('options', itemIndex, {}) as ChatOptions;
	const simplify = context.getNodeParameter('simplify', itemIndex, true) as boolean;
	const messages = await buildMessages(context, itemIndex);
	const body = buildRequestBody(context, itemIndex, model, messages, options);
	const format = (body.response_format as IDataObject | undefined)?.type;
	const kind = classifyModel({ id: model });
	const media = kind === 'image' || kind === 'video' ? kind : undefined;
	return {
		model,
		body,
		simplify,
		// Raw output is the body as sent, whatever is in it.
		parseJson: simplify && (format === 'json_object' || format === 'json_schema'),
		media,
		downloads: options.downloadImages === false ? undefined : readMediaDownloads(context, itemIndex, options, media),
	};
}

function readMediaDownloads(
	context: IExecuteFunctions,
	itemIndex: number,
	options: ChatOptions,
	media: MediaKind | undefined,
): MediaDownloads {
	const seconds = options.imageDownloadTimeout ?? DEFAULT_DOWNLOAD_TIMEOUT_S;
	if (typeof seconds !== 'number' || !(seconds > 0)) {
		throw invalidParameter(context.getNode(), itemIndex, 'Download Timeout', `must be a number of seconds above 0, got ${JSON.stringify(seconds)}`);
	}
	const prefix = textOf(options.imagePropertyPrefix).trim();
	if (/\s/.test(prefix)) {
		throw invalidParameter(context.getNode(), itemIndex, 'Binary Field Prefix', `must not contain spaces, got "${prefix}"`, 'Use a name such as "image_".');
	}
	const video = media === 'video';
	return {
		propertyPrefix: prefix || (video ? DEFAULT_VIDEO_PROPERTY_PREFIX : DEFAULT_IMAGE_PROPERTY_PREFIX),
		maxBytes: readMaxDownloadBytes(context, itemIndex, options),
		timeoutMs: seconds * 1000,
		kinds: video ? ['video', 'image'] : ['image'],
	};
}

/** The chat completions request for one item: only the fields the user set, then Extra Body Fields. */
export function buildRequestBody(
	context: IExecuteFunctions,
	itemIndex: number,
	model: string,
	messages: ChatMessage[],
	options: ChatOptions,
): Record<string, unknown> {
	const stop = readStop(context, itemIndex, options.stop);
	const responseFormat = readResponseFormat(context, itemIndex, options);
	const tools = readTools(context, itemIndex, options.tools);
	const toolChoice = readToolChoice(context, itemIndex, options, tools);
	const extraBody = parseJsonParameter(context, itemIndex, options.extraBody, 'Extra Body Fields', 'object') as IDataObject | undefined;
	return chatRequestBody({
		model,
		messages,
		sampling: options,
		n: options.n,
		stop,
		responseFormat,
		tools,
		toolChoice,
		user: textOf(options.user).trim() || undefined,
		stream: options.stream !== false,
		extraBody,
	});
}

function readStop(context: IExecuteFunctions, itemIndex: number, value: unknown): string[] | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	let stop: unknown = value;
	if (typeof value === 'string') {
		stop = value.trim().startsWith('[')
			? parseJsonParameter(context, itemIndex, value, 'Stop Sequences', 'array')
			: value.split(/\r?\n/).filter((line) => line !== '');
	}
	if (!Array.isArray(stop) || stop.some((sequence) => typeof sequence !== 'string' || sequence === '')) {
		throw invalidParameter(
			context.getNode(),
			itemIndex,
			'Stop Sequences',
			'must be a list of non-empty strings',
			'Enter a JSON array such as ["\\n\\n", "END"], or one sequence per line.',
		);
	}
	return stop.length ? (stop as string[]) : undefined;
}

function readResponseFormat(
	context: IExecuteFunctions,
	itemIndex: number,
	options: ChatOptions,
): ResponseFormat | undefined {
	if (options.responseFormat === 'json_object') return 'json_object';
	if (options.responseFormat !== 'json_schema') return undefined;
	const schema = parseJsonParameter(context, itemIndex, options.jsonSchema, 'JSON Schema', 'object');
	if (schema === undefined) {
		throw invalidParameter(
			context.getNode(),
			itemIndex,
			'JSON Schema',
			'is required when Response Format is JSON Schema',
			'Add "JSON Schema" under Options and describe the reply as a JSON Schema object.',
		);
	}
	return { name: textOf(options.jsonSchemaName).trim() || 'response', schema: schema as IDataObject, strict: options.jsonSchemaStrict };
}

function readTools(context: IExecuteFunctions, itemIndex: number, value: unknown): IDataObject[] | undefined {
	const parsed = parseJsonParameter(context, itemIndex, value, 'Tools', 'object or array');
	if (parsed === undefined) return undefined;
	const list = (Array.isArray(parsed) ? parsed : [parsed]) as unknown[];
	if (list.length === 0) return undefined;
	return list.map((entry, index) => {
		const tool = typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? (entry as IDataObject) : {};
		const fn = (tool.type === 'function' || tool.function ? tool.function : tool) as IDataObject | undefined;
		if (typeof fn?.name !== 'string' || !fn.name.trim()) {
			throw invalidParameter(
				context.getNode(),
				itemIndex,
				'Tools',
				`tool ${index + 1} has no function name`,
				'Each tool is {"type": "function", "function": {"name": "...", "description": "...", "parameters": {...}}} or just {"name", "description", "parameters"}.',
			);
		}
		return tool.type === 'function' ? tool : { type: 'function', function: fn };
	});
}

function readToolChoice(
	context: IExecuteFunctions,
	itemIndex: number,
	options: ChatOptions,
	tools: IDataObject[] | undefined,
): string | IDataObject | undefined {
	if (options.toolChoice === undefined) return undefined;
	if (!tools) {
		throw invalidParameter(
			context.getNode(),
			itemIndex,
			'Tool Choice',
			'needs at least one tool in "Tools"',
		);
	}
	if (options.toolChoice !== 'function') return options.toolChoice;
	const name = textOf(options.toolChoiceFunction).trim();
	const names = tools.map((tool) => String((tool.function as IDataObject).name));
	if (!name || !names.includes(name)) {
		throw invalidParameter(
			context.getNode(),
			itemIndex,
			'Tool Function Name',
			name ? `"${name}" is not one of the Tools` : 'is empty',
			`The Tools define: ${names.join(', ')}.`,
		);
	}
	return { type: 'function', function: { name } };
}
