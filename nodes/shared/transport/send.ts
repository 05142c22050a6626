import type { Dispatcher } from 'undici';

import { discard, readBytes, type RequestBody, type ResponseBody } from './bodies';
import { undici } from './dispatcher';
import { errorFromResponse } from './error-body';
import { RelayRedirectError } from './errors';
import { firstValue, requestIdHeader, type ResponseHeaders } from './headers';
import { parseRetryAfter, type Attempt } from './retry';

/** Error bodies are read up to this size: what a user can read is in the first few lines. */
const ERROR_BODY_LIMIT = 64 * 1024;

export interface Outgoing {
	method: 'GET' | 'POST';
	url: string;
	headers: Record<string, string>;
	body?: RequestBody;
	dispatcher: Dispatcher;
	/** The endpoint below the API root ("chat/completions"), to tell a redirect's Base URL. */
	endpoint?: string;
}

export interface Answer {
	status: number;
	headers: ResponseHeaders;
	body: ResponseBody;
	requestId?: string;
}

/**
 * One attempt: sends the request and hands back a 2xx answer with its body unread. A redirect
 * becomes a RelayRedirectError, any other status a RelayApiError with what the body said.
 */
export async function send(outgoing: Outgoing, attempt: Attempt): Promise<Answer> {
	const response = await undici().request(outgoing.url, {
		method: outgoing.method,
		dispatcher: outgoing.dispatcher,
		headers: outgoing.headers,
		body: outgoing.body?.make(),
		signal: attempt.signal,
	});
	const status = response.statusCode;
	const headers = response.headers as ResponseHeaders;
	if (status >= 200 && status < 300) {
		return { status, headers, body: response.body, requestId: requestIdHeader(headers) };
	}
	if (status >= 300 && status < 400) {
		discard(response.body);
		throw redirectError(status, headers, outgoing);
	}
	const text = (await readBytes(response.body, attempt, { maxBytes: ERROR_BODY_LIMIT, truncate: true })).toString('utf8');
	throw errorFromResponse(status, headers, text, parseRetryAfter(headers));
}

function redirectError(status: number, headers: ResponseHeaders, outgoing: Outgoing): RelayRedirectError {
	const location = firstValue(headers.location);
	let target: URL | undefined;
	try {
		target = location ? new URL(location, outgoing.url) : undefined;
	} catch {
		target = undefined;
	}
	const requestId = requestIdHeader(headers);
	if (!target) return Object.assign(new RelayRedirectError(status, location, undefined), { requestId });
	target.search = '';
	const suffix = outgoing.endpoint ? `/${outgoing.endpoint.replace(/^\//, '')}` : undefined;
	const path = target.pathname.replace(/\/+$/, '');
	const base = suffix && path.endsWith(suffix) ? `${target.origin}${path.slice(0, -suffix.length)}` : target.origin;
	return Object.assign(new RelayRedirectError(status, target.href, base), { requestId });
}
