import { RelayApiError, RelayResponseError, type BodyKind } from './errors';
import { contentType, requestIdHeader, type ResponseHeaders } from './headers';
import { asText, describeStatus, isRecord, truncate } from './text';

const REQUEST_ID_IN_MESSAGE = /\(request id:\s*([^)\s]+)\)/i;

export interface RelayErrorPayload {
	message: string;
	type?: string;
	code?: string;
	param?: string;
}

/**
 * The error a relay put in a JSON body, if it is one: `{error: {message, type, code, param}}`
 * (OpenAI, one-api, new-api), `{error: "text"}`, new-api's `{success: false, message}`, or, as
 * a bare message, Midjourney's `{code, description}` with a code other than a success.
 * `"error": {}` or `"error": null` beside a normal answer is DeerAPI decoration, not an error.
 * `bareMessage` also takes a top-level `message` without `success: false`: for bodies that
 * lack what was asked (a 200 without "choices"), or any error status.
 */
export function findErrorPayload(body: unknown, bareMessage = false): RelayErrorPayload | undefined {
	if (!isRecord(body)) return undefined;
	const { error } = body;
	if (typeof error === 'string' && error.trim()) return { message: error };
	if (isRecord(error) && typeof error.message === 'string' && error.message.trim()) {
		return { message: error.message, type: asText(error.type), code: asText(error.code), param: asText(error.param) };
	}
	const message = typeof body.message === 'string' && body.message.trim() ? body.message : undefined;
	if (message && (bareMessage || body.success === false)) return { message, code: asText(body.code) };
	// Midjourney routes: midjourney-proxy and new-api say it as {code, description}; codes 1, 21 and 22 are successes.
	const description = typeof body.description === 'string' && body.description.trim() ? body.description : undefined;
	const code = asText(body.code);
	if (description && bareMessage && code !== undefined && !['1', '21', '22'].includes(code)) {
		return { message: description, type: asText(body.type), code };
	}
	return undefined;
}

export function findRequestId(message: string, headers: ResponseHeaders): string | undefined {
	return REQUEST_ID_IN_MESSAGE.exec(message)?.[1] ?? requestIdHeader(headers);
}

/** The relay's error payload as our error, keeping the status the answer had (200 for a stream). */
export function payloadError(status: number, payload: RelayErrorPayload, headers: ResponseHeaders): RelayApiError {
	return new RelayApiError({
		status,
		relayMessage: payload.message,
		type: payload.type,
		relayCode: payload.code,
		param: payload.param,
		requestId: findRequestId(payload.message, headers),
	});
}

/** The error for a non-2xx answer, from whatever body came with it: JSON, HTML or nothing. */
export function errorFromResponse(
	status: number,
	headers: ResponseHeaders,
	bodyText: string,
	retryAfterMs?: number,
): RelayApiError {
	const payload = findErrorPayload(parseOrUndefined(bodyText), true);
	if (payload) return Object.assign(payloadError(status, payload, headers), { retryAfterMs });
	const body = describeBody(status, headers, bodyText);
	return new RelayApiError({
		status,
		relayMessage: body.summary,
		bodyKind: body.kind === 'json' ? 'text' : body.kind,
		requestId: requestIdHeader(headers),
		retryAfterMs,
	});
}

/**
 * A 2xx body that is not what was asked (`expected`: "JSON", "mp3 audio", "a transcript"):
 * named by what it is, as every endpoint names it.
 */
export function unexpectedBodyError(
	status: number,
	headers: ResponseHeaders,
	bodyText: string,
	expected = 'JSON',
): RelayResponseError {
	const body = describeBody(status, headers, bodyText);
	return new RelayResponseError(`The relay answered ${status} but the body is not ${expected}: ${body.summary}`, body.kind, status, {
		requestId: requestIdHeader(headers),
	});
}

/** What a body is, from its first characters and its content type, and one line saying so. */
export function describeBody(
	status: number,
	headers: ResponseHeaders,
	bodyText: string,
): { kind: BodyKind; summary: string } {
	const shape = bodyShape(bodyText, contentType(headers));
	if (shape.kind === 'empty') return { kind: 'empty', summary: `The relay answered ${describeStatus(status)} with an empty body` };
	if (shape.kind === 'html') {
		// A proxy in front of the relay (nginx, Cloudflare) answers with a whole HTML page; a user
		// needs one line from it, not 40 KB of markup.
		const page = `The relay (or a proxy in front of it) answered ${describeStatus(status)} with an HTML page`;
		return { kind: 'html', summary: shape.title ? `${page}: "${shape.title}"` : page };
	}
	return { kind: shape.kind, summary: truncate(bodyText.trim(), 300) };
}

/**
 * What a body is, whoever sent it (a relay, an image host): nothing, an HTML page (with its
 * title, else its first heading, else the start of its text), JSON, or other text.
 */
export function bodyShape(bodyText: string, contentType = ''): { kind: BodyKind; title?: string } {
	const text = bodyText.trim();
	if (!text) return { kind: 'empty' };
	if (contentType.includes('html') || /^<(!doctype|html|head|body)/i.test(text)) {
		const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
		const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(text)?.[1];
		return { kind: 'html', title: cleanHtmlText(title || heading || '') || cleanHtmlText(withoutScripts(text)) || undefined };
	}
	return { kind: /^[[{]/.test(text) ? 'json' : 'text' };
}

function withoutScripts(html: string): string {
	return html.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ');
}

function cleanHtmlText(html: string): string {
	const text = html
		.replace(/<[^>]+>/g, ' ')
		.replace(/&nbsp;/g, ' ')
		.replace(/&amp;/g, '&')
		.replace(/\s+/g, ' ')
		.trim();
	return truncate(text, 200);
}

function parseOrUndefined(text: string): unknown {
	try {
		return text ? JSON.parse(text) : undefined;
	} catch {
		return undefined;
	}
}
