/**
 * DeerAPI Account, Get Balance: real workflows against the sandbox's balance routes, one case per
 * relay (a limited key, an unlimited key, one-api without /api/usage/token, a relay without the
 * routes, errors as HTTP 200), the opt-in quota lookup, and the credential test's message.
 */
import path from 'node:path';

import { NodeApiError, NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { DeerApiRelayApi } from '../../../credentials/DeerApiRelayApi.credentials';
import { DeerApiAccount } from '../../../nodes/DeerApiAccount/DeerApiAccount.node';
import { QUOTA_UNIT_NOTE } from '../../../nodes/shared/transport/balance';
import { startSandbox, type RecordedRequest, type Sandbox } from '../../../sandbox';
import { createHarness, singleNodeWorkflow, type WorkflowRunResult } from '../../../harness/workflow';

const TYPE = 'n8n-nodes-deerapi-relay.deerApiAccount';
const NODE = 'deerApiAccount';
const API_KEY = 'sk-account-test-5f1e2d3c4b5a';
const SUBSCRIPTION = '/v1/dashboard/billing/subscription';
const USAGE = '/v1/dashboard/billing/usage';
const TOKEN = '/api/usage/token';

const harness = createHarness({ nodeTypes: { [TYPE]: new DeerApiAccount() }, credentialTypes: [new DeerApiRelayApi()] });
let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ apiKey: API_KEY });
});
afterAll(() => sandbox.close());
beforeEach(() => {
	sandbox.clearRequests();
	sandbox.clearFaults();
});

async function run(
	options: {
		parameters?: Record<string, unknown>;
		apiKey?: string;
		baseUrl?: string;
		input?: INodeExecutionData[];
		continueOnFail?: boolean;
	} = {},
): Promise<WorkflowRunResult> {
	return await harness.run(
		singleNodeWorkflow({ type: TYPE, parameters: { operation: 'getBalance', ...options.parameters }, continueOnFail: options.continueOnFail }),
		{
			credentials: { deerApiRelayApi: { apiKey: options.apiKey ?? API_KEY, baseUrl: options.baseUrl ?? sandbox.url, authFormat: 'bearer' } },
			input: options.input,
		},
	);
}

const paths = () => sandbox.requests.map((request) => `${request.method} ${request.path}`);
const nodeError = (result: WorkflowRunResult) => result.nodes[NODE].error as NodeApiError | NodeOperationError;

/** Everything a run left behind, for the key check. */
function everything(result: WorkflowRunResult): string {
	const error = result.nodes[NODE]?.error as (Error & { description?: string }) | undefined;
	return [
		JSON.stringify(result.nodes),
		error ? `${error.message} ${error.description} ${error.stack} ${JSON.stringify(error)}` : '',
		result.logText(),
	].join('\n');
}

function expectKeyHeader(request: RecordedRequest | undefined, key = API_KEY): void {
	expect(request?.headers.authorization).toBe(`Bearer ${key}`);
}

