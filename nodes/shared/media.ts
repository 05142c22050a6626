import type { Readable } from 'node:stream';

import { sniffAudioType, WEBM } from './audio';
import { bodyShape, RelayDownloadError, type DownloadStream, type RelayClient } from './transport';

/**
 * The pictures, videos and songs models answer with: the links in a reply, the file type and size
 * read from the bytes, and the one download path (the relay client's `download`, never with the key).
 */
export type MediaKind = 'image' | 'video' | 'audio';

export interface MediaType {
	mimeType: string;
	extension: string;
	kind: MediaKind;
}

/** Bytes of a known media type, with what the header tells. */
export interface Media extends MediaType {
	bytes: Buffer;
	width?: number;
	height?: number;
	/** Where it came from: the http(s) URL, or undefined for base64 and data URLs. */
	url?: string;
}

export interface ImageType extends MediaType {
	kind: 'image';
}

export interface Image extends Media {
	kind: 'image';
}

/** Bytes that should have been an image (or a video) and are not (an HTML error page, JSON, nothing, …). */
export class NotMediaError extends Error {
	readonly code = 'DEERAPI_NOT_MEDIA';

	/** What the bytes are instead, after "is": 'an HTML page ("Sign in"), not an image', 'empty, not an image'. */
	readonly detail: string;

	constructor(
		readonly source: string,
		readonly contentType: string | undefined,
		bytes: Buffer,
		/** What was expected, as the message says it: "an image", "an image or a video". */
		readonly expected = 'an image',
	) {
		const detail = describeNotMedia(bytes, contentType, expected);
		super(`${source} is ${detail}`);
		this.detail = detail;
		this.name = 'NotMediaError';
	}
}

// Named as the relay's answers are (bodyShape): a login page by its title, nothing as empty.
function describeNotMedia(bytes: Buffer, contentType: string | undefined, expected: string): string {
	const shape = bodyShape(bytes.toString('utf8', 0, Math.min(bytes.length, 64 * 1024)), contentType);
	if (shape.kind === 'empty') return `empty, not ${expected}`;
	if (shape.kind === 'html') return `an HTML page${shape.title ? ` ("${shape.title}")` : ''}, not ${expected}`;
	const head = bytes.toString('utf8', 0, 60).replace(/\s+/g, ' ').trim();
	return `not ${expected}${contentType ? ` (content-type ${contentType})` : ''}: it starts with "${head}"`;
}

