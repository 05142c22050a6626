/**
 * The balance routes of one-api / new-api, per key: which routes a key's relay has and what it
 * reports are set per key (`Sandbox.accountKeys`, `Sandbox.setAccount`), so one sandbox plays a
 * limited key, an unlimited key, an older relay without /api/usage/token and a relay without any.
 */
import { bearerKey } from './auth';
import { relayError } from './relay-errors';
import { json, raw, type RouteResult } from './responses';
import type { RecordedRequest } from './types';

/**
 * new-api: the billing routes and /api/usage/token. one-api: the billing routes only (the token
 * route answers the web app's page, status 200, as one-api does for any path it does not know).
 * none: no balance routes at all (404 "Invalid URL", as for any unknown /v1 route).
 */
export type AccountRoutes = 'new-api' | 'one-api' | 'none';

export interface SandboxAccount {
	/** The key's name on the relay. */
	name: string;
	/** US dollars granted (remaining + used); ignored when unlimited. */
	grantedUsd: number;
	usedUsd: number;
	unlimited: boolean;
	/** Unix seconds the key stops working; 0 for never. */
	accessUntil: number;
	routes: AccountRoutes;
	/** Set: the billing routes answer HTTP 200 with `{error: {message, type: "upstream_error"}}` (new-api when its database fails). */
	error200?: string;
}

export type AccountKind = 'limited' | 'unlimited' | 'oneApi' | 'noRoutes' | 'error200';

/** The sandbox's quota units per US dollar (new-api's default QuotaPerUnit). */
export const SANDBOX_QUOTA_PER_USD = 500_000;

/** Unix seconds of 2027-01-01T00:00:00Z. */
const NEW_YEAR_2027 = 1798761600;

/** The accounts every sandbox starts with; `accountKeys` gives the key of each. The main key is the limited one. */
export const SANDBOX_ACCOUNTS: Record<AccountKind, SandboxAccount> = {
	limited: { name: 'sandbox key', grantedUsd: 25, usedUsd: 21.5, unlimited: false, accessUntil: NEW_YEAR_2027, routes: 'new-api' },
	unlimited: { name: 'sandbox unlimited key', grantedUsd: 0, usedUsd: 12.34, unlimited: true, accessUntil: 0, routes: 'new-api' },
	oneApi: { name: 'sandbox one-api key', grantedUsd: 10, usedUsd: 2.5, unlimited: false, accessUntil: 0, routes: 'one-api' },
	noRoutes: { name: 'sandbox key without billing', grantedUsd: 10, usedUsd: 0, unlimited: false, accessUntil: 0, routes: 'none' },
	error200: {
		name: 'sandbox key, billing failing',
		grantedUsd: 10,
		usedUsd: 0,
		unlimited: false,
		accessUntil: 0,
		routes: 'new-api',
		error200: 'database error: could not read the quota',
	},
};

const KEY_SUFFIX: Record<AccountKind, string> = {
	limited: '',
	unlimited: '-unlimited',
	oneApi: '-one-api',
	noRoutes: '-no-billing',
	error200: '-billing-error',
};

/** The key of each default account: the main key, and the main key with a suffix for the others. */
export function accountKeys(apiKey: string): Record<AccountKind, string> {
	const keys = {} as Record<AccountKind, string>;
	for (const kind of Object.keys(KEY_SUFFIX) as AccountKind[]) keys[kind] = `${apiKey}${KEY_SUFFIX[kind]}`;
	return keys;
}

export function defaultAccounts(apiKey: string): Map<string, SandboxAccount> {
	const keys = accountKeys(apiKey);
	return new Map((Object.keys(keys) as AccountKind[]).map((kind) => [keys[kind], { ...SANDBOX_ACCOUNTS[kind] }]));
}

type AccountRoute = 'subscription' | 'usage' | 'token' | 'quota';

/** Which balance route a request is for, if any: the billing routes below /v1, the others at any path prefix. */
export function accountRoute(method: string, routePath: string, fullPath: string): AccountRoute | undefined {
	if (method !== 'GET') return undefined;
	if (routePath === '/v1/dashboard/billing/subscription') return 'subscription';
	if (routePath === '/v1/dashboard/billing/usage') return 'usage';
	if (fullPath.endsWith('/api/usage/token')) return 'token';
	if (fullPath.endsWith('/user/quota')) return 'quota';
	return undefined;
}

// What one-api serves for a path it does not know: its web app.
const WEB_APP_PAGE =
	'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>One API</title></head>' +
	'<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>';

const usd = (value: number) => Math.round(value * 1e6) / 1e6;

export function handleAccountRoute(
	route: AccountRoute,
	recorded: RecordedRequest,
	accounts: Map<string, SandboxAccount>,
	requestId: string,
): RouteResult {
	if (route === 'quota') return quotaLookup(accounts.get(recorded.query.key ?? ''));
	const account = accounts.get(bearerKey(recorded.headers.authorization));
	if (route === 'token') {
		if (!account) return json(401, { success: false, message: '无效的令牌' });
		if (account.routes !== 'new-api') return raw(200, 'text/html; charset=utf-8', WEB_APP_PAGE);
		return json(200, tokenUsage(account));
	}
	if (account?.routes === 'none') {
		return json(404, relayError(`Invalid URL (GET ${recorded.path})`, 'invalid_request_error', '', ''));
	}
	if (!account) return json(401, relayError(`无效的令牌 (request id: ${requestId})`, 'new_api_error', 'invalid_api_key'));
	if (account.error200) return json(200, { error: { message: account.error200, type: 'upstream_error' } });
	if (route === 'subscription') {
		const amount = account.unlimited ? 100_000_000 : account.grantedUsd;
		return json(200, {
			object: 'billing_subscription',
			has_payment_method: true,
			soft_limit_usd: amount,
			hard_limit_usd: amount,
			system_hard_limit_usd: amount,
			access_until: account.accessUntil,
		});
	}
	return json(200, { object: 'list', total_usage: usd(account.usedUsd * 100) });
}

function tokenUsage(account: SandboxAccount): unknown {
	const units = (value: number) => Math.round(value * SANDBOX_QUOTA_PER_USD);
	const used = units(account.usedUsd);
	const available = account.unlimited ? 0 : units(account.grantedUsd) - used;
	return {
		code: true,
		message: 'ok',
		data: {
			object: 'token_usage',
			name: account.name,
			total_granted: used + available,
			total_used: used,
			total_available: available,
			unlimited_quota: account.unlimited,
			model_limits: {},
			model_limits_enabled: false,
			expires_at: account.accessUntil,
		},
	};
}

function quotaLookup(account: SandboxAccount | undefined): RouteResult {
	if (!account) return json(401, { success: false, message: '无效的令牌' });
	if (account.routes === 'none') return raw(404, 'text/html', '<html><head><title>404 Not Found</title></head><body></body></html>');
	const remaining = account.unlimited ? 0 : usd(account.grantedUsd - account.usedUsd);
	return json(200, {
		username: 'sandbox-user',
		total_quota: remaining,
		total_used_quota: account.usedUsd,
		request_count: 1221,
		keys: [{ name: account.name, remain_quota: account.unlimited ? -1 : remaining, used_quota: account.usedUsd }],
	});
}
