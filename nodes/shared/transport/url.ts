import { RelayConfigError } from './errors';
import { isHttpUrl } from './text';

export const DEFAULT_BASE_URL = 'https://api.deerapi.com';

// A path that already ends in a version segment is the API root as the relay documents it:
// DeerAPI and one-api use /v1, but Volcengine Ark serves /api/v3 and Zhipu /api/paas/v4.
const VERSION_SEGMENT = /\/v\d+$/;

/**
 * The endpoints users paste instead of the base, as path templates (`{id}` is one path segment,
 * `…` any rest): the package's own and those of the relay routes it is growing into. Versioned
 * ones sit below the API root ("/v1"); the others (Midjourney, Suno, new-api's usage) below the
 * host root, before any version.
 */
const VERSIONED_ENDPOINTS = [
	'chat/completions',
	'embeddings',
	'audio/speech',
	'audio/transcriptions',
	'audio/translations',
	'images/generations',
	'images/edits',
	'models',
	'models/{id}',
	'videos',
	'videos/{id}',
	'videos/{id}/content',
	'videos/{id}/remix',
	'video/generations',
	'video/generations/{id}',
	'dashboard/billing/subscription',
	'dashboard/billing/usage',
];
const UNVERSIONED_ENDPOINTS = ['mj/…', 'mj-relax/mj/…', 'mj-fast/mj/…', 'mj-turbo/mj/…', 'suno/…', 'api/usage/token'];

// The templates hold only letters, "-", "/" and the two placeholders: nothing else to escape.
function templatePattern(template: string): string {
	return template.replace(/\{id\}/g, '[^/]+').replace(/\/…$/, '(?:/.+)?');
}

// Users paste an endpoint instead of the base ("…/v1/embeddings"): what is before it is the root.
const ENDPOINT_SUFFIX = new RegExp(
	`^(.*?)(?:/(?:${VERSIONED_ENDPOINTS.map(templatePattern).join('|')})|/(?:${UNVERSIONED_ENDPOINTS.map(templatePattern).join('|')}))$`,
);

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
	path = ENDPOINT_SUFFIX.exec(path)?.[1] ?? path;
	if (!VERSION_SEGMENT.test(path)) path += '/v1';
	return `${url.origin}${path}`;
}

/**
 * The full URL of an endpoint below a normalised API root ("chat/completions"), or, with a
 * leading slash, of a route beside the versioned API ("/mj/submit/imagine": Midjourney's and
 * Suno's routes sit at the relay's root, "https://api.deerapi.com/mj/...").
 */
export function endpointUrl(apiRoot: string, endpoint: string): string {
	if (endpoint.startsWith('/')) return `${relayRootUrl(apiRoot)}${endpoint}`;
	return `${apiRoot}/${endpoint}`;
}

/**
 * The relay's own root: the API root without its version segment ("https://host/openai/v1" ->
 * "https://host/openai"). new-api serves routes outside the OpenAI API there (/api/usage/token).
 */
export function relayRootUrl(apiRoot: string): string {
	return apiRoot.replace(VERSION_SEGMENT, '');
}
