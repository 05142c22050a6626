import type { INodeProperties } from 'n8n-workflow';

import { maxRetriesOption, timeoutOption } from '../shared/n8n/client';
import { extraBodyOption, modelLocator } from '../shared/n8n/parameters';
import {
	chatResponseFormatOption,
	frequencyPenaltyOption,
	maxTokensFieldOption,
	maxTokensOption,
	presencePenaltyOption,
	reasoningEffortOption,
	temperatureOption,
	topPOption,
} from '../shared/n8n/sampling-options';

const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	description: 'Only the options you add are sent',
	options: [
		extraBodyOption,
		frequencyPenaltyOption,
		maxRetriesOption,
		maxTokensOption,
		maxTokensFieldOption,
		presencePenaltyOption,
		reasoningEffortOption,
		chatResponseFormatOption({ jsonSchema: false }),
		temperatureOption,
		timeoutOption,
		topPOption,
	],
};

export const chatModelProperties: INodeProperties[] = [
	modelLocator({ searchMethod: 'searchModels', defaultId: 'gpt-4o-mini', placeholder: 'e.g. deepseek-reasoner' }),
	options,
];
