import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';

import { extractBase64Fields, restoreBase64Fields } from './base64-fields';
import { ChatStreamAssembler } from './chat-assembler';
import { errorFromPayload, errorFromResponse, findErrorObject, isRecord } from './error-body';
import {
	RelayAbortError,
	RelayApiError,
	RelayConfigError,
	RelayConnectionError,
	RelayError,
	RelayResponseError,
	RelayTimeoutError,
	ResponseTooLargeError,
	type TimeoutKind,
} from './errors';
import {
	DEFAULT_RETRY_POLICY,
	isRetryableError,
	parseRetryAfter,
	retryDelayMs,
	type RetryPolicy,
} from './retry';
import { SseDataDecoder } from './sse';
import type { ChatCompletion, ChatDelta, ImagesResponse, ModelEntry } from './types';
import { endpointUrl, normalizeBaseUrl } from './url';

export type AuthFormat = 'bearer' | 'bare';

export interface RelayClientOptions {
	apiKey: string;
	/** Any of the forms users paste; see normalizeBaseUrl. Default https://api.deerapi.com */
	baseUrl?: string;
	authFormat?: AuthFormat;
	/** Retries after the first attempt (default 2). */
	maxRetries?: number;
	/** Per attempt, from sending to the last byte; for a stream, until its headers (default 10 min). */
	timeoutMs?: number;
	/** Longest silence allowed between two pieces of a stream, keep-alive comments included. */
	streamIdleTimeoutMs?: number;
	retryInitialDelayMs?: number;
	retryMaxDelayMs?: number;
	/** Tests and benches may bring their own; default is the process-wide pooled agent. */
	dispatcher?: Dispatcher;
}

export interface CallOptions {
	signal?: AbortSignal;
	timeoutMs?: number;
	maxRetries?: number;
	/** Told before each wait between attempts (for logs that say why a run is slow). */
	onRetry?: (info: { retry: number; delayMs: number; error: RelayError }) => void;
}

export interface ChatCallOptions extends CallOptions {
	streamIdleTimeoutMs?: number;
	/** Streamed text as it arrives. Once the first event has arrived the call is never retried. */
	onDelta?: (delta: ChatDelta) => void;
}

export interface DownloadOptions extends CallOptions {
	/** Refuse bodies larger than this many bytes. */
	maxBytes?: number;
}

export interface RelayResponse<T> {
	status: number;
	body: T;
	requestId?: string;
	/** 1 when the first attempt succeeded. */
	attempts: number;
}

export interface Download {
	bytes: Buffer;
	contentType?: string;
	/** The URL after redirects. */
	url: string;
}

type ResponseHeaders = Record<string, string | string[] | undefined>;

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 5 * 60_000;
const USER_AGENT = 'n8n-nodes-deerapi-relay';

/**
 * undici is loaded on the first request, not with the module: it is 110 modules and ~80 ms, and
 * n8n loads every installed node at start-up (see bench/RESULTS.md, "load time").
 */
let undiciModule: typeof Undici | undefined;
function undici(): typeof Undici {
	undiciModule ??= require('undici') as typeof Undici;
	return undiciModule;
}

let pooledDispatcher: Dispatcher | undefined;
let pooledDownloadDispatcher: Dispatcher | undefined;

/**
 * One keep-alive pool per process, shared by every node and item. It honours HTTP_PROXY,
 * HTTPS_PROXY and NO_PROXY, as n8n's own HTTP requests do. undici's own header and body
 * timeouts are off: ours are per attempt and know about streams.
 */
export function sharedDispatcher(): Dispatcher {
	pooledDispatcher ??= new (undici().EnvHttpProxyAgent)({
		keepAliveTimeout: 30_000,
		headersTimeout: 0,
		bodyTimeout: 0,
	});
	return pooledDispatcher;
}

// Image hosts answer with redirects to signed CDN URLs; API endpoints must not be redirected.
function downloadDispatcher(base: Dispatcher): Dispatcher {
	if (base !== pooledDispatcher) return base.compose(undici().interceptors.redirect({ maxRedirections: 5 }));
	pooledDownloadDispatcher ??= base.compose(undici().interceptors.redirect({ maxRedirections: 5 }));
	return pooledDownloadDispatcher;
}

