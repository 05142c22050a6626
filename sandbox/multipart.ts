import type { RecordedForm } from './types';

/**
 * A multipart/form-data body as fields and files, parsed by the platform's own `Request.formData()`
 * (undici), so the sandbox judges our multipart by a parser that is not ours. Undefined when the
 * body is not multipart; a body that claims to be and is not parses to `{ error }`.
 */
export async function parseMultipart(
	contentType: string | undefined,
	rawBody: Buffer,
): Promise<RecordedForm | { error: string } | undefined> {
	if (!contentType || !/^multipart\/form-data/i.test(contentType)) return undefined;
	let form: FormData;
	try {
		form = await new Request('http://sandbox.local/', {
			method: 'POST',
			headers: { 'content-type': contentType },
			body: rawBody,
		}).formData();
	} catch (error) {
		return { error: error instanceof Error ? error.message : String(error) };
	}
	const parsed: RecordedForm = { fields: {}, files: [] };
	for (const [name, value] of form.entries()) {
		if (typeof value === 'string') {
			(parsed.fields[name] ??= []).push(value);
		} else {
			parsed.files.push({
				name,
				fileName: value.name,
				contentType: value.type,
				bytes: Buffer.from(await value.arrayBuffer()),
			});
		}
	}
	return parsed;
}
