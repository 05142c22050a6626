import type { Dispatcher } from 'undici';

import { authorizationHeader } from './auth';
import { sharedDispatcher } from './dispatcher';
import { RelayConfigError } from './errors';
import type { CallOptions, RelayClientOptions } from './client-types';
import { DEFAULT_RETRY_POLICY, type RetryPlan, type RetryPolicy } from './retry';
import { keyRedactor, redactError, type Redact } from './secret';
import { endpointUrl, normalizeBaseUrl, relayRootUrl } from './url';

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 5 * 60_000;
export const USER_AGENT = 'n8n-nodes-deerapi-relay';

/** Where and how a client talks: the settled options, and what every API call needs from them. */
export class Connection {
	readonly apiRoot: string;

	readonly dispatcher: Dispatcher;

	readonly streamIdleTimeoutMs: number;

	private readonly authorization: string;

	private readonly policy: RetryPolicy;

	private readonly timeoutMs: number;

	/** Masks the key's secret part in a text; every error of the client has passed through it. */
	readonly redact: Redact;

	private readonly apiKey: string;

	constructor(options: RelayClientOptions) {
		const apiKey = (options.apiKey ?? '').trim();
		if (!apiKey) throw new RelayConfigError('The API key is empty');
		this.apiKey = apiKey;
		this.redact = keyRedactor(apiKey);
		try {
			this.apiRoot = normalizeBaseUrl(options.baseUrl);
		} catch (error) {
			// The key pasted into the Base URL field would be quoted back.
			throw redactError(error, this.redact);
		}
		this.authorization = authorizationHeader(apiKey, options.authFormat);
		this.policy = {
			maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
			initialDelayMs: options.retryInitialDelayMs ?? DEFAULT_RETRY_POLICY.initialDelayMs,
			maxDelayMs: options.retryMaxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
		};
		this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		this.streamIdleTimeoutMs = options.streamIdleTimeoutMs ?? Math.min(this.timeoutMs, DEFAULT_STREAM_IDLE_TIMEOUT_MS);
		this.dispatcher = options.dispatcher ?? sharedDispatcher();
	}

	endpoint(name: string): string {
		return endpointUrl(this.apiRoot, name);
	}

	/** A route outside the OpenAI API, below the relay's own root (new-api's "api/usage/token"). */
	relayEndpoint(name: string): string {
		return endpointUrl(relayRootUrl(this.apiRoot), name);
	}

	/**
	 * `url` with the key as its query parameter `name`, for the one lookup that takes it there
	 * (DeerAPI's quota lookup, opted into by the user): such a URL must never reach a message.
	 */
	withKeyParameter(url: string, name: string): string {
		const target = new URL(url);
		target.searchParams.set(name, this.apiKey);
		return target.href;
	}

	/** Headers of an API call. The content type of a multipart body is undici's (it holds the boundary). */
	apiHeaders(accept: string, contentType?: string): Record<string, string> {
		const headers: Record<string, string> = { authorization: this.authorization, accept, 'user-agent': USER_AGENT };
		if (contentType) headers['content-type'] = contentType;
		return headers;
	}

	/** The retry plan of one call: the client's settings, overridden by the call's options. */
	plan(url: string, options: CallOptions, call: Pick<RetryPlan, 'handOver' | 'endpoint' | 'streamed'> = {}): RetryPlan {
		return {
			...call,
			url,
			policy: { ...this.policy, maxRetries: options.maxRetries ?? this.policy.maxRetries },
			timeoutMs: options.timeoutMs ?? this.timeoutMs,
			signal: options.signal,
			onRetry: options.onRetry,
			redact: this.redact,
		};
	}
}
