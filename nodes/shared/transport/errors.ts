/**
 * What can go wrong between us and a relay, as classes with a stable `code` (the way undici
 * names its errors), so callers branch on the class and users read `message`.
 * No error here ever carries request headers: that is where the API key lives.
 */
export class RelayError extends Error {
	readonly code: string = 'DEERAPI_ERROR';

	/** The endpoint (never with credentials) the error came from. */
	url?: string;

	/** How many attempts were made before giving up (1 = no retry). */
	attempts = 1;

	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = new.target.name;
	}
}

/** The base URL or key cannot be used; nothing was sent. */
export class RelayConfigError extends RelayError {
	override readonly code = 'DEERAPI_BAD_CONFIG';
}

export interface RelayApiErrorDetails {
	status: number;
	relayMessage: string;
	type?: string;
	relayCode?: string;
	param?: string;
	requestId?: string;
	retryAfterMs?: number;
}

/**
 * The relay answered with an error: a non-2xx status, an error object with a message in a 2xx
 * body, or an `error` payload inside an event stream (status 200: SSE headers were already sent).
 */
export class RelayApiError extends RelayError {
	override readonly code = 'DEERAPI_API_ERROR';

	readonly status: number;

	/** The relay's own words, as given (often Chinese, often ending in "(request id: …)"). */
	readonly relayMessage: string;

	readonly type?: string;

	/** The relay's `error.code` ("invalid_api_key", "insufficient_user_quota", …). */
	readonly relayCode?: string;

	readonly param?: string;

	readonly requestId?: string;

	readonly retryAfterMs?: number;

	constructor(details: RelayApiErrorDetails) {
		super(`${describeStatus(details.status)}: ${details.relayMessage}`);
		this.status = details.status;
		this.relayMessage = details.relayMessage;
		this.type = details.type;
		this.relayCode = details.relayCode;
		this.param = details.param;
		this.requestId = details.requestId;
		this.retryAfterMs = details.retryAfterMs;
	}
}

/** The connection failed or broke (refused, reset, closed early) before the answer was complete. */
export class RelayConnectionError extends RelayError {
	override readonly code = 'DEERAPI_CONNECTION_ERROR';
}

export type TimeoutKind = 'request' | 'idle';

/** The request took longer than its timeout, or a stream sent nothing for its idle timeout. */
export class RelayTimeoutError extends RelayError {
	override readonly code = 'DEERAPI_TIMEOUT';

	constructor(
		readonly kind: TimeoutKind,
		readonly timeoutMs: number,
	) {
		super(
			kind === 'request'
				? `The relay did not answer within ${formatMs(timeoutMs)} (request timeout)`
				: `The stream sent nothing for ${formatMs(timeoutMs)} (idle timeout)`,
		);
	}
}

/** The caller's AbortSignal fired (in n8n: the execution was cancelled). */
export class RelayAbortError extends RelayError {
	override readonly code = 'DEERAPI_ABORTED';

	constructor() {
		super('The request was cancelled');
	}
}

/** A 2xx answer we cannot use: not JSON, or a stream that ended before the answer was complete. */
export class RelayResponseError extends RelayError {
	override readonly code = 'DEERAPI_INVALID_RESPONSE';

	constructor(
		message: string,
		readonly status?: number,
	) {
		super(message);
	}
}

/** A body larger than the limit the caller set (image downloads). */
export class ResponseTooLargeError extends RelayError {
	override readonly code = 'DEERAPI_RESPONSE_TOO_LARGE';

	constructor(
		readonly limitBytes: number,
		readonly receivedBytes: number,
	) {
		super(
			`The answer is larger than the limit of ${formatBytes(limitBytes)} (at least ${formatBytes(receivedBytes)})`,
		);
	}
}

const STATUS_TEXT: Record<number, string> = {
	400: 'Bad Request',
	401: 'Unauthorized',
	402: 'Payment Required',
	403: 'Forbidden',
	404: 'Not Found',
	408: 'Request Timeout',
	409: 'Conflict',
	413: 'Payload Too Large',
	422: 'Unprocessable Entity',
	429: 'Too Many Requests',
	500: 'Internal Server Error',
	501: 'Not Implemented',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
	504: 'Gateway Timeout',
};

export function describeStatus(status: number): string {
	const text = STATUS_TEXT[status];
	return text ? `${status} ${text}` : `HTTP ${status}`;
}

function formatMs(ms: number): string {
	return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

export function formatBytes(bytes: number): string {
	if (bytes >= 1024 * 1024) return `${+(bytes / 1024 / 1024).toFixed(1)} MB`;
	if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
	return `${bytes} B`;
}
