import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { BalanceRequest } from '../shared/transport/balance';
import { errorMessage, invalidParameter } from '../shared/n8n/errors';
import { quotaLookupUrl } from '../shared/transport';

/** What one item asks for, read and checked before anything is sent. */
export function readBalanceRequest(context: IExecuteFunctions, itemIndex: number): BalanceRequest {
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const request: BalanceRequest = { keyUsage: options.keyUsage !== false };
	if (context.getNodeParameter('quotaLookup', itemIndex, false) === true) {
		const url = context.getNodeParameter('quotaLookupUrl', itemIndex, '') as string;
		try {
			request.quotaLookupUrl = quotaLookupUrl(url);
		} catch (error) {
			throw invalidParameter(context.getNode(), itemIndex, 'Quota Lookup URL', errorMessage(error));
		}
	}
	return request;
}
