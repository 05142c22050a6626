/**
 * The client's balance routes against a real loopback server: where each is (the billing routes
 * below the API root, new-api's /api/usage/token below the relay's root, DeerAPI's quota lookup on
 * a host of its own with the key in the query string), and errors sent as HTTP 200.
 */
import {
	quotaLookupUrl,
	RelayApiError,
	RelayClient,
	RelayConfigError,
	RelayConnectionError,
	RelayRedirectError,
	RelayResponseError,
	relayRootUrl,
} from '../../nodes/shared/transport';
import { failure, sendJson, startLoopback, type Loopback } from './loopback';

const KEY = 'sk-balance-loopback-key';

let server: Loopback | undefined;
afterEach(async () => {
	await server?.close();
	server = undefined;
});

function client(baseUrl: string) {
	return new RelayClient({ baseUrl, apiKey: KEY, maxRetries: 0 });
}

describe('the billing routes', () => {
	it('GET /v1/dashboard/billing/subscription and /usage with the key: the bodies, and where they came from', async () => {
		server = await startLoopback((request, res) =>
			request.path.endsWith('/subscription')
				? sendJson(res, 200, { object: 'billing_subscription', hard_limit_usd: 25, access_until: 0 })
				: sendJson(res, 200, { object: 'list', total_usage: 2150 }),
		);
		const relay = client(`${server.url}/v1/`);
		const subscription = await relay.billingSubscription();
		const usage = await relay.billingUsage();
		expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
			'GET /v1/dashboard/billing/subscription',
			'GET /v1/dashboard/billing/usage',
		]);
		expect(server.requests.every((r) => r.headers.authorization === `Bearer ${KEY}` && r.headers.accept === 'application/json')).toBe(true);
		expect(subscription).toMatchObject({ status: 200, body: { hard_limit_usd: 25 }, url: `${server.url}/v1/dashboard/billing/subscription` });
		expect(usage.body.total_usage).toBe(2150);
	});

	it("an error sent as HTTP 200 ({error: {message, type}}) is the relay's error, with status 200", async () => {
		server = await startLoopback((_request, res) => sendJson(res, 200, { error: { message: '数据库错误', type: 'upstream_error' } }));
		const error = await failure(client(server.url).billingSubscription());
		expect(error).toBeInstanceOf(RelayApiError);
		expect(error).toMatchObject({ status: 200, relayMessage: '数据库错误', type: 'upstream_error', message: 'The relay answered 200 with an error: 数据库错误' });
	});

	it('a 200 without the figure is a wrong-shape error quoting the body; a web page is an html error', async () => {
		server = await startLoopback((request, res) => {
			if (request.path.endsWith('/usage')) return sendJson(res, 200, { object: 'list', total_usage: 'a lot' });
			res.writeHead(200, { 'content-type': 'text/html' });
			res.end('<!doctype html><html><head><title>New API</title></head></html>');
		});
		const usage = await failure(client(server.url).billingUsage());
		expect(usage).toBeInstanceOf(RelayResponseError);
		expect(usage.message).toBe('The billing usage has no number "total_usage": it sent {"object":"list","total_usage":"a lot"}');
		const page = await failure(client(server.url).billingSubscription());
		expect(page).toMatchObject({ kind: 'html', status: 200 });
	});
});

