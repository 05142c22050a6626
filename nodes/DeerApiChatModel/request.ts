import type { IDataObject, ISupplyDataFunctions } from 'n8n-workflow';

import { readTuning, type ClientTuning } from '../shared/n8n/client';
import { parseJsonParameter, readModel } from '../shared/n8n/parameters';
import type { SamplingSettings } from '../shared/transport';
import type { RelayChatModelConfig } from './model';

/** The node's Options collection; only the options the user added are present. */
interface ChatModelOptions extends SamplingSettings {
	extraBody?: unknown;
	maxRetries?: number;
	responseFormat?: 'text' | 'json_object';
	timeout?: number;
}

export interface ChatModelSettings {
	modelId: string;
	config: RelayChatModelConfig;
	tuning: ClientTuning;
}

/** Every parameter read and checked before the model is handed to the agent. */
export function readChatModelSettings(context: ISupplyDataFunctions, itemIndex: number): ChatModelSettings {
	const modelId = readModel(context, itemIndex);
	const options = context.getNodeParameter('options', itemIndex, {}) as ChatModelOptions;
	const extraBody = parseJsonParameter(context, itemIndex, options.extraBody, 'Extra Body Fields', 'object') as
		| IDataObject
		| undefined;
	const config: RelayChatModelConfig = {};
	const settings: Array<keyof SamplingSettings> = [
		'temperature',
		'topP',
		'maxTokens',
		'maxTokensField',
		'frequencyPenalty',
		'presencePenalty',
		'reasoningEffort',
	];
	for (const key of settings) {
		if (options[key] !== undefined) (config as Record<string, unknown>)[key] = options[key];
	}
	if (options.responseFormat === 'json_object') config.responseFormat = 'json_object';
	if (extraBody && Object.keys(extraBody).length) config.extraBody = extraBody;
	return { modelId, config, tuning: readTuning(options as IDataObject) };
}
