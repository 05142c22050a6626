/**
 * Real, decodable image files built from scratch with node:zlib only.
 *
 * - PNG: generated, any size, RGB 8-bit. Solid colour, or with `targetBytes` the first rows are
 *   random pixels (stored, not deflated, so they cost exactly their size) and a private
 *   ancillary chunk pads the file when even all-noise pixels are not enough.
 * - JPEG: generated baseline JPEG of one flat colour, any size (DC-only blocks). With
 *   `targetBytes` the file is padded with COM segments of random bytes: the pixels stay flat.
 * - WebP: generated lossless VP8L of one flat colour, any size up to 16384 (five single-symbol
 *   prefix codes, so the pixel data takes zero bits). With `targetBytes` it switches to the
 *   extended (VP8X) layout and appends an unknown chunk of random bytes, which decoders skip.
 * - GIF: embedded, 1x1 (the classic 43-byte transparent pixel); only /files/sample.gif uses it.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync, deflateSync } from 'node:zlib';

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';
export type Rgb = [number, number, number];

export interface ImageSpec {
	width: number;
	height: number;
	rgb: Rgb;
	/** Unset: as small as the format allows. Set: about this many bytes, made of noise. */
	targetBytes?: number;
	/** PNG only: an alpha channel (RGBA) of this opacity, 0 = fully transparent (an edit mask). */
	alpha?: number;
}

export const MIME_TYPES: Record<ImageFormat, string> = {
	png: 'image/png',
	jpeg: 'image/jpeg',
	webp: 'image/webp',
	gif: 'image/gif',
};

export const FILE_EXTENSIONS: Record<ImageFormat, string> = {
	png: 'png',
	jpeg: 'jpg',
	webp: 'webp',
	gif: 'gif',
};

const GIF_1X1 = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export function encodeImage(format: ImageFormat, spec: ImageSpec): Buffer {
	switch (format) {
		case 'png':
			return encodePng(spec);
		case 'jpeg':
			return encodeJpeg(spec);
		case 'webp':
			return encodeWebp(spec);
		case 'gif':
			return Buffer.from(GIF_1X1);
	}
}

// ---------------------------------------------------------------- checksums

const CRC_TABLE = (() => {
	const table = new Int32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c;
	}
	return table;
})();

