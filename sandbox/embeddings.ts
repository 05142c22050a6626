/**
 * POST /v1/embeddings. Vectors are deterministic and mean a little: each word adds its own
 * hashed direction and the whole text a small one of its own, so texts that share words are
 * closer than texts that do not, and no two different texts give the same vector. `dimensions`
 * shortens the model's full vector and normalises it again, as OpenAI's text-embedding-3 do.
 * The answer lists the vectors in a shuffled `index` order, so a client that matches them by
 * position instead of by index gets caught.
 */
import { createHash } from 'node:crypto';

import { unavailableModel } from './chat';
import { relayError } from './relay-errors';
import { json, type RouteResult } from './responses';
import type { RouteContext } from './state';
import type { EmbeddingIndexFault } from './types';

/** Full vector length per model; ids not listed get 1024. */
const MODEL_DIMENSIONS: Record<string, number> = {
	'text-embedding-3-small': 1536,
	'text-embedding-3-large': 3072,
	'text-embedding-ada-002': 1536,
};
const DEFAULT_DIMENSIONS = 1024;
const MAX_INPUTS = 2048;
/** OpenAI's per-input limit is 8192 tokens; the sandbox counts 4 characters a token. */
const MAX_INPUT_TOKENS = 8192;
const WHOLE_TEXT_WEIGHT = 0.35;

function isObject(value: unknown): value is Record<string, any> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string, param: string, ctx: RouteContext, code = 'invalid_value'): RouteResult {
	return json(400, relayError(`${message} (request id: ${ctx.requestId})`, 'invalid_request_error', code, param));
}

export function tokenCount(text: string): number {
	return Math.max(1, Math.ceil(text.length / 4));
}

/**
 * Pseudo-random numbers in [-1, 1) from a seed: the same seed, the same numbers (a prefix of a
 * longer run is the shorter run). One hash seeds a small generator (xorshift128), so a batch of
 * 1,000 texts at 1536 dimensions costs milliseconds, not the relay's latency.
 */
function hashedDirection(seed: string, length: number): Float64Array {
	const digest = createHash('sha256').update(seed).digest();
	let a = digest.readUInt32LE(0) | 1;
	let b = digest.readUInt32LE(4);
	let c = digest.readUInt32LE(8);
	let d = digest.readUInt32LE(12);
	const out = new Float64Array(length);
	for (let i = 0; i < length; i++) {
		const t = a ^ (a << 11);
		a = b;
		b = c;
		c = d;
		d = (d ^ (d >>> 19) ^ t ^ (t >>> 8)) >>> 0;
		out[i] = d / 0x80000000 - 1;
	}
	return out;
}

/** Unit length, each number rounded to 10 decimals, as OpenAI prints its float32 values (not 17 digits). */
function normalised(vector: Float64Array): number[] {
	let sum = 0;
	for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
	const norm = Math.sqrt(sum) || 1;
	const out = new Array<number>(vector.length);
	for (let i = 0; i < vector.length; i++) out[i] = Math.round((vector[i] / norm) * 1e10) / 1e10;
	return out;
}

// Words repeat across a batch ("product", "the"): their directions are kept, up to a bound.
const WORD_CACHE_SIZE = 5000;
const wordCache = new Map<string, Float64Array>();

function wordDirection(word: string, length: number): Float64Array {
	const key = `${length}:${word}`;
	let direction = wordCache.get(key);
	if (!direction) {
		if (wordCache.size >= WORD_CACHE_SIZE) wordCache.clear();
		direction = hashedDirection(`word:${word}`, length);
		wordCache.set(key, direction);
	}
	return direction;
}

/** The sandbox's embedding of a text: `full` numbers, then cut to `dimensions` and normalised again. */
export function embedText(model: string, text: string, dimensions?: number): number[] {
	const full = MODEL_DIMENSIONS[model] ?? DEFAULT_DIMENSIONS;
	const length = dimensions ?? full;
	// Only the first `length` numbers survive the cut, so only they are computed.
	const vector = new Float64Array(length);
	const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
	for (const word of words) {
		const direction = wordDirection(word, length);
		for (let i = 0; i < length; i++) vector[i] += direction[i];
	}
	const own = hashedDirection(`text:${text}`, length);
	const weight = WHOLE_TEXT_WEIGHT * Math.max(1, Math.sqrt(words.length));
	for (let i = 0; i < length; i++) vector[i] += weight * own[i];
	return normalised(vector);
}

/** Little-endian float32 bytes in base64, OpenAI's `encoding_format: "base64"`. */
export function float32Base64(vector: number[]): string {
	const bytes = Buffer.alloc(vector.length * 4);
	vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
	return bytes.toString('base64');
}

/** A fixed shuffle of 0..n-1 that is never the identity for n >= 2. */
export function shuffledOrder(n: number, seed: string): number[] {
	const order = Array.from({ length: n }, (_, i) => i);
	const noise = hashedDirection(`order:${seed}`, n);
	for (let i = n - 1; i > 0; i--) {
		const j = Math.floor(((noise[i] + 1) / 2) * (i + 1));
		[order[i], order[j]] = [order[j], order[i]];
	}
	if (order.every((value, i) => value === i)) order.reverse();
	return order;
}