const MARKDOWN_IMAGE = /!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const MARKDOWN_LINK = /(?<!!)\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const BARE_URL = /(?<![(<\w])https?:\/\/[^\s<>()"'\]]+/g;
// Progress links ("[100](url)", "[61%](url)") point at the job, not at a finished picture.
const PROGRESS_LINK_TEXT = /^\s*\d+(\.\d+)?\s*%?\s*$/;

/**
 * The results in a chat answer of an image or video model (gpt-4o-image, Gemini image models,
 * veo3-chat): the targets of Markdown images `![…](…)`. When there are none, plain links and
 * bare URLs outside progress lines, so a relay that answers "[▶️ Watch online](url)", with or
 * without a file extension, or a bare URL still yields its file; the same link twice (watch and
 * download) is one file. `links: false` turns that fallback off.
 */
export function findMediaUrls(
	content: string | null | undefined,
	options: { links?: boolean } = {},
): string[] {
	if (!content) return [];
	const images = unique([...content.matchAll(MARKDOWN_IMAGE)].map((match) => match[1]));
	// A text model's answer often links to web pages: only media models' links are their files.
	if (images.length || options.links === false) return images.filter(isMediaSource);

	const urls: string[] = [];
	for (const line of content.split('\n')) {
		if (/^\s*>/.test(line)) continue;
		for (const match of line.matchAll(MARKDOWN_LINK)) {
			if (!PROGRESS_LINK_TEXT.test(match[1])) urls.push(match[2]);
		}
		const withoutLinks = line.replace(MARKDOWN_LINK, ' ');
		for (const match of withoutLinks.matchAll(BARE_URL)) urls.push(trimPunctuation(match[0]));
	}
	return unique(urls).filter(isMediaSource);
}

const SIGNATURES: Array<{ type: MediaType; matches: (b: Buffer) => boolean }> = [
	{
		type: { kind: 'image', mimeType: 'image/png', extension: 'png' },
		matches: (b) => b.length > 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a,
	},
	{
		type: { kind: 'image', mimeType: 'image/jpeg', extension: 'jpg' },
		matches: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
	},
	{
		type: { kind: 'image', mimeType: 'image/webp', extension: 'webp' },
		matches: (b) => b.length > 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
	},
	{
		type: { kind: 'image', mimeType: 'image/gif', extension: 'gif' },
		matches: (b) => b.length > 6 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6)),
	},
	{
		type: { kind: 'image', mimeType: 'image/avif', extension: 'avif' },
		matches: (b) => b.length > 12 && b.toString('latin1', 4, 12) === 'ftypavif',
	},
	{
		type: { kind: 'image', mimeType: 'image/bmp', extension: 'bmp' },
		matches: (b) => b.length > 26 && b.toString('latin1', 0, 2) === 'BM',
	},
	// ISO media: the "qt  " brand is QuickTime, the other brands (isom, mp41, mp42, avc1, …) MP4.
	{
		type: { kind: 'video', mimeType: 'video/quicktime', extension: 'mov' },
		matches: (b) => b.length > 12 && (b.toString('latin1', 4, 12) === 'ftypqt  ' || QUICKTIME_ATOMS.has(b.toString('latin1', 4, 8))),
	},
	{
		type: { kind: 'video', mimeType: 'video/mp4', extension: 'mp4' },
		matches: (b) => b.length > 12 && b.toString('latin1', 4, 8) === 'ftyp' && !ISO_IMAGE_BRANDS.has(b.toString('latin1', 8, 12)),
	},
	// Matroska's EBML header names its doc type: "webm" for WebM.
	{
		type: { kind: 'video', mimeType: 'video/webm', extension: 'webm' },
		matches: (b) => b.length > 8 && b.readUInt32BE(0) === 0x1a45dfa3 && b.subarray(0, 64).includes('webm'),
	},
	{
		type: { kind: 'video', mimeType: 'video/x-matroska', extension: 'mkv' },
		matches: (b) => b.length > 8 && b.readUInt32BE(0) === 0x1a45dfa3 && b.subarray(0, 64).includes('matroska'),
	},
];

// QuickTime files from before the ftyp box start with one of these atoms.
const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip']);
// HEIF / AVIF still images share the ISO container.
const ISO_IMAGE_BRANDS = new Set(['avif', 'avis', 'heic', 'heix', 'hevc', 'mif1', 'msf1']);

/**
 * The file type from the first bytes, image, video or audio, whatever a server's content-type
 * claims. Audio is audio.ts's reading (WAV, FLAC, Ogg, M4A, MPEG frames); an MP4 or WebM that
 * does not say it holds only sound is a video.
 */
export function sniffMediaType(bytes: Buffer): MediaType | undefined {
	const audio = sniffAudioType(bytes);
	if (audio && audio !== WEBM && audio.mimeType.startsWith('audio/')) return { kind: 'audio', ...audio };
	return SIGNATURES.find((signature) => signature.matches(bytes))?.type;
}

/** What a file of these kinds is called in a message: "an image", "an image or a video", "audio". */
function describeKinds(kinds: readonly MediaKind[]): string {
	const names: Record<MediaKind, string> = { image: 'an image', video: 'a video', audio: 'audio' };
	return kinds.map((kind) => names[kind]).join(' or ');
}

/** The image format from the file's first bytes; undefined for anything else, videos included. */
export function sniffImageType(bytes: Buffer): ImageType | undefined {
	const type = sniffMediaType(bytes);
	return type?.kind === 'image' ? (type as ImageType) : undefined;
}

