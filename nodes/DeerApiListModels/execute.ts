import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { MODEL_KINDS, type ModelKind } from '../shared/transport/model-kinds';
import { invalidParameter } from '../shared/n8n/errors';
import { textOf } from '../shared/n8n/parameters';
import { runNode, type ItemOperation } from '../shared/n8n/runner';
import type { ModelEntry, RelayClient } from '../shared/transport';
import type { OutputMode, SearchMode, SortOrder } from './description';
import { compileSearch, selectModels, type ModelQuery } from './select';

const SEARCH_MODES: readonly SearchMode[] = ['contains', 'regex'];
const SORT_ORDERS: readonly SortOrder[] = ['id', 'created', 'owner'];
const OUTPUT_MODES: readonly OutputMode[] = ['perModel', 'singleItem'];

interface ListRequest {
	query: ModelQuery;
	output: OutputMode;
}

// The list depends only on the credential, so one request serves every item that shares it: the
// runner gives those items one client. Kept for that client's run only (a run's clients are its
// own): unlike the pickers, a List Models run must see the live list.
const lists = new WeakMap<RelayClient, Promise<ModelEntry[]>>();

const listModels: ItemOperation<ListRequest, ModelEntry[]> = {
	// The key may come from the item (an expression in the credential).
	credentialPerItem: true,
	// One at a time: after the one fetch, what is left per item is local work.
	concurrency: 1,
	read: ({ context, itemIndex }) => {
		const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const query = readQuery(context, itemIndex, options);
		const output = oneOf(context, itemIndex, 'Output', options.output ?? 'perModel', OUTPUT_MODES);
		return { query, output };
	},
	call: async (_request, { client, signal }) => {
		let list = lists.get(client);
		if (!list) {
			list = client.listModels({ signal }).then((response) => response.body);
			lists.set(client, list);
		}
		return await list;
	},
	toItems: (list, { query, output }) => {
		const models = selectModels(list, query) as unknown as IDataObject[];
		if (output === 'singleItem') return [{ json: { count: models.length, models } }];
		return models.map((json) => ({ json }));
	},
};

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runNode(this, listModels);
}

function readQuery(context: IExecuteFunctions, itemIndex: number, options: IDataObject): ModelQuery {
	const node = context.getNode();
	const filters = context.getNodeParameter('filters', itemIndex, {}) as IDataObject;

	const search = textOf(filters.search);
	const mode = oneOf(context, itemIndex, 'Search Mode', filters.searchMode ?? 'contains', SEARCH_MODES);
	let matches: ModelQuery['matches'];
	try {
		matches = compileSearch(search, mode);
	} catch (error) {
		throw invalidParameter(
			node,
			itemIndex,
			'Search',
			`not a valid regular expression (${(error as Error).message})`,
			'Fix the pattern, or set "Search Mode" to Contains to match the text as written.',
		);
	}

	const query: ModelQuery = {
		matches,
		types: readTypes(context, itemIndex, filters.types),
		sort: oneOf(context, itemIndex, 'Sort By', options.sort ?? 'id', SORT_ORDERS),
	};
	if (!context.getNodeParameter('returnAll', itemIndex, false)) {
		const limit = context.getNodeParameter('limit', itemIndex);
		if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
			throw invalidParameter(node, itemIndex, 'Limit', `must be a whole number of 1 or more, got ${JSON.stringify(limit)}`);
		}
		query.limit = limit;
	}
	return query;
}

// The multi-select gives an array; an expression may give "image, chat" as well.
function readTypes(context: IExecuteFunctions, itemIndex: number, value: unknown): Set<ModelKind> {
	const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
	const types = new Set<ModelKind>();
	for (const entry of list) {
		const type = String(entry).trim().toLowerCase();
		if (!type) continue;
		types.add(oneOf(context, itemIndex, 'Types', type, MODEL_KINDS));
	}
	return types;
}

function oneOf<T extends string>(
	context: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
	allowed: readonly T[],
): T {
	if (allowed.includes(value as T)) return value as T;
	throw invalidParameter(
		context.getNode(),
		itemIndex,
		field,
		`${JSON.stringify(value)} is not one of ${allowed.join(', ')}`,
	);
}
