import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { classifyModel, pickModels, type ModelPreference } from '../transport/model-kinds';
import type { ModelEntry, RelayClient } from '../transport';
import { clientFromCredential, credentialKey, CREDENTIAL_TYPE } from './client';
import { toNodeError, type NodeError } from './errors';

// n8n calls a list search again on every keystroke in the picker's filter box; one fetch per
// credential serves them all for a minute.
const CACHE_TTL_MS = 60_000;
const cache = new Map<string, { at: number; models: Promise<ModelEntry[]> }>();

// A dropdown should say what is wrong within seconds, not after minutes of retries.
const PICKER_TUNING = { timeoutMs: 30_000, maxRetries: 1 };

/** The relay's model list, fetched at most once a minute per base URL and key. */
export async function cachedModelList(client: RelayClient, cacheKey: string): Promise<ModelEntry[]> {
	const now = Date.now();
	for (const [key, entry] of cache) {
		if (now - entry.at >= CACHE_TTL_MS) cache.delete(key);
	}
	const hit = cache.get(cacheKey);
	if (hit) return await hit.models;
	const models = client.listModels().then((response) => response.body);
	const entry = { at: now, models };
	cache.set(cacheKey, entry);
	// A failed fetch must not be served from the cache to the next keystroke.
	models.catch(() => {
		if (cache.get(cacheKey) === entry) cache.delete(cacheKey);
	});
	return await models;
}

/** Forget every cached model list (tests; a changed list shows at once). */
export function clearModelListCache(): void {
	cache.clear();
}

async function searchModelList(
	context: ILoadOptionsFunctions,
	filter: string | undefined,
	prefer: ModelPreference[],
): Promise<INodeListSearchResult> {
	try {
		const credential = await context.getCredentials(CREDENTIAL_TYPE);
		const client = clientFromCredential(credential, PICKER_TUNING);
		const models = await cachedModelList(client, credentialKey(client, credential));
		return {
			results: pickModels(models, { filter, prefer }).map((model) => ({
				// n8n's dropdown shows an entry's name only, never its description: type and owner go
				// in the name. The value stays the bare id (what is sent, and the canvas subtitle).
				name: [model.id, classifyModel(model), model.owned_by].filter(Boolean).join(' · '),
				value: model.id,
			})),
		};
	} catch (error) {
		// Thrown, not swallowed: the picker then shows the relay's message instead of an empty list.
		// Its timeout and retries are fixed: the hints name no option.
		throw withoutLeadingStatus(toNodeError(context.getNode(), error, 0, { tunable: false }));
	}
}

/**
 * n8n's picker shows an error as "<httpCode> - <message>": a message that starts with the status
 * ("401 Unauthorized: …") would say it twice. The status stays in httpCode (401 and 403 also
 * give the picker its link to the credential).
 */
function withoutLeadingStatus(error: NodeError): NodeError {
	const httpCode = 'httpCode' in error ? error.httpCode : null;
	if (httpCode) error.message = error.message.replace(new RegExp(`^(?:HTTP )?${httpCode}(?::\\s*|\\s+)`), '');
	return error;
}

/** Every model the key can use, sorted by id, filtered as the user types. */
export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return await searchModelList(this, filter, []);
}

/** The same list with image models first. */
export async function searchImageModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return await searchModelList(this, filter, ['image']);
}

/** The same list with embedding models first. */
export async function searchEmbeddingModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return await searchModelList(this, filter, ['embedding']);
}

/**
 * The same list with the audio models that fit the node's operation first (speech models for Text
 * to Speech, transcription models for Transcribe and Translate), then the other audio models.
 */
export async function searchAudioModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const operation = this.getNodeParameter('operation', 'textToSpeech');
	return await searchModelList(this, filter, [operation === 'textToSpeech' ? 'speech' : 'transcription', 'audio']);
}

/** The same list with video models first. */
export async function searchVideoModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return await searchModelList(this, filter, ['video']);
}
