/** Vectors as relays send them: a number array, or with `encoding_format: "base64"` little-endian float32 bytes. */

/** The vector as numbers, or undefined when it is neither a number array nor base64 float32. */
export function decodeEmbedding(value: unknown): number[] | undefined {
	if (Array.isArray(value)) return value.every((entry) => typeof entry === 'number') ? (value as number[]) : undefined;
	if (typeof value !== 'string' || value === '') return undefined;
	const bytes = Buffer.from(value, 'base64');
	if (bytes.length === 0 || bytes.length % 4 !== 0) return undefined;
	const vector = new Array<number>(bytes.length / 4);
	for (let i = 0; i < vector.length; i++) vector[i] = bytes.readFloatLE(i * 4);
	return vector;
}
