/**
 * The sandbox's balance routes, raw over HTTP: one key per case (limited, unlimited, one-api
 * without /api/usage/token, no balance routes, errors as HTTP 200), set per key with setAccount,
 * and DeerAPI's quota lookup with the key in the query string.
 */
import { SANDBOX_ACCOUNTS, SANDBOX_QUOTA_PER_USD, startSandbox, type Sandbox } from '../../sandbox';
import { get } from './http';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ apiKey: 'sk-sandbox-account' });
});
afterAll(() => sandbox.close());

const as = (key: string) => ({ auth: `Bearer ${key}` });

describe('the keys of each case', () => {
	it('the main key is the limited one; the others are the main key with a suffix, valid on every route', async () => {
		expect(sandbox.accountKeys).toEqual({
			limited: 'sk-sandbox-account',
			unlimited: 'sk-sandbox-account-unlimited',
			oneApi: 'sk-sandbox-account-one-api',
			noRoutes: 'sk-sandbox-account-no-billing',
			error200: 'sk-sandbox-account-billing-error',
		});
		for (const key of Object.values(sandbox.accountKeys)) expect((await get(sandbox, '/v1/models', as(key))).status).toBe(200);
		expect((await get(sandbox, '/v1/models', as('sk-sandbox-account-other'))).status).toBe(401);
	});
});

describe('new-api billing routes', () => {
	it('a limited key: what was granted (not what is left) and the usage in cents', async () => {
		const subscription = await get(sandbox, '/v1/dashboard/billing/subscription');
		expect(subscription.status).toBe(200);
		expect(subscription.json).toEqual({
			object: 'billing_subscription',
			has_payment_method: true,
			soft_limit_usd: 25,
			hard_limit_usd: 25,
			system_hard_limit_usd: 25,
			access_until: 1798761600,
		});
		expect(subscription.headers['x-oneapi-request-id']).toBeDefined();
		expect((await get(sandbox, '/v1/dashboard/billing/usage')).json).toEqual({ object: 'list', total_usage: 2150 });
	});

	it('an unlimited key: hard_limit_usd 100000000, the usage as it is', async () => {
		const key = sandbox.accountKeys.unlimited;
		expect((await get(sandbox, '/v1/dashboard/billing/subscription', as(key))).json).toMatchObject({ hard_limit_usd: 100_000_000, access_until: 0 });
		expect((await get(sandbox, '/v1/dashboard/billing/usage', as(key))).json).toEqual({ object: 'list', total_usage: 1234 });
	});

	it('a relay without them: 404 Invalid URL', async () => {
		const answer = await get(sandbox, '/v1/dashboard/billing/subscription', as(sandbox.accountKeys.noRoutes));
		expect(answer.status).toBe(404);
		expect(answer.json.error).toMatchObject({ message: 'Invalid URL (GET /v1/dashboard/billing/subscription)', type: 'invalid_request_error' });
	});

	it('errors as HTTP 200: {error: {message, type}}', async () => {
		const answer = await get(sandbox, '/v1/dashboard/billing/usage', as(sandbox.accountKeys.error200));
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({ error: { message: SANDBOX_ACCOUNTS.error200.error200, type: 'upstream_error' } });
	});

	it('a wrong key: 401 with the relay message', async () => {
		const answer = await get(sandbox, '/v1/dashboard/billing/subscription', as('sk-nope'));
		expect(answer.status).toBe(401);
		expect(answer.json.error.message).toMatch(/^无效的令牌/);
	});

	it('behind a path prefix too', async () => {
		expect((await get(sandbox, '/openai/v1/dashboard/billing/usage')).json).toEqual({ object: 'list', total_usage: 2150 });
	});
});

describe('/api/usage/token', () => {
	it("new-api: the key's figures in quota units (500,000 to the dollar here)", async () => {
		const answer = await get(sandbox, '/api/usage/token');
		expect(SANDBOX_QUOTA_PER_USD).toBe(500_000);
		expect(answer.json).toEqual({
			code: true,
			message: 'ok',
			data: {
				object: 'token_usage',
				name: 'sandbox key',
				total_granted: 12_500_000,
				total_used: 10_750_000,
				total_available: 1_750_000,
				unlimited_quota: false,
				model_limits: {},
				model_limits_enabled: false,
				expires_at: 1798761600,
			},
		});
		expect((await get(sandbox, '/prefix/api/usage/token')).json.data.total_used).toBe(10_750_000);
	});

	it("one-api has no such route: its web app's page, status 200", async () => {
		const answer = await get(sandbox, '/api/usage/token', as(sandbox.accountKeys.oneApi));
		expect(answer.status).toBe(200);
		expect(answer.headers['content-type']).toMatch(/^text\/html/);
		expect(answer.text).toMatch(/^<!doctype html>/);
	});

	it("a wrong key: new-api's {success: false, message}", async () => {
		const answer = await get(sandbox, '/api/usage/token', as('sk-nope'));
		expect(answer.status).toBe(401);
		expect(answer.json).toEqual({ success: false, message: '无效的令牌' });
	});
});

describe('setAccount', () => {
	it("changes a key's figures and routes, adds a key, removes it", async () => {
		const key = 'sk-sandbox-account-custom';
		sandbox.setAccount(key, { grantedUsd: 100, usedUsd: 99.99 });
		expect((await get(sandbox, '/v1/dashboard/billing/usage', as(key))).json.total_usage).toBe(9999);
		sandbox.setAccount(key, { routes: 'none' });
		expect((await get(sandbox, '/v1/dashboard/billing/usage', as(key))).status).toBe(404);
		sandbox.setAccount(key, undefined);
		expect((await get(sandbox, '/v1/dashboard/billing/usage', as(key))).status).toBe(401);
	});
});

describe("DeerAPI's quota lookup", () => {
	it('takes the key from the query string: the account in dollars and each key (-1: unlimited)', async () => {
		const limited = await get(sandbox, `/user/quota?key=${sandbox.apiKey}`, { auth: false });
		expect(limited.json).toEqual({
			username: 'sandbox-user',
			total_quota: 3.5,
			total_used_quota: 21.5,
			request_count: 1221,
			keys: [{ name: 'sandbox key', remain_quota: 3.5, used_quota: 21.5 }],
		});
		const unlimited = await get(sandbox, `/user/quota?key=${sandbox.accountKeys.unlimited}`, { auth: false });
		expect(unlimited.json.keys[0].remain_quota).toBe(-1);
		expect((await get(sandbox, '/user/quota?key=sk-nope', { auth: false })).status).toBe(401);
	});

	it('keeps the query string out of its own request log', async () => {
		const lines: string[] = [];
		const logged = await startSandbox({ apiKey: 'sk-log-check-123', onResponse: (entry) => lines.push(JSON.stringify(entry)) });
		try {
			await get(logged, '/user/quota?key=sk-log-check-123', { auth: false });
			expect(lines.join('\n')).toContain('/user/quota');
			expect(lines.join('\n')).not.toContain('sk-log-check-123');
		} finally {
			await logged.close();
		}
	});
});