export function crc32(parts: Buffer[]): number {
	let crc = -1;
	for (const buf of parts) {
		for (let i = 0; i < buf.length; i++) crc = CRC_TABLE[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
	}
	return (crc ^ -1) >>> 0;
}

class Adler32 {
	private a = 1;
	private b = 0;

	update(buf: Buffer): void {
		let { a, b } = this;
		let i = 0;
		while (i < buf.length) {
			// 5552 is the largest run whose sums cannot overflow before the modulo.
			const end = Math.min(i + 5552, buf.length);
			for (; i < end; i++) {
				a += buf[i];
				b += a;
			}
			a %= 65521;
			b %= 65521;
		}
		this.a = a;
		this.b = b;
	}

	digest(): number {
		return ((this.b << 16) | this.a) >>> 0;
	}
}

// ---------------------------------------------------------------- PNG

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Ancillary, private, safe-to-copy: every decoder skips it. */
const PNG_PADDING_CHUNK = 'noIs';
const PNG_FIXED_OVERHEAD = 8 + 25 + 12 + 12 + 2 + 4;

function pngChunk(type: string, data: Buffer): Buffer[] {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(data.length, 0);
	head.write(type, 4, 'latin1');
	const tail = Buffer.alloc(4);
	tail.writeUInt32BE(crc32([head.subarray(4), data]), 0);
	return [head, data, tail];
}

function storedDeflateBlocks(data: Buffer, final: boolean): Buffer[] {
	const out: Buffer[] = [];
	for (let offset = 0; offset < data.length || (final && out.length === 0); offset += 65535) {
		const piece = data.subarray(offset, offset + 65535);
		const last = offset + 65535 >= data.length;
		const head = Buffer.alloc(5);
		head[0] = final && last ? 1 : 0;
		head.writeUInt16LE(piece.length, 1);
		head.writeUInt16LE(piece.length ^ 0xffff, 3);
		out.push(head, piece);
	}
	return out;
}

function solidRows(width: number, rows: number, pixel: number[]): Buffer {
	const row = Buffer.alloc(1 + width * pixel.length);
	for (let x = 0; x < width; x++) row.set(pixel, 1 + x * pixel.length);
	const raw = Buffer.alloc(row.length * rows);
	if (rows > 0) raw.fill(row);
	return raw;
}

export function encodePng({ width, height, rgb, targetBytes, alpha }: ImageSpec): Buffer {
	const pixel = alpha === undefined ? [...rgb] : [...rgb, alpha];
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = alpha === undefined ? 2 : 6; // RGB or RGBA
	const rowBytes = 1 + width * pixel.length;

	let idat: Buffer;
	let padding = 0;
	if (targetBytes === undefined) {
		idat = deflateSync(solidRows(width, height, pixel));
	} else {
		const budget = Math.max(0, targetBytes - PNG_FIXED_OVERHEAD);
		// Flat rows still cost something once deflated (about 1/590 of their raw size).
		const flatEstimate = Math.ceil((height * rowBytes) / 590);
		const noiseRowCount = Math.min(height, Math.max(0, Math.floor((budget - flatEstimate) / rowBytes)));
		const noise = randomBytes(noiseRowCount * rowBytes);
		for (let y = 0; y < noiseRowCount; y++) noise[y * rowBytes] = 0; // filter: none
		const solid = solidRows(width, height - noiseRowCount, pixel);
		const adler = new Adler32();
		adler.update(noise);
		adler.update(solid);
		const trailer = Buffer.alloc(4);
		trailer.writeUInt32BE(adler.digest(), 0);
		const parts = [Buffer.from([0x78, 0x01]), ...storedDeflateBlocks(noise, solid.length === 0)];
		if (solid.length > 0) parts.push(deflateRawSync(solid));
		parts.push(trailer);
		idat = Buffer.concat(parts);
		const storedOverhead = Math.ceil(noise.length / 65535) * 5;
		if (noiseRowCount === height) padding = Math.max(0, budget - noise.length - storedOverhead - 12);
	}

	const chunks = [PNG_SIGNATURE, ...pngChunk('IHDR', ihdr), ...pngChunk('IDAT', idat)];
	if (padding > 0) chunks.push(...pngChunk(PNG_PADDING_CHUNK, randomBytes(padding)));
	chunks.push(...pngChunk('IEND', Buffer.alloc(0)));
	return Buffer.concat(chunks);
}

/**
 * A PNG of four flat quadrants, top left, top right, bottom left, bottom right: a Midjourney
 * grid, whose upscales are single quadrants.
 */
export function encodePngGrid(width: number, height: number, quadrants: [Rgb, Rgb, Rgb, Rgb]): Buffer {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8;
	ihdr[9] = 2;
	const left = Math.ceil(width / 2);
	const top = Math.ceil(height / 2);
	const row = (a: Rgb, b: Rgb) => {
		const bytes = Buffer.alloc(1 + width * 3);
		for (let x = 0; x < width; x++) bytes.set(x < left ? a : b, 1 + x * 3);
		return bytes;
	};
	const rows = [row(quadrants[0], quadrants[1]), row(quadrants[2], quadrants[3])];
	const raw = Buffer.alloc(rows[0].length * height);
	for (let y = 0; y < height; y++) rows[y < top ? 0 : 1].copy(raw, y * rows[0].length);
	return Buffer.concat([
		PNG_SIGNATURE,
		...pngChunk('IHDR', ihdr),
		...pngChunk('IDAT', deflateSync(raw)),
		...pngChunk('IEND', Buffer.alloc(0)),
	]);
}

// ---------------------------------------------------------------- JPEG

class BitWriter {
	private bytes: number[] = [];
	private current = 0;
	private count = 0;

	write(value: number, length: number): void {
		for (let i = length - 1; i >= 0; i--) {
			this.current = (this.current << 1) | ((value >> i) & 1);
			if (++this.count === 8) this.emit();
		}
	}

	/** JPEG pads the last byte with one-bits and escapes 0xFF in entropy data. */
	finish(): Buffer {
		if (this.count > 0) this.write(0xff, 8 - this.count);
		return Buffer.from(this.bytes);
	}

	private emit(): void {
		this.bytes.push(this.current);
		if (this.current === 0xff) this.bytes.push(0);
		this.current = 0;
		this.count = 0;
	}
}

function jpegSegment(marker: number, data: Buffer): Buffer {
	const head = Buffer.alloc(4);
	head[0] = 0xff;
	head[1] = marker;
	head.writeUInt16BE(data.length + 2, 2);
	return Buffer.concat([head, data]);
}

/** Annex K luminance DC table: codes for categories 0..11. */
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

function huffmanCodes(bits: number[], values: number[]): Map<number, { code: number; length: number }> {
	const codes = new Map<number, { code: number; length: number }>();
	let code = 0;
	let k = 0;
	for (let length = 1; length <= 16; length++) {
		for (let i = 0; i < bits[length - 1]; i++) codes.set(values[k++], { code: code++, length });
		code <<= 1;
	}
	return codes;
}

const DC_CODES = huffmanCodes(DC_BITS, DC_VALUES);

export function encodeJpeg({ width, height, rgb, targetBytes }: ImageSpec): Buffer {
	const [r, g, b] = rgb;
	const ycc = [
		0.299 * r + 0.587 * g + 0.114 * b,
		128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
		128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
	].map((v) => Math.min(255, Math.max(0, Math.round(v))));

	const app0 = jpegSegment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]));
	const dqt = jpegSegment(0xdb, Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)]));
	const sof = Buffer.alloc(15);
	sof[0] = 8;
	sof.writeUInt16BE(height, 1);
	sof.writeUInt16BE(width, 3);
	sof[5] = 3;
	for (let c = 0; c < 3; c++) sof.set([c + 1, 0x11, 0], 6 + c * 3);
	// AC table with a single symbol, EOB, coded as "0": every block is DC-only.
	const dht = jpegSegment(
		0xc4,
		Buffer.from([0x00, ...DC_BITS, ...DC_VALUES, 0x10, 1, ...new Array(15).fill(0), 0x00]),
	);
	const sos = jpegSegment(0xda, Buffer.from([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]));

	const bits = new BitWriter();
	const mcuCount = Math.ceil(width / 8) * Math.ceil(height / 8);
	const zeroDiff = DC_CODES.get(0)!;
	for (let c = 0; c < 3; c++) {
		// A flat 8x8 block's only coefficient is 8 * (value - 128) with an all-ones quantiser.
		const diff = 8 * (ycc[c] - 128);
		const magnitude = Math.abs(diff);
		const category = magnitude === 0 ? 0 : Math.floor(Math.log2(magnitude)) + 1;
		const dc = DC_CODES.get(category)!;
		bits.write(dc.code, dc.length);
		if (category > 0) bits.write(diff < 0 ? diff + (1 << category) - 1 : diff, category);
		bits.write(0, 1); // EOB
	}
	for (let i = 1; i < mcuCount; i++) {
		for (let c = 0; c < 3; c++) {
			bits.write(zeroDiff.code, zeroDiff.length);
			bits.write(0, 1);
		}
	}

	const entropy = bits.finish();

	const segments = [Buffer.from([0xff, 0xd8]), app0];
	if (targetBytes !== undefined) {
		const fixed = 2 + app0.length + dqt.length + 4 + sof.length + dht.length + sos.length + 2;
		let remaining = targetBytes - fixed - entropy.length;
		while (remaining > 4) {
			const size = Math.min(65533, remaining - 4);
			segments.push(jpegSegment(0xfe, randomBytes(size)));
			remaining -= size + 4;
		}
	}
	segments.push(dqt, jpegSegment(0xc0, sof), dht, sos, entropy, Buffer.from([0xff, 0xd9]));
	return Buffer.concat(segments);
}

