import { bodyShape } from './error-body';

/**
 * What a file is, from its first bytes whatever a server's content-type claims: images, videos
 * and audio, one table and one type shape; and the image's size from its header.
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

const SIGNATURES: Array<{ type: MediaType; container?: boolean; matches: (b: Buffer) => boolean }> = [
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
	// Audio: what speech answers are and what transcription takes; these say they hold sound only.
	{ type: audio('audio/wav', 'wav'), matches: (b) => b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WAVE' },
	{ type: audio('audio/flac', 'flac'), matches: (b) => b.length >= 12 && b.toString('latin1', 0, 4) === 'fLaC' },
	{ type: audio('audio/ogg', 'opus'), matches: (b) => b.length >= 12 && b.toString('latin1', 0, 4) === 'OggS' && b.toString('latin1', 28, 36) === 'OpusHead' },
	{ type: audio('audio/ogg', 'ogg'), matches: (b) => b.length >= 12 && b.toString('latin1', 0, 4) === 'OggS' },
	{ type: audio('audio/mp4', 'm4a'), matches: (b) => b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp' && /^(M4A |M4B |M4P )$/.test(b.toString('latin1', 8, 12)) },
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
	// Where only audio may be, an MP4 or Matroska container is the recording it holds (`container`:
	// skipped where a video may be).
	{ type: audio('video/mp4', 'mp4'), container: true, matches: (b) => b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp' },
	{ type: audio('audio/webm', 'webm'), container: true, matches: (b) => b.length >= 12 && b.readUInt32BE(0) === 0x1a45dfa3 },
	// MPEG frames after an optional ID3 tag: Layer III is MP3, the ADTS layer 0 is AAC.
	{ type: audio('audio/aac', 'aac'), matches: (b) => mpegLayer(b) === 0 && (b[afterId3(b) + 1] & 0xf6) === 0xf0 },
	{ type: audio('audio/mpeg', 'mp3'), matches: (b) => (mpegLayer(b) ?? 0) > 0 },
];

function audio(mimeType: string, extension: string): MediaType {
	return { kind: 'audio', mimeType, extension };
}

/** Where the first audio frame starts: after an ID3v2 tag, if there is one. */
function afterId3(bytes: Buffer): number {
	if (bytes.length < 10 || bytes.toString('latin1', 0, 3) !== 'ID3') return 0;
	const size = ((bytes[6] & 0x7f) << 21) | ((bytes[7] & 0x7f) << 14) | ((bytes[8] & 0x7f) << 7) | (bytes[9] & 0x7f);
	const footer = bytes[5] & 0x10 ? 10 : 0;
	return 10 + size + footer;
}

/** The layer bits of the first MPEG frame, or undefined where no frame sync starts it. */
function mpegLayer(bytes: Buffer): number | undefined {
	if (bytes.length < 12) return undefined;
	const frame = afterId3(bytes);
	if (frame + 2 > bytes.length || bytes[frame] !== 0xff || (bytes[frame + 1] & 0xe0) !== 0xe0) return undefined;
	return (bytes[frame + 1] >> 1) & 0x03;
}

// QuickTime files from before the ftyp box start with one of these atoms.
const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip']);
// HEIF / AVIF still images share the ISO container.
const ISO_IMAGE_BRANDS = new Set(['avif', 'avis', 'heic', 'heix', 'hevc', 'mif1', 'msf1']);

/**
 * The file type from the first bytes, of one of `kinds` (default: any), whatever a server's
 * content-type claims. Where a video may be, an MP4 or WebM that does not say it holds only sound
 * is a video; where only audio may be, it is the recording it holds.
 */
export function sniffMediaType(bytes: Buffer, kinds: readonly MediaKind[] = ['image', 'video', 'audio']): MediaType | undefined {
	const videoToo = kinds.includes('video');
	return SIGNATURES.find(
		(signature) => kinds.includes(signature.type.kind) && !(signature.container && videoToo) && signature.matches(bytes),
	)?.type;
}

/**
 * The audio container: WAV, FLAC, Ogg (Opus or Vorbis), MP4 / M4A, WebM, MP3 or AAC. Undefined
 * for anything else, PCM included (it has no header).
 */
export function sniffAudioType(bytes: Buffer): MediaType | undefined {
	return sniffMediaType(bytes, ['audio']);
}

/** What a file of these kinds is called in a message: "an image", "an image or a video", "audio". */
function describeKinds(kinds: readonly MediaKind[]): string {
	const names: Record<MediaKind, string> = { image: 'an image', video: 'a video', audio: 'audio' };
	return kinds.map((kind) => names[kind]).join(' or ');
}

/** The image format from the file's first bytes; undefined for anything else, videos included. */
export function sniffImageType(bytes: Buffer): ImageType | undefined {
	return sniffMediaType(bytes, ['image']) as ImageType | undefined;
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
