import type { INodeProperties } from 'n8n-workflow';

/** The sampling options both chat nodes offer; see ../transport/chat-body.ts for the fields they become. */

export const frequencyPenaltyOption: INodeProperties = {
	displayName: 'Frequency Penalty',
	name: 'frequencyPenalty',
	type: 'number',
	default: 0,
	typeOptions: { minValue: -2, maxValue: 2, numberPrecision: 1 },
	description:
		'Positive values make the model less likely to repeat the same words (frequency_penalty, -2 to 2)',
};

export const maxTokensOption: INodeProperties = {
	displayName: 'Maximum Number of Tokens',
	name: 'maxTokens',
	type: 'number',
	default: 1024,
	typeOptions: { minValue: 1 },
	description:
		'The most tokens the answer may have. Sent as max_tokens unless "Maximum Tokens Field" says otherwise.',
};

export const maxTokensFieldOption: INodeProperties = {
	displayName: 'Maximum Tokens Field',
	name: 'maxTokensField',
	type: 'options',
	options: [
		{
			name: 'Max_completion_tokens',
			value: 'max_completion_tokens',
			description: 'For newer OpenAI reasoning models (o1, o3, gpt-5...) that reject max_tokens',
		},
		{
			name: 'Max_tokens',
			value: 'max_tokens',
			description: 'Understood by almost every model and relay',
		},
	],
	default: 'max_tokens',
	description: 'Which request field carries "Maximum Number of Tokens"',
};

export const presencePenaltyOption: INodeProperties = {
	displayName: 'Presence Penalty',
	name: 'presencePenalty',
	type: 'number',
	default: 0,
	typeOptions: { minValue: -2, maxValue: 2, numberPrecision: 1 },
	description:
		'Positive values make the model more likely to talk about new topics (presence_penalty, -2 to 2)',
};

export const reasoningEffortOption: INodeProperties = {
	displayName: 'Reasoning Effort',
	name: 'reasoningEffort',
	type: 'options',
	options: [
		{ name: 'High', value: 'high' },
		{ name: 'Low', value: 'low' },
		{ name: 'Medium', value: 'medium' },
		{ name: 'Minimal', value: 'minimal' },
	],
	default: 'medium',
	description:
		'How much reasoning models (o3, o4-mini, gpt-5...) think before answering (reasoning_effort)',
};

export const temperatureOption: INodeProperties = {
	displayName: 'Sampling Temperature',
	name: 'temperature',
	type: 'number',
	default: 1,
	typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 1 },
	description:
		'Higher values (up to 2) make the answer more varied, lower values more focused and repeatable (temperature)',
};

export const topPOption: INodeProperties = {
	displayName: 'Top P',
	name: 'topP',
	type: 'number',
	default: 1,
	typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
	description:
		'Only the most likely tokens making up this share of probability are considered (top_p). Change this or the temperature, not both.',
};

/** Text or JSON; JSON Schema where the node has the JSON Schema options to go with it. */
export function chatResponseFormatOption(offer: { jsonSchema: boolean }): INodeProperties {
	const jsonObject = {
		name: 'JSON Object',
		value: 'json_object',
		description: offer.jsonSchema
			? 'Valid JSON of any shape; the output gets the parsed object in its JSON field'
			: 'Valid JSON of any shape (most models need the word "JSON" in the prompt)',
	};
	const jsonSchema = {
		name: 'JSON Schema',
		value: 'json_schema',
		description: 'JSON that follows the schema in the JSON Schema option; parsed like JSON Object',
	};
	const text = { name: 'Text', value: 'text', description: 'Free text (sends no response_format)' };
	return {
		displayName: 'Response Format',
		name: 'responseFormat',
		type: 'options',
		options: offer.jsonSchema ? [jsonObject, jsonSchema, text] : [jsonObject, text],
		default: 'text',
	};
}