// ---------------------------------------------------------------- WebP

class LsbBitWriter {
	private bytes: number[] = [];
	private current = 0;
	private count = 0;

	write(value: number, length: number): void {
		for (let i = 0; i < length; i++) {
			this.current |= ((value >> i) & 1) << this.count;
			if (++this.count === 8) {
				this.bytes.push(this.current);
				this.current = 0;
				this.count = 0;
			}
		}
	}

	finish(): Buffer {
		if (this.count > 0) this.bytes.push(this.current);
		return Buffer.from(this.bytes);
	}
}

function riffChunk(fourcc: string, data: Buffer): Buffer {
	const head = Buffer.alloc(8);
	head.write(fourcc, 0, 'latin1');
	head.writeUInt32LE(data.length, 4);
	return Buffer.concat(data.length % 2 ? [head, data, Buffer.alloc(1)] : [head, data]);
}

export function encodeWebp({ width, height, rgb, targetBytes }: ImageSpec): Buffer {
	if (width > 16384 || height > 16384) throw new Error('WebP is limited to 16384x16384');
	const bits = new LsbBitWriter();
	bits.write(0x2f, 8);
	bits.write(width - 1, 14);
	bits.write(height - 1, 14);
	bits.write(0, 1); // alpha unused
	bits.write(0, 3); // version
	bits.write(0, 1); // no transform
	bits.write(0, 1); // no colour cache
	bits.write(0, 1); // no meta prefix codes
	// Prefix codes for green, red, blue, alpha, distance: one symbol each, so zero bits per pixel.
	for (const symbol of [rgb[1], rgb[0], rgb[2], 255, 0]) {
		bits.write(1, 1); // simple code
		bits.write(0, 1); // one symbol
		bits.write(1, 1); // symbol stored in 8 bits
		bits.write(symbol, 8);
	}
	const vp8l = riffChunk('VP8L', bits.finish());

	const chunks: Buffer[] = [];
	if (targetBytes === undefined) {
		chunks.push(vp8l);
	} else {
		const vp8x = Buffer.alloc(10);
		vp8x.writeUIntLE(width - 1, 4, 3);
		vp8x.writeUIntLE(height - 1, 7, 3);
		const header = riffChunk('VP8X', vp8x);
		const padding = Math.max(0, targetBytes - 12 - header.length - vp8l.length - 8);
		chunks.push(header, vp8l, riffChunk('NOIS', randomBytes(padding)));
	}
	const body = Buffer.concat(chunks);
	const riff = Buffer.alloc(12);
	riff.write('RIFF', 0, 'latin1');
	riff.writeUInt32LE(body.length + 4, 4);
	riff.write('WEBP', 8, 'latin1');
	return Buffer.concat([riff, body]);
}

