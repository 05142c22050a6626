import type { INodeProperties } from 'n8n-workflow';

import { maxRetriesOption, timeoutOption } from '../shared/n8n/client';
import { DEFAULT_QUOTA_LOOKUP_URL } from '../shared/transport';

export type Operation = 'getBalance';

const quotaLookupOn = { show: { quotaLookup: [true] } };

export const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'getBalance',
		options: [
			{
				name: 'Get Balance',
				value: 'getBalance',
				action: 'Get the balance of the key',
				description:
					'GET /v1/dashboard/billing/subscription and /usage: what the key has left, has used and was granted, in US dollars',
			},
		],
	},
	{
		displayName: 'Use DeerAPI Quota Lookup (Key in URL)',
		name: 'quotaLookup',
		type: 'boolean',
		default: false,
		description:
			"Whether to also ask DeerAPI's quota lookup (its own host) for the account's balance and each key's. It takes the API key in the URL's query string.",
	},
	{
		displayName:
			'The quota lookup sends the API key in the URL, where proxies and web servers log it. Use a key made only for checking the balance, with no quota of its own, as DeerAPI recommends.',
		name: 'quotaLookupNotice',
		type: 'notice',
		default: '',
		displayOptions: quotaLookupOn,
	},
	{
		displayName: 'Quota Lookup URL',
		name: 'quotaLookupUrl',
		type: 'string',
		default: DEFAULT_QUOTA_LOOKUP_URL,
		placeholder: DEFAULT_QUOTA_LOOKUP_URL,
		description: 'The host of the quota lookup; "/user/quota?key=…" is added to it',
		displayOptions: quotaLookupOn,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Include Key Usage (New-API)',
				name: 'keyUsage',
				type: 'boolean',
				default: true,
				description:
					"Whether to also ask new-api's GET /api/usage/token for the key's own figures, in the relay's quota units. A relay without that route is listed under missingRoutes, not an error.",
			},
			maxRetriesOption,
			timeoutOption,
		],
	},
];
