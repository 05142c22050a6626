/** Reading the headers of an answer as undici gives them (lower-case names, repeated ones as lists). */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** The request id one-api, new-api and OpenAI put on every answer, in that order of preference. */
const REQUEST_ID_HEADERS = ['x-oneapi-request-id', 'x-new-api-request-id', 'x-request-id'];

/** The first value of a header that may be repeated. */
export function firstValue(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

export function contentLength(headers: ResponseHeaders): number | undefined {
	const value = Number(firstValue(headers['content-length']));
	return firstValue(headers['content-length']) !== undefined && Number.isSafeInteger(value) && value >= 0
		? value
		: undefined;
}

export function contentType(headers: ResponseHeaders): string | undefined {
	return firstValue(headers['content-type']);
}

export function requestIdHeader(headers: ResponseHeaders): string | undefined {
	for (const name of REQUEST_ID_HEADERS) {
		const value = firstValue(headers[name]);
		if (value) return value;
	}
	return undefined;
}
