import { firstVisible, parseJsonBody, parseJsonText, receive, type Received } from './bodies';
import type { Attempt } from './retry';
import { bodyShape, findErrorPayload, payloadError, unexpectedBodyError } from './error-body';
import { RelayResponseError } from './errors';
import { contentType, requestIdHeader } from './headers';
import type { BinaryAnswer, TranscriptionAnswer } from './client-types';
import type { Answer } from './send';
import { isRecord, truncate } from './text';
import type {
	BillingSubscription,
	BillingUsage,
	ChatCompletion,
	EmbeddingsResponse,
	ImagesResponse,
	ModelEntry,
	QuotaLookup,
	TokenUsage,
} from './types';

/** What an answer's body is, from the client's side: the readers below turn it into values. */
export type Reader<T> = (answer: Answer, attempt: Attempt) => Promise<T>;

/** A JSON answer, checked by `check` (which throws when the shape is wrong). */
export function jsonReader<T>(check: (body: unknown, received: Received) => T, base64Field?: string): Reader<T> {
	return async (answer, attempt) => {
		const received = await receive(answer, attempt);
		return check(parseJsonBody(received, base64Field), received);
	};
}

/**
 * A JSON answer handed whole to `check`, an `error` field included: for answers where that field
 * belongs to the answer (the video object of a failed task carries `error: {code, message}`).
 * `check` throws when the body is not what was asked (wrongShape finds a relay's error in it).
 */
export function rawJsonReader<T>(check: (body: unknown, received: Received) => T): Reader<T> {
	return async (answer, attempt) => {
		const received = await receive(answer, attempt);
		return check(parseJsonText(received, received.bytes.toString('utf8')), received);
	};
}

/**
 * The error for a 2xx JSON body without what was asked for: a top-level `message` there is the
 * relay's error text (new-api's `{"success": false, "message": …}`); otherwise we quote the body.
 */
export function wrongShape(
	body: unknown,
	received: Pick<Received, 'status' | 'headers'>,
	/** What is wrong, as a sentence: 'The chat answer has no "choices" array'. */
	problem: string,
	kind: 'response' | 'json' = 'response',
): Error {
	const payload = findErrorPayload(body, true);
	if (payload) {
		return payloadError(received.status, payload, received.headers);
	}
	const sent = truncate(JSON.stringify(body) ?? String(body), 300);
	return new RelayResponseError(`${problem}: it sent ${sent}`, kind, received.status, {
		relayMessage: sent,
		requestId: requestIdHeader(received.headers),
	});
}

function arrayField<T>(body: unknown, field: string, received: Received, problem: string): T[] {
	const value = isRecord(body) ? body[field] : undefined;
	if (!Array.isArray(value)) throw wrongShape(body, received, problem);
	return value as T[];
}

export function modelList(body: unknown, received: Received): ModelEntry[] {
	const data = arrayField<unknown>(body, 'data', received, 'The model list has no "data" array (is the base URL an OpenAI-compatible API?)');
	return data.filter((entry): entry is ModelEntry => isRecord(entry) && typeof entry.id === 'string');
}

export function chatCompletion(body: unknown, received: Received): ChatCompletion {
	const choices = arrayField<unknown>(body, 'choices', received, 'The chat answer has no "choices" array');
	if (choices.length === 0) throw noAnswer(received, body);
	return body as ChatCompletion;
}

/** A chat answer with `choices: []`: the relay produced nothing, whatever else it sent. */
export function noAnswer(received: Pick<Received, 'status' | 'headers'>, sent: unknown): RelayResponseError {
	const quoted = truncate(typeof sent === 'string' ? sent : JSON.stringify(sent), 300);
	return new RelayResponseError(`The relay sent no answer (no choices); it sent: ${quoted}`, 'response', received.status, {
		relayMessage: quoted,
		requestId: requestIdHeader(received.headers),
	});
}

export function imagesResponse(body: unknown, received: Received): ImagesResponse {
	arrayField(body, 'data', received, 'The image answer has no "data" array');
	return body as ImagesResponse;
}

