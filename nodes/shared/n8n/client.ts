import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { RelayClient, type AuthFormat, type RelayClientOptions } from '../transport';
import { toNodeError } from './errors';
import { readTuning } from './parameters';
import { answersStreamingCaller } from './streaming';

export const CREDENTIAL_TYPE = 'deerApiRelayApi';

/** The options every node offers under "Options" that shape the client (read from item 0). */
export interface ClientTuning {
	timeoutMs?: number;
	maxRetries?: number;
}

/**
 * The one client factory: the credential's key, base URL and auth format, and the node's tuning.
 * The nodes, the model pickers and the credential test all get their client here.
 */
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

/** Any n8n context that can hand out the credential (execute, load options, supply data). */
export type CredentialSource = Pick<IExecuteFunctions, 'getCredentials'>;

/** The relay client for a node run (or for one item, when the credential differs per item). */
export async function getRelayClient(
	context: CredentialSource,
	tuning: ClientTuning = {},
	itemIndex?: number,
): Promise<RelayClient> {
	const credential = await context.getCredentials(CREDENTIAL_TYPE, itemIndex);
	return clientFromCredential(credential, tuning);
}

/**
 * The client of a whole node run: Timeout and Max Retries from the Options of item 0. An empty
 * key or a base URL that is not one fails the run, with the same error for every item.
 */
export async function runClient(context: IExecuteFunctions, options: IDataObject): Promise<RelayClient> {
	try {
		return await getRelayClient(context, readTuning(options));
	} catch (error) {
		throw toNodeError(context.getNode(), error, 0, { streaming: answersStreamingCaller(context) });
	}
}
