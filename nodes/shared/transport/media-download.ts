import type { RelayClient } from './client';
import { RelayDownloadError } from './errors';
import { asMedia, NotMediaError, type Image, type Media, type MediaKind } from './file-types';
import { decodeDataUrl } from './media-links';

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
		// The first kind names the file in messages: "Could not download the video at …".
		const file = kinds?.[0] ?? 'image';
		if (error instanceof RelayDownloadError && error.file === undefined) Object.assign(error, { file });
		if (!(error instanceof NotMediaError)) throw error;
		throw new RelayDownloadError('not-image', error.message, { url, cause: error, file });
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

