/**
 * The sampling settings both chat nodes offer, and the chat-completions fields they become. The
 * names are those of n8n's AI SDK (ChatModelConfig), so a model's config maps the same way.
 */
export interface SamplingSettings {
	temperature?: number;
	topP?: number;
	maxTokens?: number;
	/** max_tokens is what almost every model behind a relay knows; newer OpenAI models want the other. */
	maxTokensField?: 'max_tokens' | 'max_completion_tokens';
	frequencyPenalty?: number;
	presencePenalty?: number;
	seed?: number;
	reasoningEffort?: string;
}

/** Only the settings that are set; nothing is sent for the others. */
export function samplingFields(settings: SamplingSettings): Record<string, unknown> {
	const fields: Record<string, unknown> = {};
	const copy = (value: unknown, field: string) => {
		if (value !== undefined && value !== null && value !== '') fields[field] = value;
	};
	copy(settings.temperature, 'temperature');
	copy(settings.topP, 'top_p');
	copy(settings.maxTokens, settings.maxTokensField ?? 'max_tokens');
	copy(settings.presencePenalty, 'presence_penalty');
	copy(settings.frequencyPenalty, 'frequency_penalty');
	copy(settings.seed, 'seed');
	copy(settings.reasoningEffort, 'reasoning_effort');
	return fields;
}
