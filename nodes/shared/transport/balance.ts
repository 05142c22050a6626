/**
 * What a relay key has left, from the routes one-api and new-api serve (DeerAPI among them). The
 * traps: `hard_limit_usd` is what was granted (remaining + used), not what is left; the usage
 * comes in US cents; 100000000 granted means unlimited; errors come as HTTP 200 with an error
 * object (the transport reads those as relay errors). No n8n here: the Account node and the
 * credential test both use it.
 */
import { unixTimeToIso } from './dates';
import type { RelayClient } from './client';
import type { CallOptions, RelayResponse } from './client-types';
import { RelayApiError, RelayResponseError, type RelayError } from './errors';
import { describeStatus } from './text';
import type { BillingSubscription, BillingUsage, QuotaLookup, TokenUsage } from './types';

/** What new-api puts in `hard_limit_usd` for an unlimited key. */
export const UNLIMITED_HARD_LIMIT_USD = 100_000_000;

export const QUOTA_UNIT_NOTE =
	"In the relay's own quota units: how many make US$1 is the relay's setting (often 500,000, not confirmed).";

/** The key's money in US dollars, from the billing routes. */
export interface Balance {
	currency: 'USD';
	/** Null for an unlimited key. */
	remaining: number | null;
	used: number;
	/** What was granted (remaining + used); null for an unlimited key. */
	granted: number | null;
	unlimited: boolean;
	/** ISO date the key stops working; null when it does not expire. */
	accessUntil: string | null;
}

/** new-api's /api/usage/token: the key's own figures, in the relay's quota units. */
export interface KeyUsage {
	name: string | null;
	granted: number;
	used: number;
	available: number;
	unlimited: boolean;
	expiresAt: string | null;
	unit: 'quota';
	note: string;
}

/** DeerAPI's quota lookup: the account in US dollars, and each of its keys. */
export interface QuotaSummary {
	username: string | null;
	remaining: number;
	used: number;
	requestCount: number | null;
	keys: Array<{ name: string | null; remaining: number | null; used: number | null; unlimited: boolean }>;
}

export interface BalanceRequest {
	/** Also ask new-api's /api/usage/token; a relay without it is noted, not an error. */
	keyUsage: boolean;
	/** Also ask DeerAPI's quota lookup at this URL, with the key in the query string (opt-in). */
	quotaLookupUrl?: string;
}

export interface AccountBalance {
	balance: Balance;
	keyUsage: KeyUsage | null;
	quotaLookup: QuotaSummary | null;
	/** The URLs that answered (never with a key in them), in the order asked. */
	answeredBy: string[];
	/** Optional routes the relay does not have. */
	missingRoutes: string[];
	/** The relay's answers as they came. */
	raw: {
		subscription: BillingSubscription;
		usage: BillingUsage;
		keyUsage?: TokenUsage;
		quotaLookup?: QuotaLookup;
	};
}

/** The relay does not have the balance routes: asking it for a balance gets no number at all. */
export class MissingBalanceRoutesError extends Error {
	/** What the user can do about it. */
	readonly hint: string;

	constructor(readonly answer: RelayError) {
		super(`The relay has no balance route: ${routeOf(answer.url)} answered ${answerOf(answer)}`, { cause: answer });
		this.name = 'MissingBalanceRoutesError';
		this.hint =
			'one-api and new-api relays (DeerAPI is one) serve GET /v1/dashboard/billing/subscription and /v1/dashboard/billing/usage; ' +
			'other OpenAI-compatible APIs do not, and this node cannot read their balance. Check the Base URL in the credential.';
	}
}

/** The relay (or a proxy or web app in front of it) has no such route: a 404/405, "Invalid URL", or a web page instead of JSON. */
export function isMissingRoute(error: unknown): error is RelayError {
	if (error instanceof RelayApiError) {
		return error.status === 404 || error.status === 405 || /invalid url/i.test(error.relayMessage);
	}
	return error instanceof RelayResponseError && error.kind === 'html';
}

// Float noise (25 - 21.5000001) stays out of the figures: a millionth of a dollar is far below a cent.
const round = (value: number) => Math.round(value * 1e6) / 1e6;

