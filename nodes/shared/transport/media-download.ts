import type { Readable } from 'node:stream';

import type { RelayClient } from './client';
import type { DownloadStream } from './client-types';
import { RelayDownloadError } from './errors';
import { asMedia, mediaTypeOf, NotMediaError, type Image, type Media, type MediaKind, type MediaType } from './file-types';
import { decodeDataUrl } from './media-links';

/** Files a reply or a task links to, fetched (without the key, or from a relay route with it) and checked to be the kind asked for. */

export interface FetchMediaOptions {
	signal?: AbortSignal;
	maxBytes?: number;
	timeoutMs?: number;
	maxRetries?: number;
	/** What the file may be; default images only. */
	kinds?: readonly MediaKind[];
}

/**
 * A file from an http(s) URL (downloaded through the relay client, without the key) or a data
 * URL, checked to be of one of `kinds`. Every failure but a cancel is a RelayDownloadError
 * naming the link.
 */
export async function fetchMedia(client: RelayClient, url: string, options: FetchMediaOptions = {}): Promise<Media> {
	const { kinds, ...download } = options;
	try {
		const inline = decodeDataUrl(url);
		if (inline) return asMedia(inline, 'The inline (data URL) file', { kinds });
		const file = await client.download(url, download);
		return asMedia(file.bytes, `The file at ${url}`, { contentType: file.contentType, url, kinds });
	} catch (error) {
		throw asMediaDownloadError(error, url, kinds);
	}
}

/**
 * A failed download as the error that names the file: what it was to be (the first kind: "Could
 * not download the video at …"), and bytes of the wrong kind as a download that is not one.
 */
function asMediaDownloadError(error: unknown, url: string, kinds: readonly MediaKind[] | undefined): unknown {
	const file = kinds?.[0] ?? 'image';
	if (error instanceof RelayDownloadError && error.file === undefined) Object.assign(error, { file });
	if (!(error instanceof NotMediaError)) return error;
	return new RelayDownloadError('not-image', error.message, { url, cause: error, file });
}

/** A file being downloaded, its type known from its first bytes; `body` streams it whole. */
export interface MediaStream extends MediaType {
	body: Readable;
	/** Where the bytes come from. */
	url: string;
	/** Bytes passed on so far (all of them once `body` has ended). */
	bytesRead(): number;
}

/** Where a file is: a link (fetched without the key), or an API route of the relay (fetched with it). */
export type MediaSource = { url: string } | { endpoint: string };

/**
 * A file, streamed: from a link without the key, or from a relay route with it; its type read
 * from the first bytes and checked to be one of `kinds`, the rest read as `body` is consumed (n8n
 * stores it as it arrives). Every failure but a cancel, also one that comes later through
 * `body` (the size limit, a lost connection), is a RelayDownloadError naming the file.
 */
export async function openMedia(client: RelayClient, source: MediaSource, options: FetchMediaOptions = {}): Promise<MediaStream> {
	const { kinds, ...download } = options;
	const where = 'url' in source ? source.url : `${client.apiRoot}/${source.endpoint}`;
	let stream: DownloadStream | undefined;
	try {
		stream = 'url' in source ? await client.openDownload(source.url, download) : await client.openApiDownload(source.endpoint, download);
		const type = mediaTypeOf(stream.head, `The file at ${stream.url}`, { contentType: stream.contentType, kinds });
		const { body, url, bytesRead } = stream;
		// Before the consumer's own listeners: its error names the file too.
		body.on('error', (error) => asMediaDownloadError(error, url, kinds));
		return { ...type, body, url, bytesRead };
	} catch (error) {
		stream?.body.destroy();
		throw asMediaDownloadError(error, stream?.url ?? where, kinds);
	}
}

/** An image from an http(s) URL or a data URL (input images, image answers). */
export async function fetchImage(
	client: RelayClient,
	url: string,
	options: Omit<FetchMediaOptions, 'kinds'> = {},
): Promise<Image> {
	return (await fetchMedia(client, url, { ...options, kinds: ['image'] })) as Image;
}

/**
 * The first of `sources` that gives a file of one of `kinds` (openMedia); when none does, the
 * first one's error. A cancel ends the search at once.
 */
export async function openFirstMedia(client: RelayClient, sources: MediaSource[], options: FetchMediaOptions = {}): Promise<MediaStream> {
	let first: unknown;
	for (const source of sources) {
		try {
			return await openMedia(client, source, options);
		} catch (error) {
			if (!(error instanceof RelayDownloadError)) throw error;
			first ??= error;
		}
	}
	throw first ?? new RelayDownloadError('bad-url', 'There is no link to download the file from', { file: options.kinds?.[0] });
}
