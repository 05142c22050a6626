import { Attempt, sleep } from './attempt';
import { RelayApiError, type RelayError } from './errors';
import { firstValue, type ResponseHeaders } from './headers';
import { redactError, type Redact } from './secret';

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
