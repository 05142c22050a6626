/**
 * What `npm run demo` prints about a workflow run: a compact table per DeerAPI node, a table of
 * the workflow's last node, and the image files written. Pure formatting, no I/O.
 */
import type { IBinaryKeyData, IDataObject, INodeExecutionData } from 'n8n-workflow';

export const CHAT_TYPE = 'n8n-nodes-deerapi-relay.deerApiChat';
export const IMAGE_TYPE = 'n8n-nodes-deerapi-relay.deerApiImageGenerate';
export const IMAGE_EDIT_TYPE = 'n8n-nodes-deerapi-relay.deerApiImageEdit';
export const LIST_MODELS_TYPE = 'n8n-nodes-deerapi-relay.deerApiListModels';
export const EMBEDDINGS_TYPE = 'n8n-nodes-deerapi-relay.deerApiEmbeddings';
export const AUDIO_TYPE = 'n8n-nodes-deerapi-relay.deerApiAudio';
export const ACCOUNT_TYPE = 'n8n-nodes-deerapi-relay.deerApiAccount';
export const VIDEO_TYPE = 'n8n-nodes-deerapi-relay.deerApiVideo';
export const MIDJOURNEY_TYPE = 'n8n-nodes-deerapi-relay.deerApiMidjourney';
export const MUSIC_TYPE = 'n8n-nodes-deerapi-relay.deerApiMusic';
export const OUR_TYPES = new Set([CHAT_TYPE, IMAGE_TYPE, IMAGE_EDIT_TYPE, LIST_MODELS_TYPE, EMBEDDINGS_TYPE, AUDIO_TYPE, ACCOUNT_TYPE, VIDEO_TYPE, MIDJOURNEY_TYPE, MUSIC_TYPE]);

const INDENT = '    ';

