/**
 * n8n's AI node SDK, loaded when the node first supplies a model, never when the package loads:
 * n8n before 2.16 has no SDK, and the package's other nodes must still load and work there.
 */
import type { AiNodeSdkModule } from './model';

/** The first n8n release that ships @n8n/ai-node-sdk. */
export const FIRST_N8N_WITH_AI_SDK = '2.16';

export const MISSING_AI_SDK_MESSAGE = `The DeerAPI Chat Model needs n8n ${FIRST_N8N_WITH_AI_SDK} or newer: it is built on n8n's AI node SDK (@n8n/ai-node-sdk), which this n8n does not have`;

let loaded: AiNodeSdkModule | undefined;

/** The SDK of the n8n this runs in; undefined when it has none (or one without custom models). */
export function loadAiNodeSdk(): AiNodeSdkModule | undefined {
	if (loaded) return loaded;
	let sdk: Partial<AiNodeSdkModule>;
	try {
		sdk = require('@n8n/ai-node-sdk') as AiNodeSdkModule;
	} catch {
		return undefined;
	}
	if (typeof sdk.BaseChatModel !== 'function' || typeof sdk.supplyModel !== 'function') return undefined;
	loaded = sdk as AiNodeSdkModule;
	return loaded;
}
