import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';

import { RelayClient, type AuthFormat, type RelayClientOptions } from '../transport';

export const CREDENTIAL_TYPE = 'deerApiRelayApi';

/** The options every node offers under "Options" that shape the client. */
export interface ClientTuning {
	timeoutMs?: number;
	maxRetries?: number;
}

export function clientFromCredential(
	credential: ICredentialDataDecryptedObject,
	tuning: ClientTuning = {},
): RelayClient {
	const options: RelayClientOptions = {
		apiKey: String(credential.apiKey ?? ''),
		baseUrl: typeof credential.baseUrl === 'string' ? credential.baseUrl : undefined,
		authFormat: (credential.authFormat as AuthFormat | undefined) ?? 'bearer',
	};
	if (tuning.timeoutMs !== undefined) {
		// One number for users: the wait for an answer to start, and the longest pause within a stream.
		options.timeoutMs = tuning.timeoutMs;
		options.streamIdleTimeoutMs = tuning.timeoutMs;
	}
	if (tuning.maxRetries !== undefined) options.maxRetries = tuning.maxRetries;
	return new RelayClient(options);
}

/** The relay client for a node run (or for one item, when the credential differs per item). */
export async function getRelayClient(
	context: IExecuteFunctions | ILoadOptionsFunctions,
	tuning: ClientTuning = {},
	itemIndex?: number,
): Promise<RelayClient> {
	const credential = await context.getCredentials(CREDENTIAL_TYPE, itemIndex);
	return clientFromCredential(credential, tuning);
}
