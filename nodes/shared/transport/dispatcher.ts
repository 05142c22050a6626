import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';

/**
 * undici is loaded on the first request, not with the module: it is 110 modules and ~80 ms, and
 * n8n loads every installed node at start-up (see bench/RESULTS.md, "load time").
 */
let undiciModule: typeof Undici | undefined;
export function undici(): typeof Undici {
	undiciModule ??= require('undici') as typeof Undici;
	return undiciModule;
}

let pooledDispatcher: Dispatcher | undefined;
let pooledDownloadDispatcher: Dispatcher | undefined;

/**
 * One keep-alive pool per process, shared by every node and item. It honours HTTP_PROXY,
 * HTTPS_PROXY and NO_PROXY, as n8n's own HTTP requests do. undici's own header and body
 * timeouts are off: ours are per attempt and know about streams.
 */
export function sharedDispatcher(): Dispatcher {
	pooledDispatcher ??= new (undici().EnvHttpProxyAgent)({
		keepAliveTimeout: 30_000,
		headersTimeout: 0,
		bodyTimeout: 0,
	});
	return pooledDispatcher;
}

const MAX_REDIRECTIONS = 5;

/** Image hosts answer with redirects to signed CDN URLs; API calls (with the key) are never redirected. */
export function redirectingDispatcher(base: Dispatcher): Dispatcher {
	const follow = () => base.compose(undici().interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }));
	if (base !== pooledDispatcher) return follow();
	pooledDownloadDispatcher ??= follow();
	return pooledDownloadDispatcher;
}
