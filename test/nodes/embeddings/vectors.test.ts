/** The vectors of an embeddings answer: number arrays, or base64 little-endian float32. */
import { decodeEmbedding } from '../../../nodes/DeerApiEmbeddings/vectors';

describe('decodeEmbedding', () => {
	it('passes number arrays through and decodes base64 little-endian float32', () => {
		expect(decodeEmbedding([0.25, -1])).toEqual([0.25, -1]);
		const bytes = Buffer.alloc(12);
		[0.5, -0.25, 3].forEach((value, i) => bytes.writeFloatLE(value, i * 4));
		expect(decodeEmbedding(bytes.toString('base64'))).toEqual([0.5, -0.25, 3]);
	});

	it('refuses what is neither', () => {
		expect(decodeEmbedding(['0.5'])).toBeUndefined();
		expect(decodeEmbedding('')).toBeUndefined();
		expect(decodeEmbedding(Buffer.alloc(6).toString('base64'))).toBeUndefined();
		expect(decodeEmbedding({})).toBeUndefined();
		expect(decodeEmbedding(undefined)).toBeUndefined();
	});
});
