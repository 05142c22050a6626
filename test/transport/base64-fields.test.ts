import { randomBytes } from 'node:crypto';

import { extractBase64Fields, restoreBase64Fields } from '../../nodes/shared/transport/base64-fields';

function roundTrip(json: string) {
	const { text, values } = extractBase64Fields(Buffer.from(json), 'b64_json');
	const parsed = JSON.parse(text) as Record<string, any>;
	restoreBase64Fields(parsed, values, 'b64_json');
	return { parsed, values };
}

describe('extractBase64Fields', () => {
	it('decodes every big b64_json value from the bytes and leaves the rest of the JSON as it was', () => {
		const images = [randomBytes(300_001), randomBytes(4096), randomBytes(70_000)];
		const body = {
			created: 1,
			data: images.map((bytes, i) => ({ url: '', b64_json: bytes.toString('base64'), revised_prompt: `ünïcödé ${i} 鹿` })),
			usage: { total_tokens: 3 },
		};
		const { parsed, values } = roundTrip(JSON.stringify(body));
		expect(values).toHaveLength(3);
		parsed.data.forEach((entry: Record<string, any>, i: number) => {
			expect(entry.b64_json).toBe('');
			expect(Buffer.isBuffer(entry.b64_json_bytes)).toBe(true);
			expect(entry.b64_json_bytes.equals(images[i])).toBe(true);
			expect(entry.revised_prompt).toBe(`ünïcödé ${i} 鹿`);
		});
		expect(parsed.usage).toEqual({ total_tokens: 3 });
	});

	it('handles every padding length and whitespace around the colon', () => {
		for (const size of [3000, 3001, 3002]) {
			const bytes = randomBytes(size);
			const { parsed } = roundTrip(`{"data":[{"b64_json" :\n "${bytes.toString('base64')}"}]}`);
			expect(parsed.data[0].b64_json_bytes.equals(bytes)).toBe(true);
		}
	});

	it('leaves short values, escaped values and the name inside other strings to JSON.parse', () => {
		const long = randomBytes(3000).toString('base64');
		const escaped = long.replace(/\//g, '\\/');
		const json = JSON.stringify({ note: 'say "b64_json": "x"', data: [{ b64_json: 'aGk=' }, { b64_json: '' }] }).replace(
			'"data":[',
			`"data":[{"b64_json":"${escaped}"},`,
		);
		const { parsed, values } = roundTrip(json);
		expect(values).toHaveLength(escaped === long ? 1 : 0);
		if (escaped !== long) expect(parsed.data[0].b64_json).toBe(long);
		expect(parsed.note).toBe('say "b64_json": "x"');
		expect(parsed.data[1]).toEqual({ b64_json: 'aGk=' });
		expect(parsed.data[2]).toEqual({ b64_json: '' });
	});

	it('returns the body as text when there is nothing to extract', () => {
		const { text, values } = extractBase64Fields(Buffer.from('{"error":{"message":"nope"}}'), 'b64_json');
		expect(values).toEqual([]);
		expect(text).toBe('{"error":{"message":"nope"}}');
	});
});