function readInputs(input: unknown): string[] | string {
	if (typeof input === 'string') return [input];
	if (!Array.isArray(input)) return "'input' must be a string or an array of strings";
	if (input.length === 0) return "'input' must not be an empty array";
	// An array of token ids (or of such arrays) is a valid OpenAI input too.
	if (input.every((entry) => typeof entry === 'number')) return [input.join(' ')];
	const texts: string[] = [];
	for (const entry of input) {
		if (typeof entry === 'string') texts.push(entry);
		else if (Array.isArray(entry) && entry.every((token) => typeof token === 'number')) texts.push(entry.join(' '));
		else return `'input[${texts.length}]' must be a string, got ${entry === null ? 'null' : typeof entry}`;
	}
	return texts;
}

export function handleEmbeddings(body: unknown, ctx: RouteContext): RouteResult {
	if (!isObject(body)) return invalid('request body must be a JSON object', '', ctx, 'invalid_request');
	const model = body.model;
	if (typeof model !== 'string' || model === '') return invalid('field model is required', 'model', ctx, 'invalid_request');
	if (model.startsWith('unavailable-')) return unavailableModel(model, ctx.requestId);

	const texts = readInputs(body.input);
	if (typeof texts === 'string') return invalid(texts, 'input', ctx);
	if (texts.length > MAX_INPUTS) {
		return invalid(`'input' must have at most ${MAX_INPUTS} entries, got ${texts.length}`, 'input', ctx);
	}
	const empty = texts.findIndex((text) => text === '');
	if (empty >= 0) return invalid(`'$.input[${empty}]' is invalid: empty strings cannot be embedded`, 'input', ctx);
	const tooLong = texts.findIndex((text) => tokenCount(text) > MAX_INPUT_TOKENS);
	if (tooLong >= 0) {
		return invalid(
			`This model's maximum context length is ${MAX_INPUT_TOKENS} tokens, however input ${tooLong} has ${tokenCount(texts[tooLong])} tokens`,
			'input',
			ctx,
			'context_length_exceeded',
		);
	}

	let dimensions: number | undefined;
	if (body.dimensions !== undefined && body.dimensions !== null) {
		const full = MODEL_DIMENSIONS[model] ?? DEFAULT_DIMENSIONS;
		if (model === 'text-embedding-ada-002') return invalid('This model does not support specifying dimensions.', 'dimensions', ctx);
		if (!Number.isInteger(body.dimensions) || body.dimensions < 1 || body.dimensions > full) {
			return invalid(`'dimensions' must be a whole number from 1 to ${full}, got ${JSON.stringify(body.dimensions)}`, 'dimensions', ctx);
		}
		dimensions = body.dimensions;
	}
	const encoding = body.encoding_format ?? 'float';
	if (encoding !== 'float' && encoding !== 'base64') {
		return invalid(`Invalid value: '${String(encoding)}'. Supported values are: 'float' and 'base64'.`, 'encoding_format', ctx);
	}

	const order = shuffledOrder(texts.length, texts.join('\u0000'));
	const data = order.map((index) => {
		const vector = embedText(model, texts[index], dimensions);
		return { object: 'embedding', index, embedding: encoding === 'base64' ? float32Base64(vector) : vector };
	});
	const tokens = texts.reduce((sum, text) => sum + tokenCount(text), 0);
	return json(200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

type Entry = { object: string; index?: unknown; embedding: unknown };

/**
 * A 200 embeddings answer renumbered as `fault` says (see `EmbeddingIndexFault`): the entries in
 * input order, each vector still its own text's, only the `index` values changed.
 */
export function misnumberEmbeddings(result: RouteResult, fault: EmbeddingIndexFault): RouteResult {
	if (result.kind !== 'json' || result.status !== 200 || !isObject(result.body) || !Array.isArray(result.body.data)) return result;
	const entries = [...(result.body.data as Entry[])].sort((a, b) => Number(a.index) - Number(b.index));
	const n = entries.length;
	const renumbered = entries.map((entry, i): Entry => {
		switch (fault) {
			case 'duplicate':
				return i === n - 1 && n > 1 ? { ...entry, index: 0 } : entry;
			case 'per-sub-batch':
				return { ...entry, index: i % 2 };
			case 'missing':
				return i === Math.min(1, n - 1) ? withoutIndex(entry) : entry;
			case 'none':
				return withoutIndex(entry);
			case 'string':
				return { ...entry, index: String(i) };
			case 'fraction':
				return i === Math.min(1, n - 1) ? { ...entry, index: i + 0.5 } : entry;
			case 'negative':
				return i === 0 ? { ...entry, index: -1 } : entry;
			case 'one-based':
				return { ...entry, index: i + 1 };
			default:
				return entry;
		}
	});
	if (fault === 'extra') renumbered.push({ ...entries[0], index: n });
	if (fault === 'drop-last') renumbered.pop();
	return { ...result, body: { ...result.body, data: renumbered } };
}

function withoutIndex(entry: Entry): Entry {
	const { index: _index, ...rest } = entry;
	return rest;
}
