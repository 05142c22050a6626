import { encodeImage, encodePngGrid, readImageInfo, type Rgb } from '../../sandbox/image-bytes';
import { decodePng, pixelAt } from './png';

describe('sandbox image encoders', () => {
	it('writes a solid PNG that inflates to the right pixels', () => {
		const png = encodeImage('png', { width: 300, height: 200, rgb: [10, 20, 30] });
		const decoded = decodePng(png);
		expect(decoded).toMatchObject({ width: 300, height: 200, chunkTypes: ['IHDR', 'IDAT', 'IEND'] });
		for (let i = 0; i < decoded.pixels.length; i += 3) {
			if (decoded.pixels[i] !== 10 || decoded.pixels[i + 1] !== 20 || decoded.pixels[i + 2] !== 30) {
				throw new Error(`pixel ${i / 3} is wrong`);
			}
		}
		expect(png.length).toBeLessThan(2000);
	});

	it('writes a 2x2 grid PNG: four flat quadrants, odd sizes split with the extra pixel on the left and top', () => {
		const quadrants: [Rgb, Rgb, Rgb, Rgb] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [9, 9, 9]];
		const png = encodePngGrid(101, 51, quadrants);
		expect(decodePng(png)).toMatchObject({ width: 101, height: 51, chunkTypes: ['IHDR', 'IDAT', 'IEND'] });
		expect(pixelAt(png, 0, 0)).toEqual([255, 0, 0]);
		expect(pixelAt(png, 50, 25)).toEqual([255, 0, 0]);
		expect(pixelAt(png, 51, 25)).toEqual([0, 255, 0]);
		expect(pixelAt(png, 50, 26)).toEqual([0, 0, 255]);
		expect(pixelAt(png, 100, 50)).toEqual([9, 9, 9]);
	});

	it('is fast and small for 2048x2048', () => {
		const started = Date.now();
		const png = encodeImage('png', { width: 2048, height: 2048, rgb: [1, 2, 3] });
		expect(Date.now() - started).toBeLessThan(1500);
		expect(png.length).toBeLessThan(40_000);
		expect(readImageInfo(png)).toEqual({ format: 'png', width: 2048, height: 2048 });
	});

	it('writes a noisy PNG of about targetBytes that still decodes', () => {
		const png = encodeImage('png', { width: 256, height: 256, rgb: [200, 0, 0], targetBytes: 100_000 });
		expect(Math.abs(png.length - 100_000)).toBeLessThan(3000);
		const decoded = decodePng(png);
		const lastPixel = decoded.pixels.subarray(decoded.pixels.length - 3);
		expect([...lastPixel]).toEqual([200, 0, 0]);
		const distinct = new Set(decoded.pixels.subarray(0, 3000));
		expect(distinct.size).toBeGreaterThan(200);
	});

	it('pads a noisy PNG with a skippable chunk when pixels are not enough', () => {
		const png = encodeImage('png', { width: 16, height: 16, rgb: [0, 0, 0], targetBytes: 50_000 });
		expect(png.length).toBe(50_000);
		const decoded = decodePng(png);
		expect(decoded.chunkTypes).toEqual(['IHDR', 'IDAT', 'noIs', 'IEND']);
		// Lower-case first letter: ancillary, so decoders may skip it.
		expect(decoded.chunkTypes[2][0]).toMatch(/[a-z]/);
	});

	it('writes a baseline JPEG with the asked size and a complete marker structure', () => {
		for (const targetBytes of [undefined, 150_000]) {
			const jpeg = encodeImage('jpeg', { width: 1000, height: 700, rgb: [255, 255, 255], targetBytes });
			expect(readImageInfo(jpeg)).toEqual({ format: 'jpeg', width: 1000, height: 700 });
			expect(jpeg.subarray(0, 2).toString('hex')).toBe('ffd8');
			expect(jpeg.subarray(-2).toString('hex')).toBe('ffd9');
			const markers: number[] = [];
			let offset = 2;
			while (jpeg[offset] === 0xff && jpeg[offset + 1] !== 0xda) {
				markers.push(jpeg[offset + 1]);
				offset += 2 + jpeg.readUInt16BE(offset + 2);
			}
			markers.push(0xda);
			const expected = targetBytes ? 'e0,fe,fe,fe,db,c0,c4,da' : 'e0,db,c0,c4,da';
			expect(markers.map((m) => m.toString(16)).join(',')).toBe(expected);
			const entropy = jpeg.subarray(offset + 2 + jpeg.readUInt16BE(offset + 2), -2);
			for (let i = 0; i < entropy.length - 1; i++) {
				if (entropy[i] === 0xff) expect(entropy[i + 1]).toBe(0);
			}
			if (targetBytes) expect(Math.abs(jpeg.length - targetBytes)).toBeLessThan(10);
		}
	});

	it('writes a lossless WebP with consistent RIFF sizes', () => {
		const webp = encodeImage('webp', { width: 1536, height: 1024, rgb: [9, 8, 7] });
		expect(webp.toString('latin1', 0, 4)).toBe('RIFF');
		expect(webp.readUInt32LE(4)).toBe(webp.length - 8);
		expect(webp.toString('latin1', 8, 16)).toBe('WEBPVP8L');
		expect(webp[20]).toBe(0x2f);
		expect(readImageInfo(webp)).toEqual({ format: 'webp', width: 1536, height: 1024 });

		const padded = encodeImage('webp', { width: 64, height: 64, rgb: [9, 8, 7], targetBytes: 20_000 });
		expect(padded.readUInt32LE(4)).toBe(padded.length - 8);
		expect(padded.toString('latin1', 12, 16)).toBe('VP8X');
		expect(Math.abs(padded.length - 20_000)).toBeLessThan(4);
		expect(readImageInfo(padded)).toEqual({ format: 'webp', width: 64, height: 64 });
		let offset = 12;
		const fourccs: string[] = [];
		while (offset < padded.length) {
			fourccs.push(padded.toString('latin1', offset, offset + 4));
			const size = padded.readUInt32LE(offset + 4);
			offset += 8 + size + (size % 2);
		}
		expect(offset).toBe(padded.length);
		expect(fourccs).toEqual(['VP8X', 'VP8L', 'NOIS']);
	});

	it('embeds a 1x1 GIF', () => {
		const gif = encodeImage('gif', { width: 500, height: 500, rgb: [0, 0, 0] });
		expect(gif.toString('latin1', 0, 6)).toBe('GIF89a');
		expect(readImageInfo(gif)).toEqual({ format: 'gif', width: 1, height: 1 });
		expect(gif[gif.length - 1]).toBe(0x3b);
	});

	it('recognises no image in HTML or empty bytes', () => {
		expect(readImageInfo(Buffer.from('<html></html>'))).toBeUndefined();
		expect(readImageInfo(Buffer.alloc(0))).toBeUndefined();
	});
});
