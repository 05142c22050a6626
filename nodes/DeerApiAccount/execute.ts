import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { fetchBalance, MissingBalanceRoutesError, type AccountBalance } from '../shared/balance';
import { runClient } from '../shared/n8n/client';
import { toNodeError } from '../shared/n8n/errors';
import { runPerItem } from '../shared/n8n/items';
import { balanceJson } from './output';
import { readBalanceRequest } from './request';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const client = await runClient(this, this.getNodeParameter('options', 0, {}) as IDataObject);
	// A balance depends only on the key and what is asked: items asking the same share one answer.
	const answers = new Map<string, Promise<AccountBalance>>();
	return await runPerItem(
		this,
		{
			read: (itemIndex) => readBalanceRequest(this, itemIndex),
			send: async (request, itemIndex, signal) => {
				const key = JSON.stringify(request);
				let answer = answers.get(key);
				if (!answer) {
					answer = fetchBalance(client, request, { signal });
					answers.set(key, answer);
				}
				try {
					return [{ json: balanceJson(await answer) }];
				} catch (error) {
					if (error instanceof MissingBalanceRoutesError) {
						throw new NodeOperationError(this.getNode(), error.message, { itemIndex, description: error.hint });
					}
					throw toNodeError(this.getNode(), error, itemIndex);
				}
			},
		},
		1,
	);
}
