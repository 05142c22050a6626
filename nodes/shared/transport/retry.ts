import {
	RelayApiError,
	RelayConnectionError,
	RelayTimeoutError,
	type RelayError,
} from './errors';

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
	if (error instanceof RelayApiError) return isRetryableStatus(error.status);
	return error instanceof RelayConnectionError || error instanceof RelayTimeoutError;
}

/**
 * How long the server asked us to wait: `retry-after-ms`, else `retry-after` in seconds or as an
 * HTTP date. Undefined when absent, unreadable or outside 0-60 s.
 */
export function parseRetryAfter(
	headers: Record<string, string | string[] | undefined>,
	now = Date.now(),
): number | undefined {
	const ms = Number(first(headers['retry-after-ms']));
	if (first(headers['retry-after-ms']) !== undefined && Number.isFinite(ms)) {
		return withinLimit(ms);
	}
	const value = first(headers['retry-after']);
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return withinLimit(seconds * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : withinLimit(date - now);
}

/** Wait before retry number `retryIndex` (0 = first retry). */
export function retryDelayMs(
	retryIndex: number,
	policy: RetryPolicy,
	retryAfterMs?: number,
	random = Math.random,
): number {
	if (retryAfterMs !== undefined) return retryAfterMs;
	const backoff = Math.min(policy.initialDelayMs * 2 ** retryIndex, policy.maxDelayMs);
	// Up to 25% less, so that many items failing together do not come back together.
	return Math.round(backoff * (1 - random() * 0.25));
}

function withinLimit(ms: number): number | undefined {
	return ms >= 0 && ms <= MAX_HONOURED_RETRY_AFTER_MS ? ms : undefined;
}

function first(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}