export function embeddingsResponse(body: unknown, received: Received): EmbeddingsResponse {
	const data = arrayField<unknown>(body, 'data', received, 'The embeddings answer has no "data" array');
	const bad = data.findIndex(
		(entry) => !isRecord(entry) || !(Array.isArray(entry.embedding) || typeof entry.embedding === 'string'),
	);
	if (bad >= 0) throw wrongShape({ data: [data[bad]] }, received, `Embedding ${bad + 1} of the answer has no "embedding" list`);
	return body as EmbeddingsResponse;
}

/**
 * `body` when each of `fields` is a finite number in it. A body without them is the relay's error
 * when it carries one (`{"error": {...}}` on a 200, as the billing routes send), else quoted.
 */
function withNumbers<T>(body: unknown, holder: unknown, fields: string[], received: Received, what: string): T {
	const missing = fields.find((field) => !isRecord(holder) || typeof holder[field] !== 'number' || !Number.isFinite(holder[field]));
	if (missing !== undefined) throw wrongShape(body, received, `${what} has no number "${missing}"`);
	return body as T;
}

export function billingSubscription(body: unknown, received: Received): BillingSubscription {
	return withNumbers(body, body, ['hard_limit_usd'], received, 'The billing subscription');
}

export function billingUsage(body: unknown, received: Received): BillingUsage {
	return withNumbers(body, body, ['total_usage'], received, 'The billing usage');
}

export function tokenUsage(body: unknown, received: Received): TokenUsage {
	const data = isRecord(body) ? body.data : undefined;
	return withNumbers(body, data, ['total_granted', 'total_used', 'total_available'], received, 'The key usage ("data")');
}

export function quotaLookup(body: unknown, received: Received): QuotaLookup {
	return withNumbers(body, body, ['total_quota', 'total_used_quota'], received, 'The quota lookup');
}

/**
 * Bytes (`expected`: "mp3 audio"); a JSON body instead is the relay's error, even on a 200, and an
 * empty body, an HTML page or text labelled as text are named as every endpoint names them.
 */
export function bytesReader(expected: string): Reader<BinaryAnswer> {
	return async (answer, attempt) => {
		const received = await receive(answer, attempt);
		const type = contentType(received.headers);
		if ((type ?? '').includes('json') || looksLikeSmallJson(received.bytes)) {
			const body = tryParse(received.bytes);
			if (body !== undefined || (type ?? '').includes('json')) {
				throw wrongShape(body ?? received.bytes.toString('utf8'), received, `The answer is JSON instead of ${expected}`, 'json');
			}
		}
		// What tells an HTML page or text is at its start; a file's bytes are never all read as text.
		const head = received.bytes.toString('utf8', 0, Math.min(received.bytes.length, 64 * 1024));
		const shape = bodyShape(head, type);
		if (shape.kind === 'empty' || shape.kind === 'html' || (shape.kind === 'text' && /^text\//i.test(type ?? ''))) {
			throw unexpectedBodyError(received.status, received.headers, head, expected);
		}
		return { bytes: received.bytes, contentType: type };
	};
}

/** Transcription text: JSON (json, verbose_json) or plain text (text, srt, vtt), as `expect` says. */
export function transcriptionReader(expect: 'json' | 'text'): Reader<TranscriptionAnswer> {
	return async (answer, attempt) => {
		const received = await receive(answer, attempt);
		if (expect === 'json') {
			const body = parseJsonBody(received);
			if (!isRecord(body) || typeof body.text !== 'string') throw wrongShape(body, received, 'The transcription has no "text"');
			return { json: body };
		}
		const text = received.bytes.toString('utf8');
		const json = firstVisible(text) === '{' ? tryParse(received.bytes) : undefined;
		if (isRecord(json) && findErrorPayload(json, typeof json.text !== 'string')) throw wrongShape(json, received, 'The transcription is an error');
		// Silence transcribes to nothing: only a page is not a transcript.
		if (bodyShape(text, contentType(received.headers)).kind === 'html') {
			throw unexpectedBodyError(received.status, received.headers, text, 'a transcript');
		}
		return { text };
	};
}

function looksLikeSmallJson(bytes: Buffer): boolean {
	return bytes.length < 64 * 1024 && firstVisible(bytes.toString('latin1', 0, 64)) === '{';
}

function tryParse(bytes: Buffer): unknown {
	try {
		return JSON.parse(bytes.toString('utf8'));
	} catch {
		return undefined;
	}
}