/** Text on one line, cut to `max` characters with an ellipsis. */
export function clip(value: unknown, max: number): string {
	const text = (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value))
		.replace(/\s+/g, ' ')
		.trim();
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatMs(ms: number): string {
	return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function plural(count: number, word: string): string {
	return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Columns padded to their widest cell, a rule under the header. */
export function table(header: string[], rows: string[][]): string[] {
	const widths = header.map((title, column) =>
		Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
	);
	const line = (cells: string[]) =>
		INDENT + cells.map((cell, column) => (cell ?? '').padEnd(widths[column])).join('  ').trimEnd();
	return [line(header), line(widths.map((width) => '─'.repeat(width))), ...rows.map(line)];
}

/** The input item an output item belongs to (n8n's pairedItem), for the "item" column. */
function inputIndex(item: INodeExecutionData, fallback: number): string {
	const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
	if (typeof paired === 'number') return String(paired);
	return String(paired?.item ?? fallback);
}

function usageTokens(usage: unknown): string {
	const total = (usage as IDataObject | undefined)?.total_tokens;
	return typeof total === 'number' ? String(total) : '-';
}

function chatReply(json: IDataObject, binary: IBinaryKeyData | undefined): string {
	if (json.error) return `error: ${clip(json.error, 60)}`;
	if (json.json !== undefined && typeof json.json === 'object' && json.json !== null) {
		return `JSON ${clip(json.json, 58)}`;
	}
	const images = Array.isArray(json.images) ? json.images.length : 0;
	if (images > 0) {
		const fields = Object.keys(binary ?? {});
		return `${plural(images, 'image link')}${fields.length ? `, downloaded to ${fields.join(', ')}` : ''}`;
	}
	return clip(json.content, 60);
}

function chatTable(items: INodeExecutionData[]): string[] {
	const lines = table(
		['item', 'model', 'finish', 'tokens', 'reply'],
		items.map((item, index) => [
			inputIndex(item, index),
			clip(item.json.model, 24),
			clip(item.json.finishReason ?? '-', 14),
			usageTokens(item.json.usage),
			chatReply(item.json, item.binary),
		]),
	);
	const only = items.length === 1 ? items[0].json : undefined;
	if (only && typeof only.content === 'string' && only.json === undefined && !Array.isArray(only.images) && !only.error) {
		lines.push(`${INDENT}reply: ${clip(only.content, 400)}`);
	}
	return lines;
}

function imageTable(items: INodeExecutionData[]): string[] {
	return table(
		['item', 'model', 'file', 'mime', 'size', 'bytes'],
		items.map((item, index) => {
			const json = item.json;
			const file = Object.values(item.binary ?? {})[0];
			const size = typeof json.width === 'number' && typeof json.height === 'number' ? `${json.width}x${json.height}` : '-';
			return [
				inputIndex(item, index),
				clip(json.model, 24),
				file?.fileName ?? (json.url ? clip(json.url, 40) : json.error ? `error: ${clip(json.error, 50)}` : '-'),
				file?.mimeType ?? '-',
				size,
				typeof json.fileSize === 'number' ? formatBytes(json.fileSize) : '-',
			];
		}),
	);
}

function videoTable(items: INodeExecutionData[]): string[] {
	return table(
		['item', 'task', 'status', 'file', 'mime', 'bytes'],
		items.map((item, index) => {
			const { json } = item;
			const file = Object.values(item.binary ?? {})[0];
			const status = json.error ? `error: ${clip(json.error, 50)}` : `${String(json.status)}${json.timedOut ? ' (timed out)' : ''}`;
			return [
				inputIndex(item, index),
				clip(json.taskId ?? '-', 22),
				status,
				file?.fileName ?? '-',
				file?.mimeType ?? '-',
				typeof json.fileSize === 'number' ? formatBytes(json.fileSize) : '-',
			];
		}),
	);
}

/** A Midjourney task per row: what it is, how it ended, its image, and what can come next. */
function midjourneyTable(items: INodeExecutionData[]): string[] {
	return table(
		['item', 'task', 'action', 'status', 'image', 'next'],
		items.map((item, index) => {
			const json = item.json;
			const file = Object.values(item.binary ?? {})[0];
			const size = typeof json.imageWidth === 'number' ? `${json.imageWidth}x${String(json.imageHeight)}` : '-';
			const buttons = Array.isArray(json.buttons) ? (json.buttons as Array<{ label: string }>).map((button) => button.label) : [];
			const next = json.error
				? `error: ${clip(json.error, 50)}`
				: json.index !== undefined
					? `prompt ${String(json.index)}: ${clip(json.prompt, 48)}`
					: json.waitsFor
						? `waits for a ${String(json.waitsFor)} (Modal)`
						: clip(buttons.join(' '), 52) || '-';
			return [
				inputIndex(item, index),
				clip(json.taskId ?? '-', 18),
				clip(json.action ?? '-', 10),
				clip(json.relayStatus ?? json.status ?? '-', 12),
				file ? `${size} ${file.mimeType}` : size,
				next,
			];
		}),
	);
}

/** "chat 33 · image 18 · …", most frequent first. */
function countsBy(items: INodeExecutionData[], field: string, limit: number): string {
	const counts = new Map<string, number>();
	for (const { json } of items) {
		const key = json[field] === null || json[field] === undefined ? '(none)' : String(json[field]);
		counts.set(key, (counts.get(key) ?? 0) + 1);
	}
	const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
	const shown = sorted.slice(0, limit).map(([key, count]) => `${key} ${count}`);
	if (sorted.length > limit) shown.push(`${sorted.length - limit} more`);
	return shown.join(' · ');
}

function listModelsSummary(items: INodeExecutionData[]): string[] {
	if (items.length === 1 && Array.isArray(items[0].json.models)) {
		const models = (items[0].json.models as IDataObject[]).map((json) => ({ json }));
		return listModelsSummary(models);
	}
	return [
		`${INDENT}${plural(items.length, 'model')} listed`,
		`${INDENT}by type:  ${countsBy(items, 'type', 8)}`,
		`${INDENT}by owner: ${countsBy(items, 'ownedBy', 8)}`,
	];
}

const usd = (value: unknown) => (typeof value === 'number' ? `US$${value.toFixed(2)}` : '-');

/** "US$3.50 left of US$25.00 (US$21.50 used)", and the routes that answered. */
function balanceSummary(items: INodeExecutionData[]): string[] {
	return items.flatMap(({ json }) => {
		if (json.error) return [`${INDENT}error: ${clip(json.error, 100)}`];
		const figures = json.unlimited
			? `unlimited (${usd(json.used)} used)`
			: `${usd(json.remaining)} left of ${usd(json.granted)} (${usd(json.used)} used)`;
		const routes = (Array.isArray(json.answeredBy) ? json.answeredBy : []).map((url) => new URL(String(url)).pathname);
		return [
			`${INDENT}balance:     ${figures}${json.accessUntil ? `, until ${String(json.accessUntil)}` : ''}`,
			`${INDENT}answered by: ${routes.join(', ') || '-'}`,
		];
	});
}

/** The report of one of our nodes; undefined for other node types. */
export function describeOurNode(type: string, items: INodeExecutionData[]): string[] | undefined {
	if (items.length === 0 && OUR_TYPES.has(type)) return [`${INDENT}(no items)`];
	switch (type) {
		case CHAT_TYPE:
			return chatTable(items);
		case IMAGE_TYPE:
		case IMAGE_EDIT_TYPE:
			return imageTable(items);
		case LIST_MODELS_TYPE:
			return listModelsSummary(items);
		case EMBEDDINGS_TYPE:
			// A vector is a thousand numbers: its length says enough.
			return itemsReport(items.map((item) => ({ ...item, json: { ...item.json, embedding: `[${(item.json.embedding as unknown[] | undefined)?.length ?? 0} numbers]` } })));
		case AUDIO_TYPE:
			return itemsReport(items);
		case ACCOUNT_TYPE:
			return balanceSummary(items);
		case VIDEO_TYPE:
			return videoTable(items);
		case MIDJOURNEY_TYPE:
			return midjourneyTable(items);
		case MUSIC_TYPE:
			// A clip per item: what it is, not every link the relay gave.
			return itemsReport(items.map((item) => ({ ...item, json: pickFields(item.json, ['clip', 'title', 'tags', 'duration', 'status', 'text']) })));
		default:
			return undefined;
	}
}

function pickFields(json: IDataObject, fields: string[]): IDataObject {
	return Object.fromEntries(fields.filter((field) => json[field] !== undefined && json[field] !== null).map((field) => [field, json[field]]));
}

function binarySummary(item: INodeExecutionData): string {
	return Object.entries(item.binary ?? {})
		.map(([property, data]) => `${property}: ${data.fileName ?? data.mimeType}`)
		.join(', ');
}

const TABLE_CELL_MAX = 30;
const RECORD_VALUE_MAX = 100;

/**
 * Any node's items: a table when every value is short (Summarize counts), else one block of
 * "field  value" lines per item, so that long text (descriptions) stays readable.
 */
export function itemsReport(items: INodeExecutionData[], maxItems = 10): string[] {
	if (items.length === 0) return [`${INDENT}(no items)`];
	const shownItems = items.slice(0, maxItems);
	const fields: string[] = [];
	for (const { json } of shownItems) {
		for (const key of Object.keys(json)) if (!fields.includes(key)) fields.push(key);
	}
	const hasBinary = shownItems.some((item) => Object.keys(item.binary ?? {}).length > 0);
	const cell = (item: INodeExecutionData, field: string) => clip(item.json[field], RECORD_VALUE_MAX);
	const short = shownItems.every((item) => fields.every((field) => cell(item, field).length <= TABLE_CELL_MAX));

	let lines: string[];
	if (short && fields.length <= 6) {
		lines = table(
			['item', ...fields, ...(hasBinary ? ['binary'] : [])],
			shownItems.map((item, index) => [
				String(index),
				...fields.map((field) => cell(item, field)),
				...(hasBinary ? [binarySummary(item)] : []),
			]),
		);
	} else {
		const labels = [...fields, ...(hasBinary ? ['binary'] : [])];
		const width = Math.max(...labels.map((label) => label.length));
		lines = [];
		for (const [index, item] of shownItems.entries()) {
			const rows = fields.map((field) => [field, cell(item, field)]);
			if (hasBinary) rows.push(['binary', binarySummary(item)]);
			rows.forEach(([label, value], row) =>
				lines.push(`${INDENT}${row === 0 ? `[${index}]`.padEnd(5) : '     '}${label.padEnd(width)}  ${value}`),
			);
		}
	}
	if (items.length > shownItems.length) lines.push(`${INDENT}(+ ${plural(items.length - shownItems.length, 'more item')})`);
	return lines;
}
