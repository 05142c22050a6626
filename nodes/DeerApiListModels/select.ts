import { unixTimeToIso } from '../shared/transport/dates';
import { classifyModel, compareModelIds, uniqueModels, type ModelKind } from '../shared/transport/model-kinds';
import type { ModelEntry } from '../shared/transport';
import type { SearchMode, SortOrder } from './description';

/** One model as the node outputs it. */
export interface ModelRow {
	id: string;
	ownedBy: string | null;
	/** ISO date, or null when the relay sends none (or 0, as new-api does for hand-added models). */
	created: string | null;
	type: ModelKind;
	/** The entry exactly as the relay sent it. */
	raw: ModelEntry;
}

export interface ModelQuery {
	matches?: (id: string) => boolean;
	types?: ReadonlySet<ModelKind>;
	sort: SortOrder;
	limit?: number;
}

export function describeModel(entry: ModelEntry): ModelRow {
	const owner = entry.owned_by;
	return {
		id: entry.id,
		ownedBy: typeof owner === 'string' && owner !== '' ? owner : null,
		created: unixTimeToIso(entry.created),
		type: classifyModel(entry),
		// A copy: the list is shared by every input item, and later nodes may change what they get.
		raw: structuredClone(entry),
	};
}

/**
 * The Search filter as a test on the id. Throws the engine's SyntaxError for an invalid regular
 * expression; the caller names the field.
 */
export function compileSearch(text: string, mode: SearchMode): ((id: string) => boolean) | undefined {
	const search = text.trim();
	if (!search) return undefined;
	if (mode === 'regex') {
		const literal = /^\/(.+)\/([a-z]*)$/s.exec(search);
		// "g" and "y" would make test() remember where it stopped between ids.
		const pattern = literal
			? new RegExp(literal[1], literal[2].replace(/[gy]/g, ''))
			: new RegExp(search, 'i');
		return (id) => pattern.test(id);
	}
	const needle = search.toLowerCase();
	return (id) => id.toLowerCase().includes(needle);
}

// Missing values sort last whatever the direction.
function compareMissingLast<T>(a: T | null, b: T | null, compare: (a: T, b: T) => number): number {
	if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
	return compare(a, b);
}

const ORDERS: Record<SortOrder, (a: ModelRow, b: ModelRow) => number> = {
	id: (a, b) => compareModelIds(a.id, b.id),
	// ISO strings of the same form compare like the dates they name.
	created: (a, b) =>
		compareMissingLast(a.created, b.created, (x, y) => (x < y ? 1 : x > y ? -1 : 0)) ||
		compareModelIds(a.id, b.id),
	owner: (a, b) =>
		compareMissingLast(a.ownedBy, b.ownedBy, compareModelIds) || compareModelIds(a.id, b.id),
};

/** Filter, sort and limit the relay's list, one row per distinct id. */
export function selectModels(models: ModelEntry[], query: ModelQuery): ModelRow[] {
	const { matches, types } = query;
	const rows = uniqueModels(models)
		.filter((entry) => !matches || matches(entry.id))
		.map(describeModel)
		.filter((row) => !types?.size || types.has(row.type))
		.sort(ORDERS[query.sort]);
	return query.limit === undefined ? rows : rows.slice(0, query.limit);
}
