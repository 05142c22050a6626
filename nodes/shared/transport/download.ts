import { discard, readBytes } from './bodies';
import type { Connection } from './connection';
import { USER_AGENT } from './connection';
import { redirectingDispatcher } from './dispatcher';
import { RelayApiError, RelayDownloadError, RelayError, RelayTimeoutError, type DownloadFailure } from './errors';
import { contentLength, contentType } from './headers';
import type { Download, DownloadOptions } from './client-types';
import { withRetries } from './retry';
import { redactError } from './secret';
import { send, type Outgoing } from './send';
import { isHttpUrl, truncate } from './text';

/**
 * Bytes from any http(s) URL (images the relay links to). No Authorization header: those
 * hosts are CDNs, not the relay, and must never see the key. Redirects are followed.
 * Every failure but a cancel is a RelayDownloadError naming the URL.
 */
export async function download(connection: Connection, url: string, options: DownloadOptions): Promise<Download> {
	let target: string;
	try {
		target = downloadUrl(url);
	} catch (error) {
		throw redactError(error, connection.redact);
	}
	const outgoing: Outgoing = {
		method: 'GET',
		url: target,
		headers: { 'user-agent': USER_AGENT, accept: 'image/*,*/*;q=0.8' },
		dispatcher: redirectingDispatcher(connection.dispatcher),
	};
	try {
		return await withRetries(connection.plan(target, options), async (attempt) => {
			const answer = await send(outgoing, attempt);
			const announced = contentLength(answer.headers);
			if (options.maxBytes !== undefined && announced !== undefined && announced > options.maxBytes) {
				discard(answer.body);
				throw RelayDownloadError.tooLarge(options.maxBytes, announced);
			}
			const bytes = await readBytes(answer.body, attempt, { maxBytes: options.maxBytes, expectedBytes: announced });
			return { bytes, contentType: contentType(answer.headers), url: target };
		});
	} catch (error) {
		throw redactError(asDownloadError(error, target), connection.redact);
	}
}

function downloadUrl(url: string): string {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new RelayDownloadError('bad-url', `Cannot download "${truncate(url, 300)}": it is not a valid URL`, { url });
	}
	if (!isHttpUrl(parsed)) {
		throw new RelayDownloadError('bad-url', `Cannot download "${truncate(url, 300)}": only http:// and https:// URLs are allowed`, { url });
	}
	return parsed.href;
}

const FAILURE_OF_KIND: Partial<Record<RelayError['kind'], DownloadFailure>> = {
	api: 'status',
	redirect: 'status',
	timeout: 'timeout',
	idle: 'timeout',
	network: 'network',
};

function asDownloadError(error: unknown, url: string): unknown {
	if (!(error instanceof RelayError) || error.kind === 'cancelled') return error;
	if (error instanceof RelayDownloadError) return Object.assign(error, { url });
	const failure = FAILURE_OF_KIND[error.kind] ?? 'network';
	const wrapped = new RelayDownloadError(failure, error.message, {
		url,
		status: error.status,
		// Only the host's own words: our phrasing of an HTML or empty body speaks of "the relay".
		relayMessage: error instanceof RelayApiError && !error.bodyKind ? error.relayMessage : undefined,
		timeoutMs: error instanceof RelayTimeoutError ? error.timeoutMs : undefined,
		cause: error,
	});
	wrapped.attempts = error.attempts;
	return wrapped;
}