/** Width and height from the header, for PNG, JPEG, GIF and WebP. */
export function imageDimensions(
	bytes: Buffer,
	type: ImageType | undefined = sniffImageType(bytes),
): { width: number; height: number } | undefined {
	try {
		switch (type?.extension) {
			case 'png':
				return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
			case 'gif':
				return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
			case 'jpg':
				return jpegDimensions(bytes);
			case 'webp':
				return webpDimensions(bytes);
			default:
				return undefined;
		}
	} catch {
		// A header cut short: the image is still usable, its size is just unknown.
		return undefined;
	}
}

/**
 * Whether a PNG can carry transparency, as an edit mask must: colour type 4 (grey + alpha) or
 * 6 (RGBA), or a tRNS chunk before the image data.
 */
export function pngHasAlpha(bytes: Buffer): boolean {
	if (sniffImageType(bytes)?.extension !== 'png' || bytes.length < 26) return false;
	const colourType = bytes[25];
	if (colourType === 4 || colourType === 6) return true;
	let offset = 8;
	while (offset + 8 <= bytes.length) {
		const chunk = bytes.toString('latin1', offset + 4, offset + 8);
		if (chunk === 'tRNS') return true;
		if (chunk === 'IDAT' || chunk === 'IEND') return false;
		offset += 12 + bytes.readUInt32BE(offset);
	}
	return false;
}

/** Bytes of a `data:…;base64,…` URL, or undefined for any other URL. */
export function decodeDataUrl(url: string): Buffer | undefined {
	const match = /^data:([^;,]*)(;base64)?,/i.exec(url);
	if (!match) return undefined;
	const payload = url.slice(match[0].length);
	return match[2] ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'latin1');
}

/** Bytes known to be an image, with their type and size; `source` names them in errors. */
export function asImage(bytes: Buffer, source: string, contentType?: string, url?: string): Image {
	return asMedia(bytes, source, { contentType, url, kinds: ['image'] }) as Image;
}

/** Bytes known to be of one of `kinds` (default: images), with type and size; `source` names them in errors. */
export function asMedia(
	bytes: Buffer,
	source: string,
	options: { contentType?: string; url?: string; kinds?: readonly MediaKind[] } = {},
): Media {
	const type = mediaTypeOf(bytes, source, options);
	const dimensions = type.kind === 'image' ? imageDimensions(bytes, type as ImageType) : undefined;
	return { ...type, ...dimensions, bytes, url: options.url };
}

/** The type of a file from its first bytes, checked to be one of `kinds` (default: images). */
export function mediaTypeOf(
	head: Buffer,
	source: string,
	options: { contentType?: string; kinds?: readonly MediaKind[] } = {},
): MediaType {
	const kinds = options.kinds ?? ['image'];
	const type = sniffMediaType(head);
	if (!type || !kinds.includes(type.kind)) {
		throw new NotMediaError(source, options.contentType, head, describeKinds(kinds));
	}
	return type;
}

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

function jpegDimensions(bytes: Buffer): { width: number; height: number } | undefined {
	let offset = 2;
	while (offset + 9 < bytes.length) {
		if (bytes[offset] !== 0xff) return undefined;
		const marker = bytes[offset + 1];
		// SOF0-SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
		if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
			return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
		}
		offset += 2 + bytes.readUInt16BE(offset + 2);
	}
	return undefined;
}

function webpDimensions(bytes: Buffer): { width: number; height: number } | undefined {
	const chunk = bytes.toString('latin1', 12, 16);
	if (chunk === 'VP8 ') {
		return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
	}
	if (chunk === 'VP8L') {
		const bits = bytes.readUInt32LE(21);
		return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
	}
	if (chunk === 'VP8X') {
		return { width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
	}
	return undefined;
}

/** An image a request may name: an http(s) link, or a `data:image/…` URL. */
export function isImageSource(url: string): boolean {
	return /^https?:\/\//i.test(url) || /^data:image\//i.test(url);
}

/** An image or video a reply may link to: an http(s) link, or a `data:image/…` / `data:video/…` URL. */
function isMediaSource(url: string): boolean {
	return isImageSource(url) || /^data:video\//i.test(url);
}

function trimPunctuation(url: string): string {
	return url.replace(/[.,;:!?。，]+$/, '');
}

function unique(values: string[]): string[] {
	return [...new Set(values)];
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
