/**
 * Big base64 values (gpt-image-1's `b64_json`: megabytes per image) decoded straight from the
 * bytes of a JSON body. The usual way (body -> string -> JSON.parse -> base64 strings ->
 * Buffer.from) holds three or four copies of the images at once; here the body bytes are read
 * once, each value is decoded slice by slice into its own Buffer, and only the small rest of the
 * JSON is parsed, with a marker where each value was (see bench/RESULTS.md, "images").
 */

/** Characters decoded at a time: a multiple of 4, small enough that each slice dies young. */
const SLICE_CHARS = 1 << 16;
/** Shorter values are left in the JSON: not worth the detour. */
const MIN_CHARS = 1024;
const MARKER = '\u0000deerapi-base64:';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

function isSpace(byte: number | undefined): boolean {
	return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

export interface ExtractedBody {
	/** The JSON text with a marker string in place of each extracted value. */
	text: string;
	values: Buffer[];
}

/**
 * Finds `"<field>": "<base64>"` in a JSON body and decodes the values. A value with a backslash
 * (a JSON escape) is left alone, to be parsed the usual way.
 */
export function extractBase64Fields(body: Buffer, field: string): ExtractedBody {
	const key = Buffer.from(`"${field}"`);
	const values: Buffer[] = [];
	const pieces: string[] = [];
	let copied = 0;
	let position = 0;
	for (;;) {
		const at = body.indexOf(key, position);
		if (at < 0) break;
		position = at + key.length;
		if (at > 0 && body[at - 1] === BACKSLASH) continue; // the name inside another string
		let i = position;
		while (isSpace(body[i])) i++;
		if (body[i] !== COLON) continue;
		i++;
		while (isSpace(body[i])) i++;
		if (body[i] !== QUOTE) continue;
		const start = i + 1;
		const end = body.indexOf(QUOTE, start);
		if (end < 0) break;
		position = end + 1;
		const backslash = body.indexOf(BACKSLASH, start);
		if (end - start < MIN_CHARS || (backslash >= 0 && backslash < end)) continue;

		let padding = 0;
		if (body[end - 1] === 0x3d) padding++;
		if (body[end - 2] === 0x3d) padding++;
		const decoded = Buffer.allocUnsafe(Math.floor(((end - start) * 3) / 4) - padding);
		let written = 0;
		for (let from = start; from < end; from += SLICE_CHARS) {
			written += decoded.write(body.toString('latin1', from, Math.min(end, from + SLICE_CHARS)), written, 'base64');
		}
		pieces.push(body.toString('utf8', copied, start), `\\u0000deerapi-base64:${values.length}`);
		values.push(written === decoded.length ? decoded : decoded.subarray(0, written));
		copied = end;
	}
	if (values.length === 0) return { text: body.toString('utf8'), values };
	pieces.push(body.toString('utf8', copied));
	return { text: pieces.join(''), values };
}

/**
 * Puts the decoded values back into the parsed body: `<field>` becomes "" and `<field>_bytes`
 * holds the Buffer (so `b64_json` -> `b64_json: ""` + `b64_json_bytes: Buffer`).
 */
export function restoreBase64Fields(parsed: unknown, values: Buffer[], field: string): void {
	if (values.length === 0 || typeof parsed !== 'object' || parsed === null) return;
	if (Array.isArray(parsed)) {
		for (const entry of parsed) restoreBase64Fields(entry, values, field);
		return;
	}
	const record = parsed as Record<string, unknown>;
	for (const [name, value] of Object.entries(record)) {
		if (name === field && typeof value === 'string' && value.startsWith(MARKER)) {
			record[name] = '';
			record[`${name}_bytes`] = values[Number(value.slice(MARKER.length))];
		} else if (typeof value === 'object' && value !== null) {
			restoreBase64Fields(value, values, field);
		}
	}
}
