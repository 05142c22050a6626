/**
 * A streamed chat answer as a relay sends it (the sandbox's chunk shape: id, object, created,
 * model, choices[{index, delta, logprobs, finish_reason}]), built once as bytes: a role delta,
 * content deltas of `deltaChars` characters, keep-alive comments at the start and midway, a
 * finish_reason chunk, a usage chunk with empty choices, and `data: [DONE]`.
 */
export interface SseBodySpec {
	/** Size of the whole event-stream body in bytes (the stream stops adding deltas once reached). */
	bodyBytes?: number;
	/** Or: the length of the answer text (as many deltas as it takes). */
	textChars?: number;
	/** Characters per content delta. */
	deltaChars: number;
	model?: string;
}

export interface SseBody {
	body: Buffer;
	/** The answer text the deltas add up to. */
	text: string;
	textChars: number;
	events: number;
}

const WORDS = ['relay', 'stream', 'token', 'answer', 'delta', 'product', 'sheet', 'lead', 'concise', 'caption', 'the', 'of', 'and', 'a', 'to', 'in', 'for', 'with', 'every', 'row'];

/** Deterministic ASCII prose. */
export function proseChars(chars: number): string {
	const parts: string[] = [];
	let length = 0;
	let seed = 12345;
	while (length < chars) {
		seed = (seed * 1103515245 + 12345) >>> 0;
		const word = WORDS[seed % WORDS.length];
		parts.push(word, (seed >>> 8) % 11 === 0 ? '.\n' : ' ');
		length += word.length + ((seed >>> 8) % 11 === 0 ? 2 : 1);
	}
	return parts.join('').slice(0, chars);
}

export function buildSseBody(spec: SseBodySpec): SseBody {
	const id = 'chatcmpl-BENCHabcdefghijklmnopqrstu0123';
	const created = 1732240000;
	const model = spec.model ?? 'gpt-4o-mini';
	const prefix = `data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":"${model}","choices":[`;
	const chunk = (choices: string, extra = '') => `${prefix}${choices}]${extra}}\n\n`;
	const contentEvent = (text: string) =>
		chunk(`{"index":0,"delta":{"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}`);

	const head = ': PING\n\n' + chunk('{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}');
	const tailFor = (textChars: number) =>
		chunk('{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}') +
		chunk('', `,"usage":{"prompt_tokens":12,"completion_tokens":${Math.ceil(textChars / 4)},"total_tokens":${12 + Math.ceil(textChars / 4)}}`) +
		'data: [DONE]\n\n';
	const perEvent = Buffer.byteLength(contentEvent('x'.repeat(spec.deltaChars)));
	const budget = (spec.bodyBytes ?? 0) - Buffer.byteLength(head) - Buffer.byteLength(tailFor(1e9)) - 8;
	const deltas = Math.max(
		1,
		spec.textChars !== undefined ? Math.ceil(spec.textChars / spec.deltaChars) : Math.floor(budget / perEvent),
	);
	const text = proseChars(spec.textChars ?? deltas * spec.deltaChars);

	const pieces: string[] = [head];
	const middle = deltas >> 1;
	for (let i = 0; i < deltas; i++) {
		if (i === middle) pieces.push(': PING\n\n');
		pieces.push(contentEvent(text.slice(i * spec.deltaChars, (i + 1) * spec.deltaChars)));
	}
	pieces.push(tailFor(text.length));
	// Joined in slices: one giant join of millions of pieces is slower than a few smaller ones.
	const buffers: Buffer[] = [];
	for (let i = 0; i < pieces.length; i += 65536) buffers.push(Buffer.from(pieces.slice(i, i + 65536).join('')));
	const body = Buffer.concat(buffers);
	return { body, text, textChars: text.length, events: deltas + 4 };
}