/**
 * The one HTTP client of the package: JSON calls, streamed chat, and downloads, with retries,
 * timeouts and cancellation. It knows URLs, keys and the OpenAI wire format; nothing of n8n.
 */
export class RelayClient {
	readonly apiRoot: string;

	private readonly apiKey: string;

	private readonly authorization: string;

	private readonly policy: RetryPolicy;

	private readonly timeoutMs: number;

	private readonly streamIdleTimeoutMs: number;

	private readonly dispatcher: Dispatcher;

	constructor(options: RelayClientOptions) {
		const apiKey = (options.apiKey ?? '').trim();
		if (!apiKey) throw new RelayConfigError('The API key is empty');
		this.apiRoot = normalizeBaseUrl(options.baseUrl);
		this.apiKey = apiKey;
		this.authorization = options.authFormat === 'bare' ? apiKey : `Bearer ${apiKey}`;
		this.policy = {
			maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
			initialDelayMs: options.retryInitialDelayMs ?? DEFAULT_RETRY_POLICY.initialDelayMs,
			maxDelayMs: options.retryMaxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
		};
		this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		this.streamIdleTimeoutMs =
			options.streamIdleTimeoutMs ?? Math.min(this.timeoutMs, DEFAULT_STREAM_IDLE_TIMEOUT_MS);
		this.dispatcher = options.dispatcher ?? sharedDispatcher();
	}

	async listModels(options: CallOptions = {}): Promise<RelayResponse<ModelEntry[]>> {
		const response = await this.json<unknown>('GET', 'models', undefined, options);
		const data = isRecord(response.body) ? response.body.data : undefined;
		if (!Array.isArray(data)) {
			throw new RelayResponseError(
				'The model list has no "data" array: is the base URL an OpenAI-compatible API?',
				response.status,
			);
		}
		const models = data.filter(
			(entry): entry is ModelEntry => isRecord(entry) && typeof entry.id === 'string',
		);
		return { ...response, body: models };
	}

	async chat(
		body: Record<string, unknown>,
		options: ChatCallOptions = {},
	): Promise<RelayResponse<ChatCompletion>> {
		if (body.stream === true) return await this.streamChat(body, options);
		const response = await this.json<ChatCompletion>('POST', 'chat/completions', body, options);
		if (!Array.isArray(response.body?.choices)) {
			throw new RelayResponseError('The chat answer has no "choices" array', response.status);
		}
		return response;
	}

	async generateImages(
		body: Record<string, unknown>,
		options: CallOptions = {},
	): Promise<RelayResponse<ImagesResponse>> {
		// b64_json images are decoded from the body bytes (b64_json_bytes), see base64-fields.ts.
		const response = await this.json<ImagesResponse>('POST', 'images/generations', body, options, 'b64_json');
		if (!Array.isArray(response.body?.data)) {
			throw new RelayResponseError('The image answer has no "data" array', response.status);
		}
		return response;
	}

	/** Any JSON endpoint below the API root ("models", "chat/completions", …). */
	async json<T>(
		method: 'GET' | 'POST',
		endpoint: string,
		body: unknown,
		options: CallOptions = {},
		/** A field holding big base64 values, decoded from the bytes into `<field>_bytes` Buffers. */
		base64Field?: string,
	): Promise<RelayResponse<T>> {
		const url = endpointUrl(this.apiRoot, endpoint);
		const payload = body === undefined ? undefined : JSON.stringify(body);
		return await this.withRetries(url, options, async (attempt) => {
			const response = await undici().request(url, {
				method,
				dispatcher: this.dispatcher,
				headers: this.headers('application/json', payload !== undefined),
				body: payload,
				signal: attempt.signal,
			});
			const headers = response.headers as ResponseHeaders;
			const bytes = await readBody(response.body, attempt, undefined, false, contentLength(headers));
			if (response.statusCode < 200 || response.statusCode >= 300) {
				throw this.errorFromResponse(response.statusCode, headers, bytes.toString('utf8'));
			}
			if (!base64Field) return this.parseJsonBody<T>(response.statusCode, headers, bytes.toString('utf8'), attempt);
			const { text, values } = extractBase64Fields(bytes, base64Field);
			const parsed = this.parseJsonBody<T>(response.statusCode, headers, text, attempt);
			restoreBase64Fields(parsed.body, values, base64Field);
			return parsed;
		});
	}

