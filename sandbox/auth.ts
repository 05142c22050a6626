/** The key of an Authorization header: "Bearer sk-..." or the bare key some relay pages document. */
export function bearerKey(header: string | string[] | undefined): string {
	if (typeof header !== 'string') return '';
	const value = header.trim();
	return /^bearer\s+/i.test(value) ? value.replace(/^bearer\s+/i, '') : value;
}
