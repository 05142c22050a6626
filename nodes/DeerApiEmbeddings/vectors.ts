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

/**
 * The vectors of an answer on the inputs their `index` names (undefined where none does), or why
 * that numbering cannot be trusted. One doubtful index puts the whole answer in doubt: a relay that
 * splits a request and numbers each part from 0, or counts from 1, gives indexes that look right
 * but name another input, so no vector of such an answer is placed. Fewer entries, each rightly
 * numbered, are certain (a relay that cut the input short). A request of one text takes its one
 * vector whatever its index says: there is no other text it could belong to.
 */
export function placeEmbeddings(
	entries: ReadonlyArray<{ index?: unknown; embedding: unknown }>,
	inputs: number,
): { vectors: unknown[] } | { problem: string; description: string } {
	if (inputs === 1 && entries.length === 1) return { vectors: [entries[0].embedding] };
	const texts = `${inputs} text${inputs === 1 ? '' : 's'}`;
	const doubt = (problem: string, noIndex = false) => ({
		problem,
		description:
			`None of the ${entries.length} embeddings of this answer was used: with their numbering in doubt, any of them may belong to another of the ${texts} sent. ` +
			(noIndex
				? 'Relays that leave out "index" can be used with Batch Size 1.'
				: "Relays that split a request into parts and number each part from 0 answer this way: a Batch Size at or below the relay's own limit avoids it."),
	});
	if (entries.length > inputs) return doubt(`it holds ${entries.length} embeddings for the ${texts} sent`);
	if (entries.length > 1 && entries.every((entry) => entry.index === undefined)) {
		return doubt(`none of its ${entries.length} embeddings has an "index"`, true);
	}
	const vectors = new Array<unknown>(inputs);
	const claimedBy = new Map<number, number>();
	for (const [position, { index, embedding }] of entries.entries()) {
		const entry = `embedding ${position + 1} of the answer`;
		if (index === undefined) return doubt(`${entry} has no "index"`, true);
		const shown = `${entry} has "index": ${JSON.stringify(index)}`;
		if (typeof index !== 'number') return doubt(`${shown}, not a number`);
		if (!Number.isInteger(index)) return doubt(`${shown}, not a whole number`);
		if (index < 0 || index >= inputs) return doubt(`${shown}, outside 0 to ${inputs - 1} (the request sent ${texts})`);
		const earlier = claimedBy.get(index);
		if (earlier !== undefined) {
			return doubt(`index ${index} is given to embeddings ${earlier + 1} and ${position + 1} of the answer`);
		}
		claimedBy.set(index, position);
		vectors[index] = embedding;
	}
	return { vectors };
}
