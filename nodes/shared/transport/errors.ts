import { describeStatus, formatBytes, formatMs } from './text';

/**
 * What went wrong, for the code that reads it (the n8n mapper, retries): never parse a message.
 * - api: the relay answered an error (a non-2xx status, or an error message inside a 2xx body or stream)
 * - json / html / empty / text: a 2xx body that is not what was asked (malformed JSON, an HTML page, nothing, other text)
 * - response: a 2xx body of the wrong shape (no "choices", no answer, a stream cut short)
 * - redirect: an API call answered with a redirect (never followed: the key would go with it)
 * - network, timeout, idle, cancelled: the connection, the request timeout, a silent stream, the caller's signal
 * - download: a file could not be downloaded (see RelayDownloadError.reason)
 * - task: an asynchronous task (a video) failed at the relay, or did not finish in the wait allowed
 * - config: the base URL, the key or a download URL cannot be used; nothing was sent
 */
export type RelayErrorKind =
	| 'api'
	| 'json'
	| 'html'
	| 'empty'
	| 'text'
	| 'response'
	| 'redirect'
	| 'network'
	| 'timeout'
	| 'idle'
	| 'cancelled'
	| 'download'
	| 'task'
	| 'config';

/** What a body was, when it was not what was asked for. */
export type BodyKind = 'json' | 'html' | 'empty' | 'text';

/** No error here ever carries request headers: that is where the API key lives. */
export abstract class RelayError extends Error {
	abstract readonly kind: RelayErrorKind;

	/** The HTTP status of the answer, when there was one. */
	status?: number;

	/** The relay's own words, as given (often Chinese, often ending in "(request id: …)"). */
	relayMessage?: string;

	requestId?: string;

	/** The endpoint (never with credentials) the error came from. */
	url?: string;

	/** How many attempts were made before giving up (1 = no retry). */
	attempts = 1;

	/** The API endpoint called, below the API root ("chat/completions", "models"); not set for downloads. */
	endpoint?: string;

	/**
	 * Whether the answer was asked for as a stream: true or false for chat completions, undefined
	 * for the endpoints that cannot stream. Hints about streaming need it.
	 */
	streamed?: boolean;

	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = new.target.name;
	}
}

export class RelayConfigError extends RelayError {
	readonly kind = 'config';
}

export interface RelayApiErrorDetails {
	status: number;
	relayMessage: string;
	type?: string;
	relayCode?: string;
	param?: string;
	requestId?: string;
	retryAfterMs?: number;
	/** Set when the body held no message of the relay's, only what `relayMessage` then describes. */
	bodyKind?: Exclude<BodyKind, 'json'>;
}

/** The relay answered with an error: a non-2xx status, or an error message in a 2xx body or stream. */
export class RelayApiError extends RelayError {
	readonly kind = 'api';

	declare status: number;

	declare relayMessage: string;

	readonly type?: string;

	/** The relay's `error.code` ("invalid_api_key", "insufficient_user_quota", …). */
	readonly relayCode?: string;

	readonly param?: string;

	readonly retryAfterMs?: number;

	readonly bodyKind?: Exclude<BodyKind, 'json'>;

	constructor(details: RelayApiErrorDetails) {
		super(
			details.status >= 200 && details.status < 300
				? `The relay answered ${details.status} with an error: ${details.relayMessage}`
				: `${describeStatus(details.status)}: ${details.relayMessage}`,
		);
		Object.assign(this, details);
	}
}

/** A 2xx answer we cannot use: a body that is not what was asked, or one of the wrong shape. */
export class RelayResponseError extends RelayError {
	/** What the user can do about it, where the code that found the fault knows better than its kind. */
	declare readonly hint?: string;

	constructor(
		message: string,
		readonly kind: BodyKind | 'response',
		status?: number,
		details: { relayMessage?: string; requestId?: string; hint?: string } = {},
	) {
		super(message);
		this.status = status;
		Object.assign(this, details);
	}

	/**
	 * An answer that arrived whole and well-formed but cannot serve what was asked (no images, a
	 * vector missing, text where audio should be), found by the code that reads it. It reaches the
	 * user like every other answer error: status, request id and `hint`.
	 */
	static unusable(answer: { status: number; requestId?: string }, message: string, hint?: string): RelayResponseError {
		return new RelayResponseError(message, 'response', answer.status, { requestId: answer.requestId, hint });
	}
}