describe('Get Balance against each kind of relay', () => {
	it('a limited key on new-api: remaining = granted - usage in cents / 100, the key usage in quota units, every route named', async () => {
		const result = await run();
		expect(result.status).toBe('success');
		expect(paths()).toEqual([`GET ${SUBSCRIPTION}`, `GET ${USAGE}`, `GET ${TOKEN}`]);
		for (const request of sandbox.requests) expectKeyHeader(request);

		const items = result.output(NODE);
		expect(items).toHaveLength(1);
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(items[0].json).toEqual({
			currency: 'USD',
			remaining: 3.5,
			used: 21.5,
			granted: 25,
			unlimited: false,
			accessUntil: '2027-01-01T00:00:00.000Z',
			keyUsage: {
				name: 'sandbox key',
				granted: 12_500_000,
				used: 10_750_000,
				available: 1_750_000,
				unlimited: false,
				expiresAt: '2027-01-01T00:00:00.000Z',
				unit: 'quota',
				note: QUOTA_UNIT_NOTE,
			},
			quotaLookup: null,
			answeredBy: [`${sandbox.url}${SUBSCRIPTION}`, `${sandbox.url}${USAGE}`, `${sandbox.url}${TOKEN}`],
			missingRoutes: [],
			raw: {
				subscription: {
					object: 'billing_subscription',
					has_payment_method: true,
					soft_limit_usd: 25,
					hard_limit_usd: 25,
					system_hard_limit_usd: 25,
					access_until: 1798761600,
				},
				usage: { object: 'list', total_usage: 2150 },
				keyUsage: {
					code: true,
					message: 'ok',
					data: expect.objectContaining({ object: 'token_usage', total_granted: 12_500_000, total_used: 10_750_000, total_available: 1_750_000 }),
				},
			},
		});
		expect(everything(result)).not.toContain(API_KEY);
	});

	it('an unlimited key (hard_limit_usd 100000000): unlimited, no granted or remaining figure, what was used, no expiry', async () => {
		const result = await run({ apiKey: sandbox.accountKeys.unlimited });
		expect(result.status).toBe('success');
		expect(sandbox.lastRequest(SUBSCRIPTION)?.headers.authorization).toBe(`Bearer ${sandbox.accountKeys.unlimited}`);
		const [json] = result.json(NODE);
		expect(json).toMatchObject({ currency: 'USD', remaining: null, granted: null, used: 12.34, unlimited: true, accessUntil: null });
		expect(json.raw).toMatchObject({ subscription: { hard_limit_usd: 100_000_000 }, usage: { total_usage: 1234 } });
		expect(json.keyUsage).toMatchObject({ unlimited: true, used: 6_170_000, expiresAt: null });
	});

	it('one-api (no /api/usage/token: its web app answers 200 with a page): the balance, and the route listed as missing', async () => {
		const result = await run({ apiKey: sandbox.accountKeys.oneApi });
		expect(result.status).toBe('success');
		expect(paths()).toEqual([`GET ${SUBSCRIPTION}`, `GET ${USAGE}`, `GET ${TOKEN}`]);
		const [json] = result.json(NODE);
		expect(json).toMatchObject({ remaining: 7.5, used: 2.5, granted: 10, unlimited: false, accessUntil: null, keyUsage: null });
		expect(json.answeredBy).toEqual([`${sandbox.url}${SUBSCRIPTION}`, `${sandbox.url}${USAGE}`]);
		expect(json.missingRoutes).toEqual([`${sandbox.url}${TOKEN}`]);
		expect(json.raw).not.toHaveProperty('keyUsage');
	});

	it('a new-api whose /api/usage/token answers 404: missing, not an error', async () => {
		sandbox.fault({ path: TOKEN, status: 404, body: { success: false, message: '404 page not found' } });
		const result = await run();
		expect(result.status).toBe('success');
		expect(result.json(NODE)[0]).toMatchObject({ remaining: 3.5, keyUsage: null, missingRoutes: [`${sandbox.url}${TOKEN}`] });
	});

	it('Include Key Usage off: the two billing routes only', async () => {
		const result = await run({ parameters: { options: { keyUsage: false } } });
		expect(paths()).toEqual([`GET ${SUBSCRIPTION}`, `GET ${USAGE}`]);
		expect(result.json(NODE)[0]).toMatchObject({ remaining: 3.5, keyUsage: null, missingRoutes: [] });
	});

	it('a base URL with a path prefix: the billing routes below its /v1, /api/usage/token below the prefix, not /v1', async () => {
		const result = await run({ baseUrl: `${sandbox.url}/openai/v1/` });
		expect(result.status).toBe('success');
		expect(paths()).toEqual([`GET /openai${SUBSCRIPTION}`, `GET /openai${USAGE}`, `GET /openai${TOKEN}`]);
		expect(result.json(NODE)[0]).toMatchObject({ remaining: 3.5, keyUsage: { available: 1_750_000 } });
	});

	it('a figure with float noise is rounded to a millionth of a dollar', async () => {
		const key = 'sk-account-test-noise';
		sandbox.setAccount(key, { grantedUsd: 0.3, usedUsd: 0.1 });
		sandbox.fault({ path: USAGE, status: 200, body: { object: 'list', total_usage: 10.000000000000002 } });
		try {
			const [json] = (await run({ apiKey: key, parameters: { options: { keyUsage: false } } })).json(NODE);
			expect(json).toMatchObject({ granted: 0.3, used: 0.1, remaining: 0.2 });
		} finally {
			sandbox.setAccount(key, undefined);
		}
	});

	it('many input items asking the same: one set of requests, an item for each, paired', async () => {
		const result = await run({ input: [{ json: { a: 1 } }, { json: { a: 2 } }, { json: { a: 3 } }] });
		expect(paths()).toEqual([`GET ${SUBSCRIPTION}`, `GET ${USAGE}`, `GET ${TOKEN}`]);
		const items = result.output(NODE);
		expect(items.map((item) => [item.json.remaining, item.pairedItem])).toEqual([
			[3.5, { item: 0 }],
			[3.5, { item: 1 }],
			[3.5, { item: 2 }],
		]);
		// Each item its own copy.
		expect(items[0].json.raw).not.toBe(items[1].json.raw);
	});
});