	/**
	 * Bytes from any http(s) URL (images the relay links to). No Authorization header: those
	 * hosts are CDNs, not the relay, and must never see the key. Redirects are followed.
	 */
	async download(url: string, options: DownloadOptions = {}): Promise<Download> {
		let parsed: URL;
		try {
			parsed = new URL(url);
		} catch {
			throw new RelayConfigError(`Cannot download "${url}": it is not a valid URL`);
		}
		if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
			throw new RelayConfigError(
				`Cannot download "${url}": only http:// and https:// URLs are allowed`,
			);
		}
		const dispatcher = downloadDispatcher(this.dispatcher);
		return await this.withRetries(parsed.href, options, async (attempt) => {
			const response = await undici().request(parsed.href, {
				method: 'GET',
				dispatcher,
				headers: { 'user-agent': USER_AGENT, accept: 'image/*,*/*;q=0.8' },
				signal: attempt.signal,
			});
			const headers = response.headers as ResponseHeaders;
			if (response.statusCode < 200 || response.statusCode >= 300) {
				const text = (await readBody(response.body, attempt, 64 * 1024, true)).toString('utf8');
				throw this.errorFromResponse(response.statusCode, headers, text);
			}
			const length = Number(headers['content-length']);
			if (options.maxBytes !== undefined && length > options.maxBytes) {
				response.body.destroy();
				throw new ResponseTooLargeError(options.maxBytes, length);
			}
			const bytes = await readBody(response.body, attempt, options.maxBytes, false, contentLength(headers));
			const contentType = headers['content-type'];
			return {
				bytes,
				contentType: Array.isArray(contentType) ? contentType[0] : contentType,
				url: parsed.href,
			};
		});
	}

	private async streamChat(
		body: Record<string, unknown>,
		options: ChatCallOptions,
	): Promise<RelayResponse<ChatCompletion>> {
		const url = endpointUrl(this.apiRoot, 'chat/completions');
		const payload = JSON.stringify(body);
		const idleMs = options.streamIdleTimeoutMs ?? this.streamIdleTimeoutMs;
		let started = false;
		return await this.withRetries(
			url,
			options,
			async (attempt) => {
				const response = await undici().request(url, {
					method: 'POST',
					dispatcher: this.dispatcher,
					headers: this.headers('text/event-stream', true),
					body: payload,
					signal: attempt.signal,
				});
				const headers = response.headers as ResponseHeaders;
				const status = response.statusCode;
				if (status < 200 || status >= 300) {
					const text = (await readBody(response.body, attempt)).toString('utf8');
					throw this.errorFromResponse(status, headers, text);
				}
				// Some relays ignore `stream: true` for some models and answer in one JSON body.
				if (!String(headers['content-type'] ?? '').includes('text/event-stream')) {
					const text = (await readBody(response.body, attempt)).toString('utf8');
					return this.parseJsonBody<ChatCompletion>(status, headers, text, attempt);
				}

				attempt.switchToIdleTimeout(idleMs);
				const assembler = new ChatStreamAssembler();
				let sawDone = false;
				const decoder = new SseDataDecoder((data) => {
					if (data === '[DONE]') {
						sawDone = true;
						return;
					}
					started = true;
					const chunk = this.parseStreamData(data, status, headers);
					for (const delta of assembler.push(chunk)) options.onDelta?.(delta);
				});
				for await (const bytes of response.body) {
					attempt.touch();
					decoder.feed(bytes as Uint8Array);
				}
				decoder.end();
				if (!sawDone && !assembler.isFinished) {
					throw new RelayResponseError(
						assembler.hasContent
							? 'The stream ended before the answer was complete (no finish_reason and no [DONE])'
							: 'The stream ended without sending an answer',
						status,
					);
				}
				return {
					status,
					body: assembler.result(),
					requestId: requestIdOf(headers),
					attempts: attempt.number,
				};
			},
			() => !started,
		);
	}

	private parseStreamData(
		data: string,
		status: number,
		headers: ResponseHeaders,
	): Record<string, unknown> {
		let chunk: unknown;
		try {
			chunk = JSON.parse(data);
		} catch {
			throw new RelayResponseError(
				`The stream sent an event that is not JSON: "${this.redact(data).slice(0, 200)}"`,
				status,
			);
		}
		const error = findErrorObject(chunk);
		if (error) {
			throw errorFromPayload(status, { ...error, message: this.redact(error.message) }, headers);
		}
		return isRecord(chunk) ? chunk : {};
	}

	private parseJsonBody<T>(
		status: number,
		headers: ResponseHeaders,
		text: string,
		attempt: Attempt,
	): RelayResponse<T> {
		let body: unknown;
		try {
			body = JSON.parse(text);
		} catch {
			const summary = errorFromResponse(status, headers, this.redact(text)).relayMessage;
			throw new RelayResponseError(
				`The relay answered ${status} but the body is not JSON: ${summary}`,
				status,
			);
		}
		const error = findErrorObject(body);
		if (error) {
			throw errorFromPayload(status, { ...error, message: this.redact(error.message) }, headers);
		}
		return { status, body: body as T, requestId: requestIdOf(headers), attempts: attempt.number };
	}

	private errorFromResponse(status: number, headers: ResponseHeaders, text: string): RelayApiError {
		return errorFromResponse(status, headers, this.redact(text), parseRetryAfter(headers));
	}

	private headers(accept: string, hasBody: boolean): Record<string, string> {
		const headers: Record<string, string> = {
			authorization: this.authorization,
			accept,
			'user-agent': USER_AGENT,
		};
		if (hasBody) headers['content-type'] = 'application/json';
		return headers;
	}

	/** Some relays echo the key they rejected; it must not reach a message. */
	private redact(text: string): string {
		return text.includes(this.apiKey) ? text.split(this.apiKey).join('sk-***') : text;
	}

	private async withRetries<R>(
		url: string,
		options: CallOptions,
		run: (attempt: Attempt) => Promise<R>,
		mayRetry: () => boolean = () => true,
	): Promise<R> {
		const maxRetries = options.maxRetries ?? this.policy.maxRetries;
		for (let retry = 0; ; retry++) {
			const attempt = new Attempt(retry + 1, options.signal, options.timeoutMs ?? this.timeoutMs);
			try {
				return await run(attempt);
			} catch (caught) {
				const error = attempt.classify(caught, this.hostOf(url));
				error.url = url;
				error.attempts = retry + 1;
				if (retry >= maxRetries || !isRetryableError(error) || !mayRetry()) throw error;
				const delayMs = retryDelayMs(
					retry,
					this.policy,
					error instanceof RelayApiError ? error.retryAfterMs : undefined,
				);
				options.onRetry?.({ retry: retry + 1, delayMs, error });
				await sleep(delayMs, options.signal);
			} finally {
				attempt.dispose();
			}
		}
	}

	private hostOf(url: string): string {
		try {
			return new URL(url).host;
		} catch {
			return url;
		}
	}
}

