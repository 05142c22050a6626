import { RelayAbortError, RelayApiError, RelayConnectionError, RelayError, RelayTimeoutError } from './errors';
import { firstValue, type ResponseHeaders } from './headers';
import { redactError, type Redact } from './secret';

type Firing = 'caller' | 'timeout' | 'idle';

/**
 * One try of a request: its own AbortController, fired by the caller's signal, the request
 * timeout, or (once a stream has started) the idle timeout, and remembering which it was.
 */
export class Attempt {
	private readonly controller = new AbortController();

	private timer?: NodeJS.Timeout;

	private firedBy?: Firing;

	private idleMs?: number;

	/** The caller holds what arrived: silence meanwhile is not the relay's. */
	private held = false;

	constructor(
		/** 1 for the first try. */
		readonly number: number,
		private readonly callerSignal: AbortSignal | undefined,
		private readonly timeoutMs: number,
	) {
		this.timer = setTimeout(() => this.abort('timeout'), timeoutMs);
		if (callerSignal?.aborted) this.abort('caller');
		callerSignal?.addEventListener('abort', this.onCallerAbort);
	}

	get signal(): AbortSignal {
		return this.controller.signal;
	}

	/** From now on only silence counts: the clock restarts with every piece that arrives. */
	switchToIdleTimeout(ms: number): void {
		clearTimeout(this.timer);
		this.idleMs = ms;
		this.timer = setTimeout(this.onIdle, ms);
	}

	/** Something arrived. */
	touch(): void {
		if (this.idleMs !== undefined) this.timer?.refresh();
	}

	/** The caller holds what arrived: its own pace is not the relay's silence. */
	pauseIdle(): void {
		this.held = true;
	}

	resumeIdle(): void {
		this.held = false;
		this.touch();
	}

	/** Whatever was thrown during the attempt, as one of our error classes. */
	classify(caught: unknown, host: string): RelayError {
		if (this.firedBy === 'caller') return new RelayAbortError();
		if (this.firedBy === 'timeout') return new RelayTimeoutError('timeout', this.timeoutMs);
		if (this.firedBy === 'idle') return new RelayTimeoutError('idle', this.idleMs ?? 0);
		if (caught instanceof RelayError) return caught;
		return new RelayConnectionError(`Could not reach ${host}: ${describeNetworkError(caught)}`, { cause: caught });
	}

	dispose(): void {
		clearTimeout(this.timer);
		this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
	}

	private readonly onCallerAbort = () => this.abort('caller');

	private readonly onIdle = () => {
		if (this.held) this.timer?.refresh();
		else this.abort('idle');
	};

	private abort(reason: Firing): void {
		if (this.firedBy) return;
		this.firedBy = reason;
		this.controller.abort();
	}
}

const NETWORK_ERRORS: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'DNS lookup failed',
	ETIMEDOUT: 'connection timed out',
	EPIPE: 'connection closed while sending',
	UND_ERR_SOCKET: 'the connection closed before the answer was complete',
	UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

function describeNetworkError(error: unknown): string {
	// Duck-typed: errors raised inside Node's own modules may come from another realm (vm, jest).
	const { message, code, cause } = (error ?? {}) as { message?: string; code?: string; cause?: { code?: string } };
	const causeCode = typeof cause === 'object' && cause !== null ? cause.code : undefined;
	const found = [causeCode, code].find((candidate) => candidate && NETWORK_ERRORS[candidate]);
	if (found) return `${NETWORK_ERRORS[found]} (${found})`;
	return typeof message === 'string' && message ? message : String(error);
}

/** Waits `ms`, or less when the signal fires (then rejects with RelayAbortError). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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

/** The official OpenAI SDK's policy, which DeerAPI's advice (back off on 429) agrees with. */
export interface RetryPolicy {
	maxRetries: number;
	initialDelayMs: number;
	maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxRetries: 2,
	initialDelayMs: 500,
	maxDelayMs: 8000,
};

