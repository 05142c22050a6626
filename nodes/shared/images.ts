import { RelayDownloadError, type RelayClient } from './transport';

export interface ImageType {
	mimeType: string;
	extension: string;
}

export interface Image extends ImageType {
	bytes: Buffer;
	width?: number;
	height?: number;
	/** Where it came from: the http(s) URL, or undefined for base64 and data URLs. */
	url?: string;
}

/** Bytes that should have been an image and are not (an HTML error page, JSON, …). */
export class NotAnImageError extends Error {
	readonly code = 'DEERAPI_NOT_AN_IMAGE';

	constructor(
		readonly source: string,
		readonly contentType: string | undefined,
		readonly head: string,
	) {
		super(
			`${source} is not an image${contentType ? ` (content-type ${contentType})` : ''}: it starts with "${head}"`,
		);
		this.name = 'NotAnImageError';
	}
}

const MARKDOWN_IMAGE = /!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const MARKDOWN_LINK = /(?<!!)\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const BARE_URL = /(?<![(<\w])https?:\/\/[^\s<>()"'\]]+/g;
// Progress links ("[100](url)", "[61%](url)") point at the job, not at a finished picture.
const PROGRESS_LINK_TEXT = /^\s*\d+(\.\d+)?\s*%?\s*$/;

/**
 * The result images in a chat answer of an image model (gpt-4o-image, gpt-image-1 via chat,
 * Gemini image models): the targets of Markdown images `![…](…)`. When there are none, plain
 * links and bare URLs outside progress lines, so a relay that answers "[download](url)" or a
 * bare URL still yields its picture; `links: false` turns that fallback off.
 */
export function findImageUrls(
	content: string | null | undefined,
	options: { links?: boolean } = {},
): string[] {
	if (!content) return [];
	const images = unique([...content.matchAll(MARKDOWN_IMAGE)].map((match) => match[1]));
	// A text model's answer often links to web pages: only image models' links are pictures.
	if (images.length || options.links === false) return images.filter(isImageSource);

	const urls: string[] = [];
	for (const line of content.split('\n')) {
		if (/^\s*>/.test(line)) continue;
		for (const match of line.matchAll(MARKDOWN_LINK)) {
			if (!PROGRESS_LINK_TEXT.test(match[1])) urls.push(match[2]);
		}
		const withoutLinks = line.replace(MARKDOWN_LINK, ' ');
		for (const match of withoutLinks.matchAll(BARE_URL)) urls.push(trimPunctuation(match[0]));
	}
	return unique(urls).filter(isImageSource);
}

const SIGNATURES: Array<{ type: ImageType; matches: (b: Buffer) => boolean }> = [
	{
		type: { mimeType: 'image/png', extension: 'png' },
		matches: (b) => b.length > 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a,
	},
	{
		type: { mimeType: 'image/jpeg', extension: 'jpg' },
		matches: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
	},
	{
		type: { mimeType: 'image/webp', extension: 'webp' },
		matches: (b) => b.length > 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
	},
	{
		type: { mimeType: 'image/gif', extension: 'gif' },
		matches: (b) => b.length > 6 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6)),
	},
	{
		type: { mimeType: 'image/avif', extension: 'avif' },
		matches: (b) => b.length > 12 && b.toString('latin1', 4, 12) === 'ftypavif',
	},
	{
		type: { mimeType: 'image/bmp', extension: 'bmp' },
		matches: (b) => b.length > 26 && b.toString('latin1', 0, 2) === 'BM',
	},
];

/** The image format from the file's first bytes, whatever a server's content-type claims. */
export function sniffImageType(bytes: Buffer): ImageType | undefined {
	return SIGNATURES.find((signature) => signature.matches(bytes))?.type;
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

/** Bytes of a `data:image/…;base64,…` URL, or undefined for any other URL. */
export function decodeDataUrl(url: string): Buffer | undefined {
	const match = /^data:([^;,]*)(;base64)?,/i.exec(url);
	if (!match) return undefined;
	const payload = url.slice(match[0].length);
	return match[2] ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'latin1');
}

/** Bytes known to be an image, with their type and size; `source` names them in errors. */
export function asImage(
	bytes: Buffer,
	source: string,
	contentType?: string,
	url?: string,
): Image {
	const type = sniffImageType(bytes);
	if (!type) {
		const head = bytes.toString('utf8', 0, 60).replace(/\s+/g, ' ').trim();
		throw new NotAnImageError(source, contentType, head);
	}
	return { ...type, ...imageDimensions(bytes, type), bytes, url };
}

export interface FetchImageOptions {
	signal?: AbortSignal;
	maxBytes?: number;
	timeoutMs?: number;
	maxRetries?: number;
}

/**
 * An image from an http(s) URL (downloaded through the relay client) or a data URL. Every
 * failure but a cancel is a RelayDownloadError naming the link.
 */
export async function fetchImage(
	client: RelayClient,
	url: string,
	options: FetchImageOptions = {},
): Promise<Image> {
	try {
		const inline = decodeDataUrl(url);
		if (inline) return asImage(inline, 'The inline (data URL) image');
		const download = await client.download(url, options);
		return asImage(download.bytes, `The file at ${url}`, download.contentType, url);
	} catch (error) {
		if (!(error instanceof NotAnImageError)) throw error;
		throw new RelayDownloadError('not-image', error.message, { url, cause: error });
	}
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

function trimPunctuation(url: string): string {
	return url.replace(/[.,;:!?。，]+$/, '');
}

function unique(values: string[]): string[] {
	return [...new Set(values)];
}