/**
 * One try of a request: its own AbortController, fired by the caller's signal, the request
 * timeout, or (once a stream has started) the idle timeout, and remembering which it was.
 */
class Attempt {
	private readonly controller = new AbortController();

	private timer: NodeJS.Timeout;

	private firedBy?: 'caller' | TimeoutKind;

	private idleMs?: number;

	constructor(
		/** 1 for the first try. */
		readonly number: number,
		private readonly callerSignal: AbortSignal | undefined,
		private readonly timeoutMs: number,
	) {
		this.timer = setTimeout(() => this.abort('request'), timeoutMs);
		if (callerSignal?.aborted) this.abort('caller');
		callerSignal?.addEventListener('abort', this.onCallerAbort);
	}

	get signal(): AbortSignal {
		return this.controller.signal;
	}

	switchToIdleTimeout(ms: number): void {
		clearTimeout(this.timer);
		this.idleMs = ms;
		this.timer = setTimeout(() => this.abort('idle'), ms);
	}

	touch(): void {
		if (this.idleMs !== undefined) this.timer.refresh();
	}

	/** Whatever was thrown during the attempt, as one of our error classes. */
	classify(caught: unknown, host: string): RelayError {
		if (this.firedBy === 'caller') return new RelayAbortError();
		if (this.firedBy === 'request') return new RelayTimeoutError('request', this.timeoutMs);
		if (this.firedBy === 'idle') return new RelayTimeoutError('idle', this.idleMs ?? 0);
		if (caught instanceof RelayError) return caught;
		return new RelayConnectionError(`Could not reach ${host}: ${describeNetworkError(caught)}`, {
			cause: caught,
		});
	}

