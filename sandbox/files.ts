import { createHash, randomBytes } from 'node:crypto';
import { encodeImage, FILE_EXTENSIONS, MIME_TYPES, type ImageFormat, type Rgb } from './image-bytes';
import { raw, type RouteResult } from './responses';

/**
 * Everything under /files/: generated images (kept for the server's life, so URLs never
 * expire) and fixed fixtures for download tests.
 */
interface StoredFile {
	bytes: Buffer;
	contentType: string;
}

/** Generated dimensions are capped so a '4K' request stays fast; the aspect ratio is kept. */
export const MAX_GENERATED_SIDE = 2048;
const SAMPLE_SIZE = { width: 64, height: 48 };
const DEFAULT_BIG_BYTES = 1024 * 1024;
const MAX_BIG_BYTES = 256 * 1024 * 1024;
const ENCODED_CACHE_SIZE = 32;

export interface GeneratedImage {
	id: string;
	/** Path under /files/, e.g. 'gen/abc.png'. */
	name: string;
	bytes: Buffer;
	format: ImageFormat;
	width: number;
	height: number;
}

export class FileStore {
	private readonly files = new Map<string, StoredFile>();
	/** Same format, size, colour and byte budget give the same bytes: encode once. */
	private readonly encoded = new Map<string, Buffer>();
	private bigPng?: { bytes: number; png: Buffer };

	put(name: string, bytes: Buffer, contentType: string): void {
		this.files.set(name, { bytes, contentType });
	}

	get(name: string): StoredFile | undefined {
		return this.files.get(name);
	}

	/**
	 * Encodes an image and serves it at /files/gen/<id>.<ext>, or at /files/gen/<id> when
	 * `extension` is false (some relays hand out links without one).
	 */
	generate(options: {
		format: ImageFormat;
		width: number;
		height: number;
		seed: string;
		targetBytes?: number;
		id?: string;
		extension?: boolean;
	}): GeneratedImage {
		const { format, seed, targetBytes } = options;
		const { width, height } = capSize(options.width, options.height);
		const rgb = colourFor(seed);
		const key = `${format}:${width}x${height}:${rgb.join(',')}:${targetBytes ?? ''}`;
		let bytes = this.encoded.get(key);
		if (!bytes) {
			bytes = encodeImage(format, { width, height, rgb, targetBytes });
			this.encoded.set(key, bytes);
			if (this.encoded.size > ENCODED_CACHE_SIZE) this.encoded.delete(this.encoded.keys().next().value!);
		}
		const id = options.id ?? newFileId();
		const name = options.extension === false ? `gen/${id}` : `gen/${id}.${FILE_EXTENSIONS[format]}`;
		this.put(name, bytes, MIME_TYPES[format]);
		return { id, name, bytes, format, width, height };
	}

	bigPngOf(bytes: number): Buffer {
		if (this.bigPng?.bytes !== bytes) {
			// Square, all noise: raw RGB size is about the byte budget.
			const side = Math.max(1, Math.floor(Math.sqrt(bytes / 3)));
			this.bigPng = { bytes, png: encodeImage('png', { width: side, height: side, rgb: [0, 0, 0], targetBytes: bytes }) };
		}
		return this.bigPng.png;
	}
}

export function newFileId(): string {
	return randomBytes(8).toString('hex');
}

function capSize(width: number, height: number): { width: number; height: number } {
	const scale = Math.min(1, MAX_GENERATED_SIDE / Math.max(width, height));
	return {
		width: Math.max(1, Math.round(width * scale)),
		height: Math.max(1, Math.round(height * scale)),
	};
}

/** A colour per prompt, so different prompts visibly give different pictures. */
export function colourFor(seed: string): Rgb {
	const digest = createHash('sha256').update(seed).digest();
	return [digest[0], digest[1], digest[2]];
}

const LOGIN_PAGE =
	'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Sign in - Corporate Proxy</title></head>\n' +
	'<body><h1>Authentication required</h1><p>Please sign in to continue to the requested resource.</p>\n' +
	'<form method="post" action="/login"><input name="user"><input name="password" type="password">' +
	'<button>Sign in</button></form></body></html>\n';

const NOT_FOUND_PAGE =
	'<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n' +
	'<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

function progressPage(id: string): string {
	return (
		`<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Task ${id}</title></head>\n` +
		`<body><h1>Generation progress</h1><p>Task ${id}: 100%</p></body></html>\n`
	);
}

const SAMPLE_FORMATS: Record<string, ImageFormat> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', webp: 'webp', gif: 'gif' };

/** `name` is the path after '/files/'. */
export function serveFile(store: FileStore, name: string, query: Record<string, string>): RouteResult {
	const stored = store.get(name);
	if (stored) return raw(200, stored.contentType, stored.bytes);

	// Image hosts hand out signed CDN links through redirects.
	if (name === 'redirect' && query.to?.startsWith('/')) {
		return { kind: 'raw', status: 302, contentType: 'text/plain', body: '', headers: { location: query.to } };
	}
	if (name.startsWith('progress/')) return raw(200, 'text/html; charset=utf-8', progressPage(name.slice(9)));
	if (name === 'not-an-image.png') return raw(200, 'text/html; charset=utf-8', LOGIN_PAGE);
	if (name === 'jpeg-as-png.png') {
		return raw(200, 'image/png', encodeImage('jpeg', { ...SAMPLE_SIZE, rgb: [30, 120, 200] }));
	}
	if (name === 'big.png') {
		const requested = Number(query.bytes ?? DEFAULT_BIG_BYTES);
		const bytes = Number.isFinite(requested) ? Math.min(MAX_BIG_BYTES, Math.max(100, Math.floor(requested))) : DEFAULT_BIG_BYTES;
		return raw(200, 'image/png', store.bigPngOf(bytes));
	}
	const sample = /^sample\.(\w+)$/.exec(name);
	const sampleFormat = sample ? SAMPLE_FORMATS[sample[1].toLowerCase()] : undefined;
	if (sampleFormat) {
		return raw(200, MIME_TYPES[sampleFormat], encodeImage(sampleFormat, { ...SAMPLE_SIZE, rgb: [40, 160, 90] }));
	}
	return raw(404, 'text/html; charset=utf-8', NOT_FOUND_PAGE);
}