/** An API call answered 3xx: we do not follow it, the Base URL should be where it points. */
export class RelayRedirectError extends RelayError {
	readonly kind = 'redirect';

	declare status: number;

	constructor(
		status: number,
		/** Where the redirect points, absolute; undefined when the relay sent no Location. */
		readonly location: string | undefined,
		/** The Base URL that reaches the same endpoint at `location`. */
		readonly suggestedBaseUrl: string | undefined,
	) {
		super(
			location
				? `The relay answered ${describeStatus(status)}: it redirects to ${location}. Set the Base URL to ${suggestedBaseUrl ?? location}`
				: `The relay answered ${describeStatus(status)} (a redirect) without saying where to`,
		);
		this.status = status;
	}
}

/** The connection failed or broke (refused, reset, closed early) before the answer was complete. */
export class RelayConnectionError extends RelayError {
	readonly kind = 'network';
}

/** The request took longer than its timeout, or a stream sent nothing for its idle timeout. */
export class RelayTimeoutError extends RelayError {
	constructor(
		readonly kind: 'timeout' | 'idle',
		readonly timeoutMs: number,
	) {
		super(
			kind === 'timeout'
				? `The relay did not answer within ${formatMs(timeoutMs)} (request timeout)`
				: `The stream sent nothing for ${formatMs(timeoutMs)} (idle timeout)`,
		);
	}
}

/** The caller's AbortSignal fired (in n8n: the execution was cancelled). */
export class RelayAbortError extends RelayError {
	readonly kind = 'cancelled';

	constructor() {
		super('The request was cancelled');
	}
}

/**
 * Why a download failed: the host answered an error status, the file is over the size limit,
 * it is not the kind of file asked for (set by callers that check), the URL is not http(s), or
 * the request timed out or lost its connection.
 */
export type DownloadFailure = 'status' | 'too-large' | 'not-image' | 'bad-url' | 'timeout' | 'network';

/** A file (an image a relay links to) could not be downloaded. `cause` is the error underneath. */
export class RelayDownloadError extends RelayError {
	readonly kind = 'download';

	constructor(
		readonly reason: DownloadFailure,
		message: string,
		details: {
			url?: string;
			status?: number;
			relayMessage?: string;
			limitBytes?: number;
			receivedBytes?: number;
			timeoutMs?: number;
			/** What the file was to be ("image", "video"), for the message a user reads; default image. */
			file?: string;
			cause?: unknown;
		} = {},
	) {
		super(message, { cause: details.cause });
		const { cause: _cause, ...facts } = details;
		Object.assign(this, facts);
	}

	declare readonly limitBytes?: number;

	declare readonly receivedBytes?: number;

	declare readonly timeoutMs?: number;

	declare readonly file?: string;

	static tooLarge(limitBytes: number, receivedBytes: number): RelayDownloadError {
		return new RelayDownloadError(
			'too-large',
			`The answer is larger than the limit of ${formatBytes(limitBytes)} (at least ${formatBytes(receivedBytes)})`,
			{ limitBytes, receivedBytes },
		);
	}
}

/**
 * An asynchronous task (video, Midjourney, music) that failed at the relay (`reason: 'failed'`,
 * the relay's words in `relayMessage`) or was still unfinished when the wait allowed was over
 * (`reason: 'timeout'`). A task that fails never had an HTTP error: `status` stays unset.
 */
export class RelayTaskError extends RelayError {
	readonly kind = 'task';

	constructor(
		readonly reason: 'failed' | 'timeout',
		message: string,
		details: {
			taskId: string;
			/** What the task is, for messages: "video". */
			task: string;
			/** The status as the relay last said it. */
			relayStatus?: string;
			relayMessage?: string;
			progress?: number;
			waitedMs?: number;
		},
	) {
		super(message);
		Object.assign(this, details);
	}

	declare readonly taskId: string;

	declare readonly task: string;

	declare readonly relayStatus?: string;

	declare readonly progress?: number;

	declare readonly waitedMs?: number;
}
