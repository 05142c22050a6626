/** Reading generated PNGs back in tests: every chunk's CRC checked, the pixels inflated. */
import { inflateSync } from 'node:zlib';
import { crc32 } from '../../sandbox/image-bytes';

interface PngChunk {
	type: string;
	data: Buffer;
}

/** Walks a PNG, checking every CRC on the way. */
export function pngChunks(png: Buffer): PngChunk[] {
	expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
	const chunks: PngChunk[] = [];
	let offset = 8;
	while (offset < png.length) {
		const length = png.readUInt32BE(offset);
		const type = png.toString('latin1', offset + 4, offset + 8);
		const data = png.subarray(offset + 8, offset + 8 + length);
		expect(png.readUInt32BE(offset + 8 + length)).toBe(crc32([png.subarray(offset + 4, offset + 8), data]));
		chunks.push({ type, data });
		offset += 12 + length;
	}
	expect(offset).toBe(png.length);
	return chunks;
}

export function decodePng(png: Buffer): { width: number; height: number; pixels: Buffer; chunkTypes: string[] } {
	const chunks = pngChunks(png);
	const ihdr = chunks[0];
	expect(ihdr.type).toBe('IHDR');
	const width = ihdr.data.readUInt32BE(0);
	const height = ihdr.data.readUInt32BE(4);
	expect([...ihdr.data.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
	const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
	const rowBytes = 1 + width * 3;
	expect(raw.length).toBe(rowBytes * height);
	const pixels = Buffer.alloc(width * height * 3);
	for (let y = 0; y < height; y++) {
		expect(raw[y * rowBytes]).toBe(0);
		raw.copy(pixels, y * width * 3, y * rowBytes + 1, (y + 1) * rowBytes);
	}
	return { width, height, pixels, chunkTypes: chunks.map((c) => c.type) };
}

/** The RGB of the pixel at (x, y). */
export function pixelAt(png: Buffer, x: number, y: number): [number, number, number] {
	const { width, pixels } = decodePng(png);
	const offset = (y * width + x) * 3;
	return [pixels[offset], pixels[offset + 1], pixels[offset + 2]];
}
