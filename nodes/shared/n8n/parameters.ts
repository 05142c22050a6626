import type { IDataObject, IExecuteFunctions, INodeProperties, ISupplyDataFunctions } from 'n8n-workflow';

import type { MultipartBody } from '../transport';
import { invalidParameter } from './errors';

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
 * The one rule for every text parameter, whatever its expression yields (n8n's own conversion to
 * a string, `ensureType: 'string'`): text as it is; a number or boolean as its text ("42",
 * "true"); an object or array as JSON text (a date as its ISO text, not "[object Object]"); null
 * and undefined as no text. Whether no text, or only spaces, is an error is the parameter's own: a
 * required one fails naming it (readRequiredText), an optional one is then not sent.
 */
export function textOf(value: unknown): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value;
	if (typeof value !== 'object') return String(value);
	let json: string | undefined;
	try {
		json = JSON.stringify(value);
	} catch {
		return String(value);
	}
	if (json === undefined) return '';
	// A date (Date, Luxon's DateTime from $now) turns into a JSON string: its text, unquoted.
	return json.startsWith('"') ? (JSON.parse(json) as string) : json;
}

/** A text parameter of the item, by the rule of textOf: '' when it holds no text. */
export function readText(context: ParameterContext, itemIndex: number, name: string, fallback = ''): string {
	return textOf(context.getNodeParameter(name, itemIndex, fallback));
}

/** A text parameter the request cannot go without: fails naming `field` when it holds no text. */
export function readRequiredText(context: ParameterContext, itemIndex: number, name: string, field: string, hint: string): string {
	const text = readText(context, itemIndex, name);
	if (!text.trim()) throw invalidParameter(context.getNode(), itemIndex, field, 'is empty', hint);
	return text;
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

/**
 * The canvas subtitle of a node whose operations are its main choice: the chosen operation by the
 * name the Operation field shows ("Action (Press a Button)"), not its stored value ("action").
 */
export function operationSubtitle(properties: INodeProperties[]): string {
	const operation = properties.find((property) => property.name === 'operation');
	const names = Object.fromEntries(
		((operation?.options ?? []) as Array<{ name: string; value: unknown }>).map((option) => [String(option.value), option.name]),
	);
	return `={{ ${JSON.stringify(names)}[$parameter["operation"]] || $parameter["operation"] }}`;
}