	dispose(): void {
		clearTimeout(this.timer);
		this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
	}

	private readonly onCallerAbort = () => this.abort('caller');

	private abort(reason: 'caller' | TimeoutKind): void {
		if (this.firedBy) return;
		this.firedBy = reason;
		this.controller.abort();
	}
}

async function readBody(
	body: Dispatcher.ResponseData['body'],
	attempt: Attempt,
	maxBytes?: number,
	truncate = false,
	/** The content-length, if known: the chunks are then copied into one buffer as they arrive. */
	expectedBytes?: number,
): Promise<Buffer> {
	// Big bodies (images as base64) with a known length: no list of chunks plus a concatenated copy.
	if (
		expectedBytes !== undefined &&
		expectedBytes >= 64 * 1024 &&
		// A header is not a promise: never reserve more than a sane answer up front.
		expectedBytes <= 256 * 1024 * 1024 &&
		(maxBytes === undefined || expectedBytes <= maxBytes)
	) {
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
				body.destroy();
				throw new ResponseTooLargeError(maxBytes, filled);
			}
		}
		if (overflow.length === 0) return filled === whole.length ? whole : whole.subarray(0, filled);
		return Buffer.concat([whole, ...overflow]);
	}
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of body) {
		attempt.touch();
		const bytes = chunk as Buffer;
		size += bytes.length;
		if (maxBytes !== undefined && size > maxBytes) {
			body.destroy();
			if (truncate) break;
			throw new ResponseTooLargeError(maxBytes, size);
		}
		chunks.push(bytes);
	}
	return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

function contentLength(headers: ResponseHeaders): number | undefined {
	const value = Number(headers['content-length']);
	return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function requestIdOf(headers: ResponseHeaders): string | undefined {
	const value =
		headers['x-oneapi-request-id'] ?? headers['x-new-api-request-id'] ?? headers['x-request-id'];
	return Array.isArray(value) ? value[0] : value;
}

function describeNetworkError(error: unknown): string {
	// Duck-typed: errors raised inside Node's own modules may come from another realm (vm, jest).
	const { message, code, cause } = (error ?? {}) as { message?: string; code?: string; cause?: { code?: string } };
	const causeCode = typeof cause === 'object' && cause !== null ? cause.code : undefined;
	const known: Record<string, string> = {
		ECONNREFUSED: 'connection refused',
		ECONNRESET: 'connection reset',
		ENOTFOUND: 'host not found',
		EAI_AGAIN: 'DNS lookup failed',
		ETIMEDOUT: 'connection timed out',
		EPIPE: 'connection closed while sending',
		UND_ERR_SOCKET: 'the connection closed before the answer was complete',
		UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
	};
	const found = [causeCode, code].find((candidate) => candidate && known[candidate]);
	if (found) return `${known[found]} (${found})`;
	return typeof message === 'string' && message ? message : String(error);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(new RelayAbortError());
			return;
		}
		const onAbort = () => {
			clearTimeout(timer);
			reject(new RelayAbortError());
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}
