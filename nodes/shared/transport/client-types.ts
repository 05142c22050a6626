/** What the client's calls take (options) and give back (responses, chunk streams, files). */
import type { Readable } from 'node:stream';

import type { Dispatcher } from 'undici';

import type { AuthFormat } from './auth';
import type { RelayError } from './errors';
import type { ChatCompletionChunk, ChatDelta } from './types';

export interface RelayClientOptions {
	apiKey: string;
	/** Any of the forms users paste; see normalizeBaseUrl. Default https://api.deerapi.com */
	baseUrl?: string;
	authFormat?: AuthFormat;
	/** Retries after the first attempt (default 2). */
	maxRetries?: number;
	/** Per attempt, from sending to the last byte; for a stream, until its first chunk (default 10 min). */
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

export interface StreamCallOptions extends CallOptions {
	streamIdleTimeoutMs?: number;
}

export interface ChatCallOptions extends StreamCallOptions {
	/** Streamed text as it arrives. Once the first chunk has arrived the call is never retried. */
	onDelta?: (delta: ChatDelta) => void;
}

export interface TranscriptionCallOptions extends CallOptions {
	/** What `response_format` asked for: json / verbose_json answer JSON, text / srt / vtt answer text. */
	expect?: 'json' | 'text';
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
	/** Where the answer came from (never with a key in it); set by plain API calls. */
	url?: string;
}

/**
 * The chunks of a streamed chat completion, parsed, as they arrive (like openai-node's Stream).
 * An error payload in the stream, a stream cut short or one without any choice throws from the
 * loop. Leaving the loop early closes the connection.
 */
export interface ChatChunkStream extends AsyncIterable<ChatCompletionChunk> {
	readonly status: number;
	readonly requestId?: string;
	readonly attempts: number;
}

/** A form for a multipart/form-data request; repeated names (`image[]`) are sent as given. */
export interface MultipartBody {
	fields: Array<{ name: string; value: string }>;
	files: Array<{ name: string; bytes: Buffer; fileName: string; contentType: string }>;
}

/** Bytes an endpoint answered with (speech audio). */
export interface BinaryAnswer {
	bytes: Buffer;
	contentType?: string;
}

/**
 * A call to any JSON endpoint below the API root (the routes of asynchronous tasks): a GET, or a
 * POST with a JSON body (`json`) or a multipart form (`form`).
 */
export interface JsonRequest {
	method: 'GET' | 'POST';
	/** Below the API root, e.g. "videos" or "video/generations/task_123"; with a leading slash beside it: "/mj/task/123/fetch". */
	endpoint: string;
	json?: unknown;
	form?: MultipartBody;
}

/**
 * A file being downloaded: its first bytes already read (enough to tell its type), the rest read
 * as `body` is consumed. Reading stops at the size limit with a RelayDownloadError through `body`.
 * A caller that does not read `body` to its end must destroy it, which closes the connection.
 */
export interface DownloadStream {
	/** The first bytes of the file (at least 64 unless the file is shorter); `body` starts with them too. */
	head: Buffer;
	/** The whole file, from its first byte. */
	body: Readable;
	contentType?: string;
	/** The size the server announced, when it did. */
	contentLength?: number;
	/** Where the bytes came from (after a redirect, where it led). */
	url: string;
	/** Bytes passed on through `body` so far (all of them once it has ended). */
	bytesRead(): number;
}

export type TranscriptionAnswer = { json: Record<string, unknown> } | { text: string };

export interface Download {
	bytes: Buffer;
	contentType?: string;
	/** The URL asked for (redirects are followed). */
	url: string;
}
