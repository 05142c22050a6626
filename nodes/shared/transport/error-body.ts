import { describeStatus, RelayApiError } from './errors';

type Headers = Record<string, string | string[] | undefined>;

const REQUEST_ID_IN_MESSAGE = /\(request id:\s*([^)\s]+)\)/i;
const REQUEST_ID_HEADERS = ['x-oneapi-request-id', 'x-new-api-request-id', 'x-request-id'];

/**
 * The error object a relay put in a body, if it is one: `{error: {message, type, code, param}}`
 * (OpenAI, one-api, new-api), `{error: "text"}` or a top-level `{message}`.
 * `"error": {}` or `"error": null` beside a normal answer is DeerAPI decoration, not an error.
 */
export function findErrorObject(
	body: unknown,
): { message: string; type?: string; code?: string; param?: string } | undefined {
	if (!isRecord(body)) return undefined;
	const { error } = body;
	if (typeof error === 'string' && error.trim()) return { message: error };
	if (isRecord(error) && typeof error.message === 'string' && error.message.trim()) {
		return {
			message: error.message,
			type: asText(error.type),
			code: asText(error.code),
			param: asText(error.param),
		};
	}
	return undefined;
}

/** Build the error for a non-2xx answer from whatever body came with it: JSON, HTML or nothing. */
export function errorFromResponse(
	status: number,
	headers: Headers,
	bodyText: string,
	retryAfterMs?: number,
): RelayApiError {
	let parsed: unknown;
	try {
		parsed = bodyText ? JSON.parse(bodyText) : undefined;
	} catch {
		parsed = undefined;
	}
	const found =
		findErrorObject(parsed) ??
		(isRecord(parsed) && typeof parsed.message === 'string' && parsed.message.trim()
			? { message: parsed.message, type: undefined, code: asText(parsed.code), param: undefined }
			: undefined);
	const relayMessage = found?.message ?? describeUnreadableBody(status, headers, bodyText);
	return new RelayApiError({
		status,
		relayMessage,
		type: found?.type,
		relayCode: found?.code,
		param: found?.param,
		requestId: findRequestId(relayMessage, headers),
		retryAfterMs,
	});
}

/** An error payload that arrived inside a 200 event stream or a 200 JSON body. */
export function errorFromPayload(
	status: number,
	error: NonNullable<ReturnType<typeof findErrorObject>>,
	headers: Headers,
): RelayApiError {
	return new RelayApiError({
		status,
		relayMessage: error.message,
		type: error.type,
		relayCode: error.code,
		param: error.param,
		requestId: findRequestId(error.message, headers),
	});
}

export function findRequestId(message: string, headers: Headers): string | undefined {
	const inMessage = REQUEST_ID_IN_MESSAGE.exec(message)?.[1];
	if (inMessage) return inMessage;
	for (const name of REQUEST_ID_HEADERS) {
		const value = headers[name];
		const text = Array.isArray(value) ? value[0] : value;
		if (text) return text;
	}
	return undefined;
}

// A proxy in front of the relay (nginx, Cloudflare) answers with a whole HTML page; a user needs
// one line from it, not 40 KB of markup.
function describeUnreadableBody(status: number, headers: Headers, bodyText: string): string {
	const text = bodyText.trim();
	if (!text) return `The relay answered ${describeStatus(status)} with an empty body`;
	const contentType = String(headers['content-type'] ?? '');
	if (contentType.includes('html') || /^<(!doctype|html|head|body)/i.test(text)) {
		const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
		const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(text)?.[1];
		const summary = cleanHtmlText(title || heading || '');
		return `The relay (or a proxy in front of it) answered ${describeStatus(status)} with an HTML page${summary ? `: "${summary}"` : ''}`;
	}
	return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function cleanHtmlText(html: string): string {
	return html
		.replace(/<[^>]+>/g, ' ')
		.replace(/&nbsp;/g, ' ')
		.replace(/&amp;/g, '&')
		.replace(/\s+/g, ' ')
		.trim()
		.slice(0, 200);
}

function asText(value: unknown): string | undefined {
	if (typeof value === 'string' && value !== '') return value;
	if (typeof value === 'number') return String(value);
	return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