// ---------------------------------------------------------------- reading headers back

export interface ImageInfo {
	format: ImageFormat;
	width: number;
	height: number;
}

/**
 * Whether a PNG can carry transparency, as an edit mask must: colour type 4 (grey + alpha) or
 * 6 (RGBA), or a tRNS chunk before the image data.
 */
export function pngHasAlpha(bytes: Buffer): boolean {
	if (bytes.length < 26 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return false;
	if (bytes[25] === 4 || bytes[25] === 6) return true;
	for (let offset = 8; offset + 8 <= bytes.length; ) {
		const type = bytes.toString('latin1', offset + 4, offset + 8);
		if (type === 'tRNS') return true;
		if (type === 'IDAT' || type === 'IEND') return false;
		offset += 12 + bytes.readUInt32BE(offset);
	}
	return false;
}

/** Format and size from the bytes alone, the way a careful client sniffs a download. */
export function readImageInfo(bytes: Buffer): ImageInfo | undefined {
	if (bytes.length >= 24 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
		return { format: 'png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
	}
	if (bytes.length >= 10 && bytes.toString('latin1', 0, 3) === 'GIF') {
		return { format: 'gif', width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
	}
	if (bytes.length >= 30 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
		const fourcc = bytes.toString('latin1', 12, 16);
		if (fourcc === 'VP8X') {
			return { format: 'webp', width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
		}
		if (fourcc === 'VP8L') {
			const b = bytes.readUInt32LE(21);
			return { format: 'webp', width: (b & 0x3fff) + 1, height: ((b >>> 14) & 0x3fff) + 1 };
		}
		if (fourcc === 'VP8 ') {
			return { format: 'webp', width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
		}
		return undefined;
	}
	if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
		let offset = 2;
		while (offset + 9 < bytes.length && bytes[offset] === 0xff) {
			const marker = bytes[offset + 1];
			const length = bytes.readUInt16BE(offset + 2);
			if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
				return { format: 'jpeg', width: bytes.readUInt16BE(offset + 7), height: bytes.readUInt16BE(offset + 5) };
			}
			offset += 2 + length;
		}
	}
	return undefined;
}
