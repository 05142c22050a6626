import { RelayAbortError, RelayConnectionError, RelayError, RelayTimeoutError } from './errors';

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
