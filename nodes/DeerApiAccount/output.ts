import type { IDataObject } from 'n8n-workflow';

import type { AccountBalance } from '../shared/transport/balance';

/**
 * The item of a balance: the figures first (what an IF compares), then the key's own usage and
 * the quota lookup where asked, which routes answered, and the relay's answers as they came.
 * A copy: one answer may serve several items, and later nodes may change what they get.
 */
export function balanceJson(account: AccountBalance): IDataObject {
	return structuredClone({
		...account.balance,
		keyUsage: account.keyUsage,
		quotaLookup: account.quotaLookup,
		answeredBy: account.answeredBy,
		missingRoutes: account.missingRoutes,
		raw: account.raw,
	}) as unknown as IDataObject;
}
