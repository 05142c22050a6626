import { RelayConfigError } from './errors';
import { isHttpUrl } from './text';

export const DEFAULT_BASE_URL = 'https://api.deerapi.com';

// A path that already ends in a version segment is the API root as the relay documents it:
// DeerAPI and one-api use /v1, but Volcengine Ark serves /api/v3 and Zhipu /api/paas/v4.
const VERSION_SEGMENT = /\/v\d+$/;

// Users paste an endpoint instead of the base ("…/v1/chat/completions"); cut it back to the root.
const ENDPOINT_SUFFIX = /\/(chat\/completions|images\/generations|models)$/;

/**
 * The API root every endpoint path is appended to, e.g. "https://api.deerapi.com/v1".
 * Accepts the forms users paste: with or without "/v1", with or without a trailing slash,
 * and keeps any path prefix ("https://host/openai/v1").
 */
export function normalizeBaseUrl(input: string | undefined): string {
	const text = (input ?? '').trim() || DEFAULT_BASE_URL;
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new RelayConfigError(
			`Base URL "${text}" is not a valid URL: use the form https://api.deerapi.com`,
		);
	}
	if (!isHttpUrl(url)) {
		throw new RelayConfigError(
			`Base URL "${text}" must start with http:// or https:// (got "${url.protocol}")`,
		);
	}
	let path = url.pathname.replace(/\/+$/, '');
	path = path.replace(ENDPOINT_SUFFIX, '');
	if (!VERSION_SEGMENT.test(path)) path += '/v1';
	return `${url.origin}${path}`;
}

/**
 * The full URL of an endpoint below a normalised API root ("chat/completions"), or, for a path
 * that starts with "/", below the relay's own root: the API root without its version segment,
 * any prefix kept. new-api serves its task routes there, beside /v1 ("/suno/fetch/{id}").
 */
export function endpointUrl(apiRoot: string, endpoint: string): string {
	if (endpoint.startsWith('/')) return `${apiRoot.replace(VERSION_SEGMENT, '')}/${endpoint.replace(/^\/+/, '')}`;
	return `${apiRoot}/${endpoint}`;
}