/** A server's wait hint is honoured only when it is this short; longer ones fall back to backoff. */
const MAX_HONOURED_RETRY_AFTER_MS = 60_000;

export function isRetryableStatus(status: number): boolean {
	return status === 408 || status === 409 || status === 429 || status >= 500;
}

export function isRetryableError(error: RelayError): boolean {
	if (error.kind === 'api') return isRetryableStatus(error.status ?? 0);
	return error.kind === 'network' || error.kind === 'timeout' || error.kind === 'idle';
}

/**
 * How long the server asked us to wait: `retry-after-ms`, else `retry-after` in seconds or as an
 * HTTP date. Undefined when absent, unreadable or outside 0-60 s.
 */
export function parseRetryAfter(headers: ResponseHeaders, now = Date.now()): number | undefined {
	const msValue = firstValue(headers['retry-after-ms']);
	if (msValue !== undefined && Number.isFinite(Number(msValue))) return withinLimit(Number(msValue));
	const value = firstValue(headers['retry-after']);
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return withinLimit(seconds * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : withinLimit(date - now);
}

/** Wait before retry number `retryIndex` (0 = first retry). */
export function retryDelayMs(retryIndex: number, policy: RetryPolicy, retryAfterMs?: number, random = Math.random): number {
	if (retryAfterMs !== undefined) return retryAfterMs;
	const backoff = Math.min(policy.initialDelayMs * 2 ** retryIndex, policy.maxDelayMs);
	// Up to 25% less, so that many items failing together do not come back together.
	return Math.round(backoff * (1 - random() * 0.25));
}

function withinLimit(ms: number): number | undefined {
	return ms >= 0 && ms <= MAX_HONOURED_RETRY_AFTER_MS ? ms : undefined;
}

export interface RetryPlan {
	url: string;
	policy: RetryPolicy;
	timeoutMs: number;
	signal?: AbortSignal;
	onRetry?: (info: { retry: number; delayMs: number; error: RelayError }) => void;
	/** Masks the API key in the texts of every error that leaves (see labelled). */
	redact: Redact;
	/** What the call was, for the errors it ends with (RelayError.endpoint, .streamed). */
	endpoint?: string;
	streamed?: boolean;
	/**
	 * The attempt that succeeded lives on with what `run` returned (a stream reading its body),
	 * which then disposes of it.
	 */
	handOver?: boolean;
}

/** Runs `run` once per attempt until it succeeds, the error is not retryable, or retries are spent. */
export async function withRetries<R>(plan: RetryPlan, run: (attempt: Attempt) => Promise<R>): Promise<R> {
	for (let retry = 0; ; retry++) {
		const attempt = new Attempt(retry + 1, plan.signal, plan.timeoutMs);
		let succeeded = false;
		try {
			const result = await run(attempt);
			succeeded = true;
			return result;
		} catch (caught) {
			const error = labelled(attempt.classify(caught, hostOf(plan.url)), plan, retry + 1);
			if (retry >= plan.policy.maxRetries || !isRetryableError(error)) throw error;
			const delayMs = retryDelayMs(retry, plan.policy, error instanceof RelayApiError ? error.retryAfterMs : undefined);
			plan.onRetry?.({ retry: retry + 1, delayMs, error });
			await sleep(delayMs, plan.signal);
		} finally {
			if (!(succeeded && plan.handOver)) attempt.dispose();
		}
	}
}

/**
 * The error as it leaves the client: with what the call was (URL, endpoint, streamed or not) and
 * the number of attempts it took, and the API key masked in whatever relay text it quotes. Every
 * error of a call passes here (the retry loop, a stream being read): the one place the key is masked.
 */
export function labelled(
	error: RelayError,
	call: Pick<RetryPlan, 'url' | 'redact' | 'endpoint' | 'streamed'>,
	attempts: number,
): RelayError {
	error.url ??= call.url;
	error.endpoint ??= call.endpoint;
	error.streamed ??= call.streamed;
	error.attempts = attempts;
	return redactError(error, call.redact);
}

export function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return url;
	}
}
