import { NodeOperationError, type ISupplyDataFunctions, type SupplyData } from 'n8n-workflow';

import { getRelayClient } from '../shared/n8n/client';
import { toNodeError } from '../shared/n8n/errors';
import { answersStreamingCaller } from '../shared/n8n/streaming';
import type { RelayClient } from '../shared/transport';
import { createRelayChatModel, type AiNodeSdkModule } from './model';
import { readChatModelSettings } from './request';
import { FIRST_N8N_WITH_AI_SDK, loadAiNodeSdk, MISSING_AI_SDK_MESSAGE } from './sdk';

/** The model the AI Agent (or a chain) connected to this node works with. */
export async function supplyChatModel(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
	const node = this.getNode();
	const sdk = loadAiNodeSdk();
	if (!sdk) {
		throw new NodeOperationError(node, MISSING_AI_SDK_MESSAGE, {
			itemIndex,
			description: `Update n8n to ${FIRST_N8N_WITH_AI_SDK} or newer to use it. DeerAPI Chat, Image Generate and List Models work on this version, also as tools of an AI Agent.`,
		});
	}

	const { modelId, config, tuning } = readChatModelSettings(this, itemIndex);
	let client: RelayClient;
	try {
		client = await getRelayClient(this, tuning, itemIndex);
	} catch (error) {
		throw toNodeError(node, error, itemIndex, { streaming: answersStreamingCaller(this) });
	}

	const model = createRelayChatModel(sdk, {
		client,
		modelId,
		config,
		scope: this.getExecutionId(),
		signal: this.getExecutionCancelSignal(),
		// The Agent fails with this error; a streaming caller reads its description.
		mapError: (error) => toNodeError(node, error, itemIndex, { streaming: answersStreamingCaller(this) }),
	});
	// The SDK's typings name the n8n-workflow it was built with (a copy of its own in development);
	// in n8n both are n8n's one n8n-workflow.
	return sdk.supplyModel(this as unknown as Parameters<AiNodeSdkModule['supplyModel']>[0], model) as SupplyData;
}
