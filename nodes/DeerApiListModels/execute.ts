import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { MODEL_KINDS, type ModelKind } from '../shared/model-kinds';
import { clientFromCredential, CREDENTIAL_TYPE } from '../shared/n8n/client';
import { invalidParameter } from '../shared/n8n/errors';
import { runPerItem } from '../shared/n8n/runner';
import { modelListKey } from '../shared/n8n/model-search';
import { readTuning } from '../shared/n8n/client';
import type { ModelEntry } from '../shared/transport';
import type { OutputMode, SearchMode, SortOrder } from './description';
import { compileSearch, selectModels, type ModelQuery } from './select';

const SEARCH_MODES: readonly SearchMode[] = ['contains', 'regex'];
const SORT_ORDERS: readonly SortOrder[] = ['id', 'created', 'owner'];
const OUTPUT_MODES: readonly OutputMode[] = ['perModel', 'singleItem'];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	// The list depends only on the credential, so one request serves every item that shares it.
	// Kept for this run only: unlike the pickers, a List Models run must see the live list.
	const lists = new Map<string, Promise<ModelEntry[]>>();
	// Timeout and Max Retries shape the client: read from item 0, as in every node.
	const tuning = readTuning(this.getNodeParameter('options', 0, {}) as IDataObject);

	return await runPerItem(
		this,
		{
			read: async (itemIndex) => {
				const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
				const query = readQuery(this, itemIndex, options);
				const output = oneOf(this, itemIndex, 'Output', options.output ?? 'perModel', OUTPUT_MODES);
				const credential = await this.getCredentials(CREDENTIAL_TYPE, itemIndex);
				return { query, output, credential };
			},
			send: async ({ query, output, credential }, _itemIndex, signal) => {
				const client = clientFromCredential(credential, tuning);
				const key = modelListKey(client, credential);
				let list = lists.get(key);
				if (!list) {
					list = client.listModels({ signal }).then((response) => response.body);
					lists.set(key, list);
				}

				const models = selectModels(await list, query) as unknown as IDataObject[];
				if (output === 'singleItem') return [{ json: { count: models.length, models } }];
				return models.map((json) => ({ json }));
			},
		},
		// One at a time: after the one fetch, what is left per item is local work.
		1,
	);
}

function readQuery(context: IExecuteFunctions, itemIndex: number, options: IDataObject): ModelQuery {
	const node = context.getNode();
	const filters = context.getNodeParameter('filters', itemIndex, {}) as IDataObject;

	const search = filters.search === undefined || filters.search === null ? '' : String(filters.search);
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
