import { createHash } from 'node:crypto';

import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { RelayClient, type AuthFormat, type RelayClientOptions } from '../transport';
import { toNodeError } from './errors';
import { answersStreamingCaller } from './streaming';

export const CREDENTIAL_TYPE = 'deerApiRelayApi';

/** The options every node offers under "Options" that shape the client (read from item 0). */
export interface ClientTuning {
	timeoutMs?: number;
	maxRetries?: number;
}

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	default: 600,
	typeOptions: { minValue: 1 },
	description:
		'How long one attempt may take before it is abandoned (and retried). For streams: until the answer starts, and then the longest silence between two pieces.',
};

export const maxRetriesOption: INodeProperties = {
	displayName: 'Max Retries',
	name: 'maxRetries',
	type: 'number',
	default: 2,
	typeOptions: { minValue: 0, maxValue: 10 },
	description:
		'Retries after a 408, 409, 429 or 5xx answer, a broken connection or a timeout, waiting as the relay asks (Retry-After) or backing off exponentially',
};

/** The client tuning from a node's Options collection (Timeout, Max Retries). */
export function readTuning(options: IDataObject): ClientTuning {
	const tuning: ClientTuning = {};
	if (typeof options.timeout === 'number' && options.timeout > 0) tuning.timeoutMs = options.timeout * 1000;
	if (typeof options.maxRetries === 'number' && options.maxRetries >= 0) tuning.maxRetries = options.maxRetries;
	return tuning;
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

/**
 * Who is asking, as far as the relay is concerned: the API root, the auth format and a hash of
 * the key (the key itself is never kept).
 */
export function credentialKey(client: RelayClient, credential: ICredentialDataDecryptedObject): string {
	return createHash('sha256')
		.update(`${client.apiRoot}\n${String(credential.authFormat)}\n${String(credential.apiKey)}`)
		.digest('hex');
}

/**
 * The client for each item of a run whose credential may differ between items (an expression in
 * the key or base URL): the credential is read for each item, and items with the same one share
 * a client. A credential that cannot be used fails its item.
 */
export function clientPerCredential(
	context: CredentialSource,
	options: IDataObject,
): (itemIndex: number) => Promise<RelayClient> {
	const tuning = readTuning(options);
	const clients = new Map<string, RelayClient>();
	return async (itemIndex) => {
		const credential = await context.getCredentials(CREDENTIAL_TYPE, itemIndex);
		const client = clientFromCredential(credential, tuning);
		const key = credentialKey(client, credential);
		const known = clients.get(key);
		if (known) return known;
		clients.set(key, client);
		return client;
	};
}
