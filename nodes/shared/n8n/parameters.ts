import type { IDataObject, IExecuteFunctions, INodeProperties, ISupplyDataFunctions } from 'n8n-workflow';

import type { MultipartBody } from '../transport';
import type { ClientTuning } from './client';
import { invalidParameter } from './errors';
import { DEFAULT_CONCURRENCY } from './items';

/**
 * The Model parameter of every node: a searchable list loaded live from /v1/models (every id the
 * key can use) or a free-text id, expressions allowed.
 */
export function modelLocator(options: {
	searchMethod: 'searchModels' | 'searchImageModels' | 'searchEmbeddingModels' | 'searchAudioModels' | 'searchVideoModels';
	defaultId: string;
	placeholder: string;
}): INodeProperties {
	return {
		displayName: 'Model',
		name: 'model',
		type: 'resourceLocator',
		default: { mode: 'list', value: options.defaultId },
		required: true,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a model...',
				typeOptions: { searchListMethod: options.searchMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: options.placeholder,
			},
		],
		description: 'The model to use. The list shows every model your key can use on the relay.',
	};
}

/** Where parameters are read: a node's run, or a sub-node supplying its model to a root node. */
export type ParameterContext = IExecuteFunctions | ISupplyDataFunctions;

export function readModel(context: ParameterContext, itemIndex: number): string {
	const model = context.getNodeParameter('model', itemIndex, '', { extractValue: true });
	const id = typeof model === 'string' ? model.trim() : '';
	if (!id) {
		throw invalidParameter(context.getNode(), itemIndex, 'Model', 'no model is selected', 'Pick a model from the list or enter its ID.');
	}
	return id;
}

/**
 * A JSON parameter (type "json", or an expression that yields an object or array) as a value,
 * with an error naming the field when it is not valid JSON or not of the expected shape.
 */
export function parseJsonParameter(
	context: ParameterContext,
	itemIndex: number,
	value: unknown,
	field: string,
	expected: 'object' | 'array' | 'object or array',
): unknown {
	let parsed = value;
	if (typeof value === 'string') {
		if (!value.trim()) return undefined;
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			throw invalidParameter(
				context.getNode(),
				itemIndex,
				field,
				`not valid JSON (${(error as Error).message})`,
			);
		}
	}
	if (parsed === undefined || parsed === null) return undefined;
	const isArray = Array.isArray(parsed);
	const isObject = typeof parsed === 'object' && !isArray;
	const fits =
		(expected === 'object' && isObject) ||
		(expected === 'array' && isArray) ||
		(expected === 'object or array' && (isObject || isArray));
	if (!fits) {
		throw invalidParameter(
			context.getNode(),
			itemIndex,
			field,
			`must be a JSON ${expected}, got ${isArray ? 'an array' : typeof parsed}`,
		);
	}
	return parsed;
}

/** Provider-specific fields ("thinking", "enable_search", "watermark") merged over the body. */
export function mergeExtraBody(
	context: IExecuteFunctions,
	itemIndex: number,
	body: IDataObject,
	extraBody: unknown,
): IDataObject {
	const extra = parseJsonParameter(context, itemIndex, extraBody, 'Extra Body Fields', 'object');
	return extra ? { ...body, ...(extra as IDataObject) } : body;
}

/** Options shared by the nodes that call the relay: they all sit in each node's "Options". */
export const extraBodyOption: INodeProperties = {
	displayName: 'Extra Body Fields',
	name: 'extraBody',
	type: 'json',
	default: '{}',
	description:
		'JSON object merged into the request body, for provider-specific parameters the relay passes through (e.g. {"thinking": {"type": "enabled"}} or {"watermark": false}). It overrides fields set above.',
};

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	default: 600,
	typeOptions: { minValue: 1 },
	description:
		'How long one attempt may take before it is abandoned (and retried). For streams: until the answer starts, and then the longest silence between two pieces.',
};

export const maxRetriesOption: INodeProperties = {
	displayName: 'Max Retries',
	name: 'maxRetries',
	type: 'number',
	default: 2,
	typeOptions: { minValue: 0, maxValue: 10 },
	description:
		'Retries after a 408, 409, 429 or 5xx answer, a broken connection or a timeout, waiting as the relay asks (Retry-After) or backing off exponentially',
};

export const maxConcurrencyOption: INodeProperties = {
	displayName: 'Max Concurrent Requests',
	name: 'maxConcurrency',
	type: 'number',
	default: DEFAULT_CONCURRENCY,
	typeOptions: { minValue: 1, maxValue: 100 },
	description:
		'How many input items are sent to the relay at once. Output order always follows input order. 1 sends them one at a time.',
};

// Sized for a video of a chat video model (veo3-chat); images are far below it.
const DEFAULT_MAX_DOWNLOAD_MB = 200;

export const maxDownloadSizeOption: INodeProperties = {
	displayName: 'Max Download Size (MB)',
	name: 'maxDownloadMb',
	type: 'number',
	default: DEFAULT_MAX_DOWNLOAD_MB,
	typeOptions: { minValue: 0.001, numberPrecision: 3 },
	description: 'A downloaded image or video larger than this fails the item instead of filling the memory',
};

/** The image download limit in bytes, from a node's Options collection. */
export function readMaxDownloadBytes(
	context: IExecuteFunctions,
	itemIndex: number,
	options: { maxDownloadMb?: unknown },
): number {
	const megabytes = typeof options.maxDownloadMb === 'number' ? options.maxDownloadMb : DEFAULT_MAX_DOWNLOAD_MB;
	if (!(megabytes > 0)) {
		throw invalidParameter(context.getNode(), itemIndex, 'Max Download Size (MB)', `must be above 0, got ${megabytes}`);
	}
	return Math.floor(megabytes * 1024 * 1024);
}

/** The client tuning from a node's Options collection. */
export function readTuning(options: IDataObject): ClientTuning {
	const tuning: ClientTuning = {};
	if (typeof options.timeout === 'number' && options.timeout > 0) tuning.timeoutMs = options.timeout * 1000;
	if (typeof options.maxRetries === 'number' && options.maxRetries >= 0) tuning.maxRetries = options.maxRetries;
	return tuning;
}

export function readConcurrency(options: IDataObject): number {
	const value = options.maxConcurrency;
	return typeof value === 'number' && value >= 1 ? Math.floor(value) : DEFAULT_CONCURRENCY;
}

/** A list parameter typed as text (one per line / separated) or given as an array by an expression. */
export function splitList(value: unknown, separator: RegExp): string[] {
	const parts = Array.isArray(value)
		? value.flatMap((entry) => (typeof entry === 'string' ? entry.split(separator) : []))
		: typeof value === 'string'
			? value.split(separator)
			: [];
	return parts.map((part) => part.trim()).filter(Boolean);
}

/** A multipart form's text fields: strings as they are, numbers and booleans as text, objects as JSON. */
export function multipartFields(values: IDataObject): MultipartBody['fields'] {
	const fields: MultipartBody['fields'] = [];
	for (const [name, value] of Object.entries(values)) {
		// null in Extra Body Fields removes a field.
		if (value === undefined || value === null) continue;
		fields.push({ name, value: typeof value === 'object' ? JSON.stringify(value) : String(value) });
	}
	return fields;
}