describe("new-api's /api/usage/token: below the relay's root, not /v1", () => {
	it.each([
		['http://HOST', '/api/usage/token'],
		['http://HOST/v1', '/api/usage/token'],
		['http://HOST/v1/', '/api/usage/token'],
		['http://HOST/openai/v1', '/openai/api/usage/token'],
		['http://HOST/openai', '/openai/api/usage/token'],
	])('base URL %s: GET %s', async (base, path) => {
		const data = { name: 'k', total_granted: 10, total_used: 4, total_available: 6, unlimited_quota: false, expires_at: 0 };
		server = await startLoopback((_request, res) => sendJson(res, 200, { code: true, message: 'ok', data }));
		const response = await client(base.replace('http://HOST', server.url)).tokenUsage();
		expect(server.requests.map((r) => r.path)).toEqual([path]);
		expect(server.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
		expect(response.body.data).toEqual(data);
		expect(response.url).toBe(`${server.url}${path}`);
	});

	it("new-api's {success: false, message} is the relay's error", async () => {
		server = await startLoopback((_request, res) => sendJson(res, 401, { success: false, message: 'token not found' }));
		expect(await failure(client(server.url).tokenUsage())).toMatchObject({ status: 401, relayMessage: 'token not found' });
	});

	it('relayRootUrl takes the version segment off the API root, and keeps a prefix', () => {
		expect(relayRootUrl('https://api.deerapi.com/v1')).toBe('https://api.deerapi.com');
		expect(relayRootUrl('https://host/openai/v1')).toBe('https://host/openai');
		expect(relayRootUrl('https://ark.example.com/api/v3')).toBe('https://ark.example.com/api');
	});
});

describe("DeerAPI's quota lookup: the key in the query string, and nowhere it could be read back", () => {
	it('GET <host>/user/quota?key=<key>, no Authorization header; the URL it reports has no key', async () => {
		server = await startLoopback((_request, res) => sendJson(res, 200, { username: 'u', total_quota: 2.5, total_used_quota: 1, request_count: 3, keys: [] }));
		const response = await client('https://api.deerapi.com').quotaLookup(server.url);
		expect(server.requests.map((r) => r.path)).toEqual([`/user/quota?key=${KEY}`]);
		expect(server.requests[0].headers.authorization).toBeUndefined();
		expect(response).toMatchObject({ body: { total_quota: 2.5 }, url: `${server.url}/user/quota` });
	});

	it('an error names the URL with the key masked; a key the host echoes is masked too', async () => {
		server = await startLoopback((_request, res) => sendJson(res, 403, { success: false, message: `key ${KEY} is blocked` }));
		const error = await failure(client('https://api.deerapi.com').quotaLookup(`${server.url}/user/quota`));
		expect(error).toBeInstanceOf(RelayApiError);
		expect((error as RelayApiError).url).toBe(`${server.url}/user/quota?key=***`);
		expect(error.message).toBe('403 Forbidden: key sk-*** is blocked');
		expect(JSON.stringify(error) + error.message + error.stack).not.toContain(KEY);
	});

	it('a redirect is not followed, and its message drops the query string', async () => {
		server = await startLoopback((_request, res) => {
			res.writeHead(302, { location: `https://elsewhere.example/user/quota?key=${KEY}` });
			res.end();
		});
		const error = await failure(client('https://api.deerapi.com').quotaLookup(server.url));
		expect(error).toBeInstanceOf(RelayRedirectError);
		expect(server.requests).toHaveLength(1);
		expect(JSON.stringify(error) + error.message).not.toContain(KEY);
	});

	it('a host that cannot be reached: the host named, no key', async () => {
		server = await startLoopback(() => undefined);
		const url = server.url;
		await server.close();
		server = undefined;
		const error = await failure(client('https://api.deerapi.com').quotaLookup(url));
		expect(error).toBeInstanceOf(RelayConnectionError);
		expect(error.message).toMatch(/^Could not reach 127\.0\.0\.1:\d+: connection refused/);
		expect(JSON.stringify(error) + error.message).not.toContain(KEY);
	});

	it('quotaLookupUrl: the host as entered or the whole URL pasted; a pasted key is dropped and never quoted', () => {
		expect(quotaLookupUrl('')).toBe('https://query.deerapi.com/user/quota');
		expect(quotaLookupUrl('https://query.deerapi.com/')).toBe('https://query.deerapi.com/user/quota');
		expect(quotaLookupUrl(`https://query.deerapi.com/user/quota/?key=${KEY}`)).toBe('https://query.deerapi.com/user/quota');
		expect(quotaLookupUrl('http://127.0.0.1:9/prefix')).toBe('http://127.0.0.1:9/prefix/user/quota');
		const bad = (() => {
			try {
				quotaLookupUrl(`query.deerapi.com?key=${KEY}`);
			} catch (error) {
				return error as Error;
			}
			return undefined;
		})();
		expect(bad).toBeInstanceOf(RelayConfigError);
		expect(bad!.message).toBe('Quota lookup URL "query.deerapi.com" is not a valid URL: use the form https://query.deerapi.com');
	});
});
