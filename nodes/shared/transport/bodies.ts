import type { Dispatcher, FormData } from 'undici';

import type { Attempt } from './retry';
import { extractBase64Fields, restoreBase64Fields } from './base64-fields';
import { undici } from './dispatcher';
import { findErrorPayload, unexpectedBodyError, payloadError } from './error-body';
import { RelayDownloadError } from './errors';
import { contentLength, type ResponseHeaders } from './headers';
import type { MultipartBody } from './client-types';

export type ResponseBody = Dispatcher.ResponseData['body'];

/** A request body, made anew for every attempt (a FormData stream can be read only once). */
export interface RequestBody {
	/** Undefined for multipart: undici sets it, with the boundary. */
	contentType?: string;
	make(): string | FormData;
}

export function jsonRequestBody(value: unknown): RequestBody {
	const text = JSON.stringify(value);
	return { contentType: 'application/json', make: () => text };
}

export function multipartRequestBody(form: MultipartBody): RequestBody {
	return {
		make: () => {
			const data = new (undici().FormData)();
			for (const field of form.fields) data.append(field.name, field.value);
			for (const file of form.files) {
				data.append(file.name, new Blob([file.bytes], { type: file.contentType }), file.fileName);
			}
			return data;
		},
	};
}

/** Stops reading a body we will not use. undici reports that as an 'error' event: nobody must hear it as one. */
export function discard(body: ResponseBody): void {
	body.on('error', () => undefined);
	body.destroy();
}

export interface ReadLimits {
	/** Refuse (or, with `truncate`, cut) bodies over this many bytes. */
	maxBytes?: number;
	truncate?: boolean;
	/** The content-length, if known: the chunks are then copied into one buffer as they arrive. */
	expectedBytes?: number;
}

/** The whole body. Over `maxBytes` (only downloads set it) it is a too-large download. */
export async function readBytes(body: ResponseBody, attempt: Attempt, limits: ReadLimits = {}): Promise<Buffer> {
	const { expectedBytes, maxBytes } = limits;
	// Big bodies (images as base64) with a known length: no list of chunks plus a concatenated copy.
	const preallocate =
		expectedBytes !== undefined &&
		expectedBytes >= 64 * 1024 &&
		// A header is not a promise: never reserve more than a sane answer up front.
		expectedBytes <= 256 * 1024 * 1024 &&
		(maxBytes === undefined || expectedBytes <= maxBytes);
	return preallocate ? await readInto(body, attempt, expectedBytes, maxBytes) : await readChunks(body, attempt, limits);
}

async function readInto(body: ResponseBody, attempt: Attempt, expectedBytes: number, maxBytes?: number): Promise<Buffer> {
	const whole = Buffer.allocUnsafe(expectedBytes);
	const overflow: Buffer[] = []; // only if the server sends more than it announced
	let filled = 0;
	for await (const chunk of body) {
		attempt.touch();
		const bytes = chunk as Buffer;
		const fits = Math.max(0, Math.min(bytes.length, whole.length - filled));
		if (fits > 0) bytes.copy(whole, filled, 0, fits);
		if (fits < bytes.length) overflow.push(bytes.subarray(fits));
		filled += bytes.length;
		if (maxBytes !== undefined && filled > maxBytes) {
			discard(body);
			throw RelayDownloadError.tooLarge(maxBytes, filled);
		}
	}
	if (overflow.length === 0) return filled === whole.length ? whole : whole.subarray(0, filled);
	return Buffer.concat([whole, ...overflow]);
}

async function readChunks(body: ResponseBody, attempt: Attempt, limits: ReadLimits): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of body) {
		attempt.touch();
		const bytes = chunk as Buffer;
		size += bytes.length;
		if (limits.maxBytes !== undefined && size > limits.maxBytes) {
			discard(body);
			if (limits.truncate) break;
			throw RelayDownloadError.tooLarge(limits.maxBytes, size);
		}
		chunks.push(bytes);
	}
	return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/** A 2xx answer read in full, before it is parsed. */
export interface Received {
	status: number;
	headers: ResponseHeaders;
	bytes: Buffer;
}

export async function receive(
	answer: { status: number; headers: ResponseHeaders; body: ResponseBody },
	attempt: Attempt,
): Promise<Received> {
	const bytes = await readBytes(answer.body, attempt, { expectedBytes: contentLength(answer.headers) });
	return { status: answer.status, headers: answer.headers, bytes };
}

/**
 * A JSON body as a value; an error payload in it (`{error: {message}}`, `{success: false,
 * message}`) is the relay's error. `base64Field` names a field holding big base64 values, decoded
 * straight from the bytes into `<field>_bytes` Buffers (see base64-fields.ts).
 */
export function parseJsonBody(received: Received, base64Field?: string, expected?: string): unknown {
	const { text, values } = base64Field
		? extractBase64Fields(received.bytes, base64Field)
		: { text: received.bytes.toString('utf8'), values: [] };
	const body = parseJsonText(received, text, expected);
	const payload = findErrorPayload(body);
	if (payload) {
		throw payloadError(received.status, payload, received.headers);
	}
	if (base64Field) restoreBase64Fields(body, values, base64Field);
	return body;
}

export function parseJsonText(received: Received, text: string, expected?: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		throw unexpectedBodyError(received.status, received.headers, text, expected);
	}
}

/** The first character that is not white space, or undefined for a blank body. */
export function firstVisible(text: string): string | undefined {
	return /\S/.exec(text)?.[0];
}