describe('a relay without the balance routes: a clear error, never a number', () => {
	it('404 "Invalid URL" (one-api and new-api for an unknown /v1 route): says the relay has no balance route, asks nothing more', async () => {
		const result = await run({ apiKey: sandbox.accountKeys.noRoutes });
		expect(result.status).toBe('error');
		const error = nodeError(result);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(
			`The relay has no balance route: GET ${SUBSCRIPTION} answered 404 Not Found: Invalid URL (GET ${SUBSCRIPTION})`,
		);
		expect(error.description).toContain('one-api and new-api relays (DeerAPI is one) serve GET /v1/dashboard/billing/subscription');
		expect(error.description).toContain('Check the Base URL in the credential.');
		expect(error.context.itemIndex).toBe(0);
		expect(paths()).toEqual([`GET ${SUBSCRIPTION}`]);
		expect(result.nodes[NODE].items).toEqual([]);
	});

	it("a web page with status 200 (a relay's web app) where the JSON should be", async () => {
		sandbox.fault({ path: SUBSCRIPTION, status: 200, html: true });
		const error = nodeError(await run());
		expect(error.message).toBe(`The relay has no balance route: GET ${SUBSCRIPTION} answered HTTP 200 with a web page instead of JSON`);
	});

	it("a proxy's 404 page", async () => {
		sandbox.fault({ path: SUBSCRIPTION, status: 404, html: true });
		const error = nodeError(await run());
		expect(error.message).toBe(`The relay has no balance route: GET ${SUBSCRIPTION} answered 404 Not Found with a web page`);
	});

	it('the subscription route without the usage route is no balance either', async () => {
		sandbox.fault({ path: USAGE, status: 404, body: { error: { message: `Invalid URL (GET ${USAGE})`, type: 'invalid_request_error' } } });
		const error = nodeError(await run());
		expect(error.message).toBe(`The relay has no balance route: GET ${USAGE} answered 404 Not Found: Invalid URL (GET ${USAGE})`);
		expect(paths()).toEqual([`GET ${SUBSCRIPTION}`, `GET ${USAGE}`]);
	});

	it('under Continue On Fail: an error item with the message', async () => {
		const result = await run({ apiKey: sandbox.accountKeys.noRoutes, continueOnFail: true });
		expect(result.status).toBe('success');
		expect(result.output(NODE)).toEqual([
			{
				json: expect.objectContaining({ error: expect.stringMatching(/^The relay has no balance route: GET \/v1\/dashboard/) }),
				pairedItem: { item: 0 },
			},
		]);
	});
});

