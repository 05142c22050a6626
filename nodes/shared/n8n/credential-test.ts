import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { clientFromCredential } from './client';
import { errorMessage } from './errors';

/**
 * Every node lists `{ name: 'deerApiRelayApi', testedBy: 'deerApiCredentialTest' }` (a literal: n8n's lint
 * rule reads it from the source) and `methods.credentialTest.deerApiCredentialTest`.
 *
 * "Test" in the credential dialog: lists the models with the key and base URL as entered, through
 * the same client the nodes use, and reports the relay's own message when that fails.
 */
export async function deerApiCredentialTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const client = clientFromCredential(credential.data ?? {}, { maxRetries: 0, timeoutMs: 30_000 });
		const { body: models } = await client.listModels();
		return {
			status: 'OK',
			message: `Connected to ${client.apiRoot}: ${models.length} models available`,
		};
	} catch (error) {
		return { status: 'Error', message: errorMessage(error) };
	}
}