export function balanceFromBilling(subscription: BillingSubscription, usage: BillingUsage): Balance {
	const unlimited = subscription.hard_limit_usd >= UNLIMITED_HARD_LIMIT_USD;
	const used = round(usage.total_usage / 100);
	const granted = unlimited ? null : round(subscription.hard_limit_usd);
	return {
		currency: 'USD',
		remaining: granted === null ? null : round(granted - used),
		used,
		granted,
		unlimited,
		accessUntil: unixTimeToIso(subscription.access_until),
	};
}

export function keyUsageFromToken(token: TokenUsage): KeyUsage {
	const { data } = token;
	return {
		name: typeof data.name === 'string' ? data.name : null,
		granted: data.total_granted,
		used: data.total_used,
		available: data.total_available,
		unlimited: data.unlimited_quota === true,
		expiresAt: unixTimeToIso(data.expires_at),
		unit: 'quota',
		note: QUOTA_UNIT_NOTE,
	};
}

const numberOrNull = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

export function summariseQuotaLookup(lookup: QuotaLookup): QuotaSummary {
	return {
		username: typeof lookup.username === 'string' ? lookup.username : null,
		remaining: lookup.total_quota,
		used: lookup.total_used_quota,
		requestCount: numberOrNull(lookup.request_count),
		keys: (Array.isArray(lookup.keys) ? lookup.keys : []).map((key) => {
			// DeerAPI's documentation: -1 means unlimited.
			const unlimited = key.remain_quota === -1 || key.used_quota === -1;
			return {
				name: typeof key.name === 'string' ? key.name : null,
				remaining: unlimited ? null : numberOrNull(key.remain_quota),
				used: key.used_quota === -1 ? null : numberOrNull(key.used_quota),
				unlimited,
			};
		}),
	};
}

/**
 * Asks the relay, one route after another: the billing subscription and usage (required: a relay
 * without them gets a MissingBalanceRoutesError, never a made-up number), then what `request`
 * adds. Any other failure is the transport's error, as it came.
 */
export async function fetchBalance(client: RelayClient, request: BalanceRequest, options: CallOptions = {}): Promise<AccountBalance> {
	const answeredBy: string[] = [];
	const missingRoutes: string[] = [];
	const answered = <T>(response: RelayResponse<T>): T => {
		if (response.url) answeredBy.push(response.url);
		return response.body;
	};
	const required = async <T>(call: () => Promise<RelayResponse<T>>): Promise<T> => {
		try {
			return answered(await call());
		} catch (error) {
			throw isMissingRoute(error) ? new MissingBalanceRoutesError(error) : error;
		}
	};

	const subscription = await required(async () => await client.billingSubscription(options));
	const usage = await required(async () => await client.billingUsage(options));
	const raw: AccountBalance['raw'] = { subscription, usage };

	if (request.keyUsage) {
		try {
			raw.keyUsage = answered(await client.tokenUsage(options));
		} catch (error) {
			if (!isMissingRoute(error)) throw error;
			if (error.url) missingRoutes.push(error.url);
		}
	}
	if (request.quotaLookupUrl !== undefined) {
		raw.quotaLookup = answered(await client.quotaLookup(request.quotaLookupUrl, options));
	}

	return {
		balance: balanceFromBilling(subscription, usage),
		keyUsage: raw.keyUsage ? keyUsageFromToken(raw.keyUsage) : null,
		quotaLookup: raw.quotaLookup ? summariseQuotaLookup(raw.quotaLookup) : null,
		answeredBy,
		missingRoutes,
		raw,
	};
}

/** "US$3.50 left" or "unlimited", for one line of text. */
export function describeBalance(balance: Balance): string {
	if (balance.remaining === null) return 'unlimited balance';
	return `US$${balance.remaining.toFixed(2)} left`;
}

function routeOf(url: string | undefined): string {
	if (!url) return 'the billing route';
	try {
		return `GET ${new URL(url).pathname}`;
	} catch {
		return `GET ${url}`;
	}
}

function answerOf(error: RelayError): string {
	if (error instanceof RelayApiError) {
		if (error.bodyKind === 'html') return `${describeStatus(error.status)} with a web page`;
		if (error.bodyKind === 'empty') return `${describeStatus(error.status)} with an empty body`;
		return `${describeStatus(error.status)}: ${error.relayMessage}`;
	}
	// A web page where JSON was expected: the relay's web app, or a proxy's page.
	return `${error.status === undefined ? 'with' : `${describeStatus(error.status)} with`} a web page instead of JSON`;
}