describe('errors sent as HTTP 200', () => {
	it("new-api's {error: {message, type}} on a 200: the relay's message, status 200, no figures", async () => {
		const result = await run({ apiKey: sandbox.accountKeys.error200 });
		expect(result.status).toBe('error');
		const error = nodeError(result);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('The relay answered 200 with an error: database error: could not read the quota');
		expect((error as NodeApiError).httpCode).toBe('200');
		expect(error.description).toContain('The relay reported an error inside its answer.');
		expect(paths()).toEqual([`GET ${SUBSCRIPTION}`]);
	});

	it('on the usage route, scripted by a fault', async () => {
		sandbox.fault({ path: USAGE, status: 200, body: { error: { message: '当前分组负载已饱和', type: 'new_api_error' } } });
		const error = nodeError(await run());
		expect(error.message).toBe('The relay answered 200 with an error: 当前分组负载已饱和');
	});

	it('a 200 without the figure, and no error in it: the body is quoted', async () => {
		sandbox.fault({ path: SUBSCRIPTION, status: 200, body: { object: 'billing_subscription' } });
		const error = nodeError(await run());
		expect(error.message).toBe('The billing subscription has no number "hard_limit_usd": it sent {"object":"billing_subscription"}');
	});

	it("an error of /api/usage/token other than a missing route fails the item (the relay's own message)", async () => {
		sandbox.fault({ path: TOKEN, status: 401, body: { success: false, message: 'token not found' } });
		const error = nodeError(await run());
		expect(error.message).toBe('401 Unauthorized: token not found');
	});

	it('a wrong key: 401 with the relay message, never the key', async () => {
		const wrong = 'sk-account-wrong-key-77aa';
		const result = await run({ apiKey: wrong });
		const error = nodeError(result);
		expect(error.message).toMatch(/^401 Unauthorized: 无效的令牌/);
		expect(everything(result)).not.toContain(wrong);
	});
});

describe("DeerAPI's quota lookup (opt-in, key in the URL)", () => {
	it('is never asked by default', async () => {
		await run();
		expect(sandbox.requests.some((request) => request.path.endsWith('/user/quota'))).toBe(false);
	});

	it('when opted in: GET /user/quota?key=... without an Authorization header; the account and each key; the URL shown without the key', async () => {
		const result = await run({ parameters: { quotaLookup: true, quotaLookupUrl: `${sandbox.url}/` } });
		expect(result.status).toBe('success');
		expect(paths()).toEqual([`GET ${SUBSCRIPTION}`, `GET ${USAGE}`, `GET ${TOKEN}`, 'GET /user/quota']);
		const lookup = sandbox.lastRequest('/user/quota')!;
		expect(lookup.query).toEqual({ key: API_KEY });
		expect(lookup.headers.authorization).toBeUndefined();
		const [json] = result.json(NODE);
		expect(json.quotaLookup).toEqual({
			username: 'sandbox-user',
			remaining: 3.5,
			used: 21.5,
			requestCount: 1221,
			keys: [{ name: 'sandbox key', remaining: 3.5, used: 21.5, unlimited: false }],
		});
		expect(json.answeredBy).toContain(`${sandbox.url}/user/quota`);
		expect(json.raw).toHaveProperty('quotaLookup.total_quota', 3.5);
		expect(everything(result)).not.toContain(API_KEY);
	});

	it('an unlimited key shows as unlimited (remain_quota -1)', async () => {
		const result = await run({ apiKey: sandbox.accountKeys.unlimited, parameters: { quotaLookup: true, quotaLookupUrl: `${sandbox.url}/user/quota` } });
		expect(sandbox.lastRequest('/user/quota')!.path).toBe('/user/quota');
		expect((result.json(NODE)[0].quotaLookup as { keys: unknown[] }).keys).toEqual([
			{ name: 'sandbox unlimited key', remaining: null, used: 12.34, unlimited: true },
		]);
	});

	it("a failing lookup fails the item with the host's message, the key masked in it", async () => {
		sandbox.fault({ path: '/user/quota', status: 500, body: { success: false, message: `bad key ${API_KEY}` } });
		const result = await run({ parameters: { quotaLookup: true, quotaLookupUrl: sandbox.url, options: { maxRetries: 0 } } });
		const error = nodeError(result);
		expect(error.message).toBe('500 Internal Server Error: bad key sk-***');
		expect(everything(result)).not.toContain(API_KEY);
	});

	it('an unusable Quota Lookup URL is refused before anything is sent, naming the field, without a pasted key', async () => {
		const result = await run({ parameters: { quotaLookup: true, quotaLookupUrl: `query.deerapi.com/user/quota?key=${API_KEY}` } });
		const error = nodeError(result);
		expect(error.message).toBe(
			'Quota Lookup URL: Quota lookup URL "query.deerapi.com/user/quota" is not a valid URL: use the form https://query.deerapi.com',
		);
		expect(sandbox.requests).toEqual([]);
		// (n8n itself logs the parameters of a failed node, the pasted key with them: the message does not add it.)
		expect(`${error.message} ${error.description}`).not.toContain(API_KEY);

		const ftp = nodeError(await run({ parameters: { quotaLookup: true, quotaLookupUrl: 'ftp://query.deerapi.com' } }));
		expect(ftp.message).toBe('Quota Lookup URL: Quota lookup URL "ftp://query.deerapi.com" must start with http:// or https:// (got "ftp:")');
	});
});

