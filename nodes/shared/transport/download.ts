import { Readable } from 'node:stream';

import { discard, readBytes } from './bodies';
import { apiRequest } from './call';
import type { Download, DownloadOptions, DownloadStream } from './client-types';
import type { Connection } from './connection';
import { USER_AGENT } from './connection';
import { redirectingDispatcher } from './dispatcher';
import { RelayApiError, RelayDownloadError, RelayError, RelayRedirectError, RelayTimeoutError, type DownloadFailure } from './errors';
import { contentLength, contentType } from './headers';
import { hostOf, labelled, withRetries, type Attempt, type RetryPlan } from './retry';
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

export function downloadUrl(url: string): string {
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

export function asDownloadError(error: unknown, url: string): unknown {
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

// Streamed: the file handed on as it arrives, its first bytes read before the call returns.

/** Enough for every signature file-types.ts knows (WebM names its doc type within 64 bytes). */
const HEAD_BYTES = 64;

const MEDIA_ACCEPT = 'video/*, audio/*, image/*, application/octet-stream;q=0.9, */*;q=0.8';

/**
 * A file from any http(s) URL, streamed: no Authorization header (the host is a CDN, not the
 * relay), redirects followed. Retried like a download until its first bytes are in hand; after
 * that a failure (size limit, lost connection, silence longer than the idle timeout) comes through
 * the body. Every failure but a cancel is a RelayDownloadError naming the URL.
 */
export async function openDownload(connection: Connection, url: string, options: DownloadOptions): Promise<DownloadStream> {
	const target = downloadUrl(url);
	const outgoing: Outgoing = {
		method: 'GET',
		url: target,
		headers: { 'user-agent': USER_AGENT, accept: MEDIA_ACCEPT },
		dispatcher: redirectingDispatcher(connection.dispatcher),
	};
	return await openStream(connection, outgoing, options);
}

/**
 * A file the relay serves itself at an API route (a task's content, `videos/{id}/content`),
 * streamed, with the key. The key goes to the relay only: a redirect (to a CDN) is followed as a
 * plain download, without it.
 */
export async function openApiDownload(connection: Connection, endpoint: string, options: DownloadOptions): Promise<DownloadStream> {
	const outgoing = apiRequest(connection, { method: 'GET', endpoint, accept: MEDIA_ACCEPT });
	try {
		return await openStream(connection, outgoing, options);
	} catch (error) {
		const redirect = error instanceof RelayDownloadError ? error.cause : undefined;
		if (redirect instanceof RelayRedirectError && redirect.location) return await openDownload(connection, redirect.location, options);
		throw error;
	}
}

async function openStream(connection: Connection, outgoing: Outgoing, options: DownloadOptions): Promise<DownloadStream> {
	const { maxBytes } = options;
	try {
		const plan = connection.plan(outgoing.url, options, { handOver: true });
		return await withRetries(plan, async (attempt) => {
			const answer = await send(outgoing, attempt);
			const announced = contentLength(answer.headers);
			if (maxBytes !== undefined && announced !== undefined && announced > maxBytes) {
				discard(answer.body);
				throw RelayDownloadError.tooLarge(maxBytes, announced);
			}
			const reader = (answer.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
			const head = await readHead(reader, attempt, maxBytes).catch((error: unknown) => {
				discard(answer.body);
				throw error;
			});
			attempt.switchToIdleTimeout(connection.streamIdleTimeoutMs);
			const body = new FileBody(head, reader, attempt, plan, maxBytes);
			return {
				head: head.bytes,
				body: body.readable,
				contentType: contentType(answer.headers),
				contentLength: announced,
				url: outgoing.url,
				bytesRead: () => body.passed,
			};
		});
	} catch (error) {
		throw asDownloadError(error, outgoing.url);
	}
}

interface Head {
	bytes: Buffer;
	done: boolean;
}

async function readHead(reader: AsyncIterator<Buffer>, attempt: Attempt, maxBytes?: number): Promise<Head> {
	const chunks: Buffer[] = [];
	let size = 0;
	while (size < HEAD_BYTES) {
		const next = await reader.next();
		if (next.done) return { bytes: Buffer.concat(chunks), done: true };
		attempt.touch();
		chunks.push(next.value);
		size += next.value.length;
		if (maxBytes !== undefined && size > maxBytes) throw RelayDownloadError.tooLarge(maxBytes, size);
	}
	return { bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), done: false };
}

/**
 * The body as a Node stream, pulled as the consumer reads (n8n writes it to its binary store):
 * the head first, then the network chunks, counted against the size limit. The attempt (cancel
 * signal, idle timer) lives until the body ends or is destroyed; the consumer's own pace is not
 * the host's silence.
 */
class FileBody {
	readonly readable: Readable;

	passed = 0;

	private closed = false;

	constructor(
		head: Head,
		private readonly reader: AsyncIterator<Buffer>,
		private readonly attempt: Attempt,
		private readonly call: Pick<RetryPlan, 'url' | 'redact'>,
		private readonly maxBytes: number | undefined,
	) {
		let headSent = false;
		this.readable = new Readable({
			read: () => {
				if (!headSent) {
					headSent = true;
					this.push(head.bytes);
					if (head.done) this.end();
					return;
				}
				void this.pull();
			},
			destroy: (error, callback) => {
				this.close();
				callback(error);
			},
		});
		// Until the first read, the caller holds the stream (sniffing, preparing the file).
		attempt.pauseIdle();
	}

	private async pull(): Promise<void> {
		this.attempt.resumeIdle();
		try {
			const next = await this.reader.next();
			if (next.done) {
				this.end();
				return;
			}
			this.attempt.touch();
			const received = this.passed + next.value.length;
			if (this.maxBytes !== undefined && received > this.maxBytes) throw RelayDownloadError.tooLarge(this.maxBytes, received);
			this.push(next.value);
		} catch (caught) {
			const error = labelled(this.attempt.classify(caught, hostOf(this.call.url)), this.call, this.attempt.number);
			this.readable.destroy(asDownloadError(error, this.call.url) as Error);
		}
	}

	private push(bytes: Buffer): void {
		this.passed += bytes.length;
		this.attempt.pauseIdle();
		this.readable.push(bytes);
	}

	private end(): void {
		this.close();
		this.readable.push(null);
	}

	private close(): void {
		if (this.closed) return;
		this.closed = true;
		this.attempt.dispose();
		// Closes the connection when the body was not read to its end.
		void this.reader.return?.()?.catch(() => undefined);
	}
}
