import { transcriptionReader, type Reader } from './answers';
import { jsonRequestBody, multipartRequestBody, type RequestBody } from './bodies';
import type { Connection } from './connection';
import type { CallOptions, MultipartBody, RelayResponse, TranscriptionAnswer } from './client-types';
import { withRetries } from './retry';
import { send, type Outgoing } from './send';

export interface ApiCall<T> {
	method: 'GET' | 'POST';
	/** Below the API root: "models", "chat/completions", … (below the relay's root with `root: 'relay'`). */
	endpoint: string;
	/** Where `endpoint` starts: the API root (default, ".../v1") or the relay's own root (new-api's "api/usage/token"). */
	root?: 'api' | 'relay';
	accept: string;
	body?: RequestBody;
	/** Turns a 2xx answer into the value, or throws: runs inside the attempt, so its errors are labelled and maybe retried. */
	read: Reader<T>;
	/** false for a call to an endpoint that could have streamed its answer and was asked not to. */
	streamed?: false;
}

export function jsonPost<T>(endpoint: string, body: unknown, read: Reader<T>, accept = 'application/json'): ApiCall<T> {
	return { method: 'POST', endpoint, accept, body: jsonRequestBody(body), read };
}

export function formPost<T>(endpoint: string, form: MultipartBody, read: Reader<T>, accept = 'application/json'): ApiCall<T> {
	return { method: 'POST', endpoint, accept, body: multipartRequestBody(form), read };
}

/** Audio in, text out: JSON (json, verbose_json) or text (text, srt, vtt), as the form's response_format asked. */
export function transcriptionPost(endpoint: string, form: MultipartBody, expect: 'json' | 'text' = 'json'): ApiCall<TranscriptionAnswer> {
	const accept = expect === 'json' ? 'application/json' : 'text/plain, application/json';
	return formPost(endpoint, form, transcriptionReader(expect), accept);
}

/** An API call with the key: sent, retried as the policy says, and its answer read. */
export async function callApi<T>(connection: Connection, call: ApiCall<T>, options: CallOptions): Promise<RelayResponse<T>> {
	const outgoing = apiRequest(connection, call);
	return await withRetries(connection.plan(outgoing.url, options, { endpoint: call.endpoint, streamed: call.streamed }), async (attempt) => {
		const answer = await send(outgoing, attempt);
		const body = await call.read(answer, attempt);
		return { status: answer.status, body, requestId: answer.requestId, attempts: attempt.number, url: outgoing.url };
	});
}

export function apiRequest(connection: Connection, call: Omit<ApiCall<unknown>, 'read'>): Outgoing {
	return {
		method: call.method,
		url: call.root === 'relay' ? connection.relayEndpoint(call.endpoint) : connection.endpoint(call.endpoint),
		headers: connection.apiHeaders(call.accept, call.body?.contentType),
		body: call.body,
		dispatcher: connection.dispatcher,
		endpoint: call.endpoint,
	};
}
