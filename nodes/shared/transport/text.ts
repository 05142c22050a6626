/** Small text helpers shared by the transport and the n8n side. */

/** `text` cut to `max` characters, with an ellipsis when something was cut. */
export function truncate(text: string, max: number): string {
	return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string or a number, as text; anything else is undefined. */
export function asText(value: unknown): string | undefined {
	if (typeof value === 'string' && value !== '') return value;
	if (typeof value === 'number') return String(value);
	return undefined;
}

/**
 * The text of a message's content: the string itself, or the text parts joined (some relays
 * answer in content parts); undefined when there is none.
 */
export function contentText(content: unknown): string | undefined {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return undefined;
	const texts = content.filter((part) => isRecord(part) && part.type === 'text' && typeof part.text === 'string');
	return texts.length ? texts.map((part) => (part as { text: string }).text).join('') : undefined;
}

export function formatMs(ms: number): string {
	return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

export function formatBytes(bytes: number): string {
	if (bytes >= 1024 * 1024) return `${+(bytes / 1024 / 1024).toFixed(1)} MB`;
	if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
	return `${bytes} B`;
}

const STATUS_TEXT: Record<number, string> = {
	301: 'Moved Permanently',
	302: 'Found',
	303: 'See Other',
	307: 'Temporary Redirect',
	308: 'Permanent Redirect',
	400: 'Bad Request',
	401: 'Unauthorized',
	402: 'Payment Required',
	403: 'Forbidden',
	404: 'Not Found',
	408: 'Request Timeout',
	409: 'Conflict',
	413: 'Payload Too Large',
	422: 'Unprocessable Entity',
	429: 'Too Many Requests',
	500: 'Internal Server Error',
	501: 'Not Implemented',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
	504: 'Gateway Timeout',
};

export function describeStatus(status: number): string {
	const text = STATUS_TEXT[status];
	return text ? `${status} ${text}` : `HTTP ${status}`;
}

/** An http:// or https:// URL (the only ones we send to or download from). */
export function isHttpUrl(url: URL | string): boolean {
	const protocol = typeof url === 'string' ? /^([a-z][a-z0-9+.-]*:)/i.exec(url)?.[1]?.toLowerCase() : url.protocol;
	return protocol === 'http:' || protocol === 'https:';
}
