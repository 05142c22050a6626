/**
 * The body of a chat-completions request, the one both chat nodes send: Chat for each item, the
 * Chat Model for each turn of an agent. Only the fields that are set are sent; Extra Body Fields
 * go over everything last.
 */
import type { ChatMessage } from './types';

/**
 * The sampling settings both chat nodes offer. The names are those of n8n's AI SDK
 * (ChatModelConfig), so a model's config maps the same way.
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

/** The reply as free text, as JSON of any shape, or as JSON following a schema. */
export type ResponseFormat = 'text' | 'json_object' | { name: string; schema: Record<string, unknown>; strict?: boolean };

export interface ChatBodyFields {
	model: string;
	messages: ChatMessage[];
	sampling?: SamplingSettings;
	/** How many answers (choices). */
	n?: number;
	stop?: string[];
	responseFormat?: ResponseFormat;
	/** Function tools as the API takes them: {"type": "function", "function": {name, description, parameters}}. */
	tools?: Array<Record<string, unknown>>;
	toolChoice?: string | Record<string, unknown>;
	user?: string;
	/** Stream the answer, its usage in the last chunk. */
	stream: boolean;
	/** Provider-specific fields merged over the body last ("thinking", "enable_search"); they may turn streaming off. */
	extraBody?: Record<string, unknown>;
}

const STREAM_OPTIONS = { include_usage: true };

export function chatRequestBody(fields: ChatBodyFields): Record<string, unknown> {
	const body: Record<string, unknown> = { model: fields.model, messages: fields.messages };
	const copy = (field: string, value: unknown) => {
		if (value !== undefined && value !== null && value !== '') body[field] = value;
	};
	const sampling = fields.sampling ?? {};
	copy('temperature', sampling.temperature);
	copy('top_p', sampling.topP);
	copy(sampling.maxTokensField ?? 'max_tokens', sampling.maxTokens);
	copy('presence_penalty', sampling.presencePenalty);
	copy('frequency_penalty', sampling.frequencyPenalty);
	copy('seed', sampling.seed);
	copy('reasoning_effort', sampling.reasoningEffort);
	copy('n', fields.n);
	if (fields.stop?.length) body.stop = fields.stop;
	copy('response_format', responseFormatField(fields.responseFormat));
	if (fields.tools?.length) body.tools = fields.tools;
	copy('tool_choice', fields.toolChoice);
	copy('user', fields.user);
	if (fields.stream) {
		body.stream = true;
		body.stream_options = STREAM_OPTIONS;
	}
	const merged = { ...body, ...fields.extraBody };
	// Extra Body Fields may turn streaming off; stream_options without a stream is a 400.
	if (merged.stream !== true && merged.stream_options === STREAM_OPTIONS) delete merged.stream_options;
	return merged;
}

function responseFormatField(format: ResponseFormat | undefined): Record<string, unknown> | undefined {
	if (format === undefined || format === 'text') return undefined;
	if (format === 'json_object') return { type: 'json_object' };
	const jsonSchema: Record<string, unknown> = { name: format.name, schema: format.schema };
	if (format.strict !== undefined) jsonSchema.strict = format.strict;
	return { type: 'json_schema', json_schema: jsonSchema };
}
