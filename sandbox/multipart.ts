import type { RecordedForm, RecordedPart } from './types';

/** One part of a multipart body: a text field or a file with its bytes. */
export interface FormPart extends RecordedPart {
	bytes?: Buffer;
}

/**
 * Every part of a multipart/form-data body, in order, parsed by the platform's own
 * `Request.formData()` (undici), so the sandbox judges our multipart by a parser that is not ours.
 * Undefined when the body is not multipart; a body that claims to be and is not parses to `{ error }`.
 */
export async function parseMultipart(
	contentType: string | undefined,
	rawBody: Buffer,
): Promise<FormPart[] | { error: string } | undefined> {
	if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
	let form: FormData;
	try {
		form = await new Request('http://sandbox.invalid/', {
			method: 'POST',
			headers: { 'content-type': contentType },
			body: rawBody,
		}).formData();
	} catch (error) {
		return { error: error instanceof Error ? error.message : String(error) };
	}
	const parts: FormPart[] = [];
	for (const [name, value] of form.entries()) {
		if (typeof value === 'string') {
			parts.push({ name, value, size: Buffer.byteLength(value) });
		} else {
			const bytes = Buffer.from(await value.arrayBuffer());
			parts.push({ name, fileName: value.name, contentType: value.type, size: bytes.length, bytes });
		}
	}
	return parts;
}

/** The parts grouped as fields by name (repeated names keep every value) and files. */
export function groupParts(parts: FormPart[]): RecordedForm {
	const form: RecordedForm = { fields: {}, files: [] };
	for (const part of parts) {
		if (part.bytes) {
			form.files.push({ name: part.name, fileName: part.fileName ?? '', contentType: part.contentType ?? '', bytes: part.bytes });
		} else {
			(form.fields[part.name] ??= []).push(part.value ?? '');
		}
	}
	return form;
}