describe('the credential test adds the balance to its message, and never fails for it', () => {
	const test = async (apiKey: string) =>
		await harness.testCredential('deerApiRelayApi', { apiKey, baseUrl: sandbox.url, authFormat: 'bearer' });
	const modelsAvailable = () => `^Connected to ${sandbox.url}/v1: \\d+ models available`;

	it('a limited key: what is left', async () => {
		const outcome = await test(API_KEY);
		expect(outcome.status).toBe('OK');
		expect(outcome.message).toMatch(new RegExp(`${modelsAvailable()}; US\\$3\\.50 left$`));
		expect(paths().sort()).toEqual(['GET /v1/dashboard/billing/subscription', 'GET /v1/dashboard/billing/usage', 'GET /v1/models']);
	});

	it('an unlimited key', async () => {
		expect((await test(sandbox.accountKeys.unlimited)).message).toMatch(new RegExp(`${modelsAvailable()}; unlimited balance$`));
	});

	it.each([
		['a relay without the balance routes', 'noRoutes'],
		['errors as HTTP 200 on them', 'error200'],
	] as const)('%s: OK, the models only', async (_case, kind) => {
		const outcome = await test(sandbox.accountKeys[kind]);
		expect(outcome.status).toBe('OK');
		expect(outcome.message).toMatch(new RegExp(`${modelsAvailable()}$`));
	});

	it('a balance route that hangs does not hold the test beyond its own limit', async () => {
		sandbox.fault({ path: SUBSCRIPTION, latencyMs: 60_000 });
		const started = Date.now();
		const outcome = await test(API_KEY);
		expect(outcome.status).toBe('OK');
		expect(outcome.message).toMatch(new RegExp(`${modelsAvailable()}$`));
		expect(Date.now() - started).toBeLessThan(9_000);
	}, 15_000);
});

describe('examples/12-low-balance-alert.json with other keys', () => {
	const example = path.resolve(__dirname, '../../../examples/12-low-balance-alert.json');
	const runExample = async (apiKey: string) =>
		await harness.run(example, { credentials: { deerApiRelayApi: { apiKey, baseUrl: sandbox.url, authFormat: 'bearer' } } });
	const ran = (result: WorkflowRunResult, name: string) => result.nodes[name]?.items.length ?? 0;

	it('an unlimited key never alerts (remaining is null, not below anything)', async () => {
		const result = await runExample(sandbox.accountKeys.unlimited);
		expect(result.status).toBe('success');
		expect(ran(result, 'Low Balance Alert')).toBe(0);
		expect(result.json('Balance OK')).toMatchObject([{ unlimited: true, remaining: null }]);
	});

	it('a key with enough left goes to Balance OK', async () => {
		const result = await runExample(sandbox.accountKeys.oneApi);
		expect(ran(result, 'Low Balance Alert')).toBe(0);
		expect(result.json('Balance OK')).toMatchObject([{ remaining: 7.5 }]);
	});

	it('a relay without the balance routes fails at Get Balance, saying so, instead of a false alarm or a false all-clear', async () => {
		const result = await runExample(sandbox.accountKeys.noRoutes);
		expect(result.status).toBe('error');
		expect(result.nodes['Get Balance'].error?.message).toMatch(/^The relay has no balance route/);
		expect(ran(result, 'Low Balance Alert') + ran(result, 'Balance OK')).toBe(0);
	});
});
