import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { fetchBalance, MissingBalanceRoutesError, type AccountBalance, type BalanceRequest } from '../shared/transport/balance';
import { toNodeError } from '../shared/n8n/errors';
import { runNode, type ItemOperation } from '../shared/n8n/runner';
import type { RelayClient } from '../shared/transport';
import { balanceJson } from './output';
import { readBalanceRequest } from './request';

// A balance depends only on the key and what is asked: items asking the same share one answer.
// Kept for the run's client only (a run's clients are its own): every run asks the relay afresh.
const answers = new WeakMap<RelayClient, Map<string, Promise<AccountBalance>>>();

const getBalance: ItemOperation<BalanceRequest, AccountBalance> = {
	concurrency: 1,
	read: ({ context, itemIndex }) => readBalanceRequest(context, itemIndex),
	call: async (request, { context, client, itemIndex, signal }) => {
		let asked = answers.get(client);
		if (!asked) answers.set(client, (asked = new Map()));
		const key = JSON.stringify(request);
		let answer = asked.get(key);
		if (!answer) {
			answer = fetchBalance(client, request, { signal });
			asked.set(key, answer);
		}
		try {
			return await answer;
		} catch (error) {
			// Not a relay error to map: the relay has no such routes, which the user must read as such.
			if (error instanceof MissingBalanceRoutesError) {
				throw new NodeOperationError(context.getNode(), error.message, { itemIndex, description: error.hint });
			}
			throw toNodeError(context.getNode(), error, itemIndex);
		}
	},
	toItems: (balance) => [{ json: balanceJson(balance) }],
};

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runNode(this, getBalance);
}
