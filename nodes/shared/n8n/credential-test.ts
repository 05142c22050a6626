import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { describeBalance, fetchBalance } from '../transport/balance';
import { clientFromCredential } from './client';
import { errorMessage } from './errors';

// The balance is a bonus on the message: it may not hold the test up for long.
const BALANCE_TIMEOUT_MS = 5_000;

/**
 * Every node lists `{ name: 'deerApiRelayApi', testedBy: 'deerApiCredentialTest' }` (a literal: n8n's lint
 * rule reads it from the source) and `methods.credentialTest.deerApiCredentialTest`.
 *
 * "Test" in the credential dialog: lists the models with the key and base URL as entered, through
 * the same client the nodes use, and reports the relay's own message when that fails. Beside the
 * models it asks the billing routes; where they answer, the success message says what is left
 * (n8n's editor shows only "Connection tested successfully"; the message is for the REST API).
 * A relay without them, or any failure there, never fails the test.
 */
export async function deerApiCredentialTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const client = clientFromCredential(credential.data ?? {}, { maxRetries: 0, timeoutMs: 30_000 });
		const balance = fetchBalance(client, { keyUsage: false }, { timeoutMs: BALANCE_TIMEOUT_MS }).then(
			(account) => `; ${describeBalance(account.balance)}`,
			() => '',
		);
		const { body: models } = await client.listModels();
		return {
			status: 'OK',
			message: `Connected to ${client.apiRoot}: ${models.length} models available${await balance}`,
		};
	} catch (error) {
		return { status: 'Error', message: errorMessage(error) };
	}
}
