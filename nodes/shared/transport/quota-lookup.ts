import { jsonReader, quotaLookup } from './answers';
import type { Connection } from './connection';
import { USER_AGENT } from './connection';
import { RelayConfigError } from './errors';
import type { CallOptions, RelayResponse } from './client-types';
import { withRetries } from './retry';
import { send, type Outgoing } from './send';
import { isHttpUrl, truncate } from './text';
import type { QuotaLookup } from './types';

export const DEFAULT_QUOTA_LOOKUP_URL = 'https://query.deerapi.com';

const QUOTA_PATH = '/user/quota';

/**
 * DeerAPI's quota lookup: GET <host>/user/quota?key=<key>, on a host of its own. The key goes in
 * the query string (the lookup takes no header), so it ends up in the access logs of every proxy
 * on the way: only ever called when the user opted in. No Authorization header goes with it, and
 * errors name the URL with the key masked.
 */
export async function lookUpQuota(
	connection: Connection,
	lookupUrl: string,
	options: CallOptions,
): Promise<RelayResponse<QuotaLookup>> {
	const target = quotaLookupUrl(lookupUrl);
	const outgoing: Outgoing = {
		method: 'GET',
		url: connection.withKeyParameter(target, 'key'),
		headers: { accept: 'application/json', 'user-agent': USER_AGENT },
		dispatcher: connection.dispatcher,
	};
	const read = jsonReader(quotaLookup);
	return await withRetries(connection.plan(`${target}?key=***`, options), async (attempt) => {
		const answer = await send(outgoing, attempt);
		const body = await read(answer, attempt);
		return { status: answer.status, body, requestId: answer.requestId, attempts: attempt.number, url: target };
	});
}

/** The lookup's URL from what the user entered: the host ("https://query.deerapi.com"), or the whole URL pasted. */
export function quotaLookupUrl(input: string | undefined): string {
	const text = (input ?? '').trim() || DEFAULT_QUOTA_LOOKUP_URL;
	// Quoted without its query string: a pasted "?key=sk-..." must not reach a message.
	const quoted = truncate(text.replace(/\?.*$/s, ''), 200);
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new RelayConfigError(`Quota lookup URL "${quoted}" is not a valid URL: use the form ${DEFAULT_QUOTA_LOOKUP_URL}`);
	}
	if (!isHttpUrl(url)) {
		throw new RelayConfigError(`Quota lookup URL "${quoted}" must start with http:// or https:// (got "${url.protocol}")`);
	}
	// A pasted "?key=sk-..." is dropped: the key comes from the credential, never from a parameter.
	const path = url.pathname.replace(/\/+$/, '');
	return `${url.origin}${path.endsWith(QUOTA_PATH) ? path : `${path}${QUOTA_PATH}`}`;
}
