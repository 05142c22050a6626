/**
 * n8n's AI SDK shapes <-> the chat-completions wire format. Types only from the SDK: this module
 * must load on an n8n without it.
 */
import type {
	ContentFile,
	FinishReason,
	GenerateResult,
	Message,
	MessageContent,
	TokenUsage,
	Tool,
} from '@n8n/ai-node-sdk';

import { contentText, type ChatCompletion, type ChatContentPart, type ChatMessage, type ToolCall, type Usage } from '../shared/transport';

/** Where the reasoning of an assistant turn that called tools rides along (see reasoning-memory.ts). */
export const REASONING_METADATA_KEY = 'reasoning_content';

/** A message the relay cannot take (a file that is not an image); says which and why. */
export class UnsupportedContentError extends Error {
	readonly kind = 'unsupported-content';
}

type ByType<T extends MessageContent['type']> = Extract<MessageContent, { type: T }>;

function blocksOf<T extends MessageContent['type']>(message: Message, type: T): Array<ByType<T>> {
	return message.content.filter((block): block is ByType<T> => block.type === type);
}

function joinedText(message: Message): string {
	return blocksOf(message, 'text')
		.map((block) => block.text)
		.join('');
}

function fileUrl(file: ContentFile): string {
	const mediaType = file.mediaType ?? 'application/octet-stream';
	const linked = file.providerMetadata?.url;
	if (typeof linked === 'string' && linked) return linked;
	if (typeof file.data === 'string') {
		if (/^(https?:|data:)/i.test(file.data)) return file.data;
		return `data:${mediaType};base64,${file.data}`;
	}
	return `data:${mediaType};base64,${Buffer.from(file.data).toString('base64')}`;
}

function userContent(message: Message): ChatMessage['content'] {
	const files = blocksOf(message, 'file');
	if (files.length === 0) return joinedText(message);
	const parts: ChatContentPart[] = blocksOf(message, 'text').map((block) => ({
		type: 'text',
		text: block.text,
	}));
	for (const file of files) {
		const url = fileUrl(file);
		const mediaType = file.mediaType ?? (url.startsWith('data:') ? url.slice(5, url.search(/[;,]/)) : '');
		if (mediaType && !mediaType.startsWith('image/')) {
			throw new UnsupportedContentError(
				`A message carries a file of type ${mediaType}: chat completions take images only (image/png, image/jpeg, image/webp, image/gif)`,
			);
		}
		parts.push({ type: 'image_url', image_url: { url } });
	}
	return parts;
}

function resultText(result: unknown): string {
	if (typeof result === 'string') return result;
	if (Array.isArray(result)) {
		// A result given as content blocks: its text is what the model reads.
		const texts = result
			.filter((block): block is { type: 'text'; text: string } => block?.type === 'text' && typeof block.text === 'string')
			.map((block) => block.text);
		if (texts.length === result.length) return texts.join('');
	}
	return JSON.stringify(result ?? '');
}

function assistantMessage(message: Message): ChatMessage {
	const wire: ChatMessage = { role: 'assistant', content: null };
	const text = joinedText(message);
	const calls: ToolCall[] = [];
	let carried: string | undefined;
	for (const block of message.content) {
		if (block.type === 'tool-call') {
			calls.push({
				id: block.toolCallId ?? '',
				type: 'function',
				function: { name: block.toolName, arguments: block.input },
			});
			const metadata = block.providerMetadata?.[REASONING_METADATA_KEY];
			if (typeof metadata === 'string' && metadata) carried ??= metadata;
		} else if (block.type === 'invalid-tool-call') {
			calls.push({
				id: block.toolCallId ?? '',
				type: 'function',
				function: { name: block.name ?? '', arguments: block.args ?? '' },
			});
		}
	}
	const reasoning = blocksOf(message, 'reasoning')
		.map((block) => block.text)
		.join('');
	if (text || calls.length === 0) wire.content = text;
	if (reasoning || carried) wire.reasoning_content = reasoning || carried;
	if (calls.length) wire.tool_calls = calls;
	if (message.name) wire.name = message.name;
	return wire;
}

/** The SDK's conversation as chat-completions messages; a tool message with N results becomes N. */
export function toWireMessages(messages: Message[]): ChatMessage[] {
	const wire: ChatMessage[] = [];
	for (const message of messages) {
		switch (message.role) {
			case 'system':
				wire.push({ role: 'system', content: joinedText(message) });
				break;
			case 'user':
				wire.push({ role: 'user', content: userContent(message), ...(message.name ? { name: message.name } : {}) });
				break;
			case 'assistant':
				wire.push(assistantMessage(message));
				break;
			case 'tool':
				for (const result of blocksOf(message, 'tool-result')) {
					wire.push({ role: 'tool', tool_call_id: result.toolCallId, content: resultText(result.result) });
				}
				break;
		}
	}
	return wire;
}

/** The SDK's tools as chat-completions `tools`; the JSON schema conversion is the SDK's own. */
export function toWireTools(
	tools: Tool[],
	parametersSchema: (tool: Extract<Tool, { type: 'function' }>) => unknown,
): Array<Record<string, unknown>> {
	return tools.map((tool) => {
		if (tool.type === 'provider') return { type: tool.name, ...tool.args };
		const fn: Record<string, unknown> = { name: tool.name, parameters: parametersSchema(tool) };
		if (tool.description) fn.description = tool.description;
		if (tool.strict !== undefined) fn.strict = tool.strict;
		return { type: 'function', function: fn };
	});
}

export function toFinishReason(reason: string | null | undefined): FinishReason | undefined {
	switch (reason) {
		case null:
		case undefined:
			return undefined;
		case 'stop':
			return 'stop';
		case 'length':
			return 'length';
		case 'tool_calls':
		case 'function_call':
			return 'tool-calls';
		case 'content_filter':
			return 'content-filter';
		default:
			return 'other';
	}
}

export function toTokenUsage(usage: Usage | undefined): TokenUsage | undefined {
	if (!usage) return undefined;
	const promptTokens = usage.prompt_tokens ?? 0;
	const completionTokens = usage.completion_tokens ?? 0;
	const result: TokenUsage = {
		promptTokens,
		completionTokens,
		totalTokens: usage.total_tokens ?? promptTokens + completionTokens,
	};
	const cached = (usage.prompt_tokens_details as { cached_tokens?: unknown } | undefined)?.cached_tokens;
	if (typeof cached === 'number') result.inputTokenDetails = { cacheRead: cached };
	const reasoning = (usage.completion_tokens_details as { reasoning_tokens?: unknown } | undefined)?.reasoning_tokens;
	if (typeof reasoning === 'number') result.outputTokenDetails = { reasoning };
	return result;
}

/** The first choice of a completion as the SDK's answer: reasoning, text, then the tool calls. */
export function toGenerateResult(completion: ChatCompletion, requestId?: string): GenerateResult {
	const choice = completion.choices[0];
	const message = choice?.message;
	const content: MessageContent[] = [];
	if (message?.reasoning_content) content.push({ type: 'reasoning', text: message.reasoning_content });
	const text = contentText(message?.content);
	if (text) content.push({ type: 'text', text });
	for (const call of message?.tool_calls ?? []) {
		content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.function.name, input: call.function.arguments || '{}' });
	}
	const providerMetadata: Record<string, unknown> = {};
	if (completion.model) providerMetadata.model_name = completion.model;
	if (requestId) providerMetadata.request_id = requestId;
	if (choice?.finish_reason) providerMetadata.finish_reason = choice.finish_reason;
	// n8n's LangChain bridge puts this on the answer's response_metadata and, when the same message
	// comes back, on each of its tool-call blocks: the reasoning then returns with the calls.
	if (message?.reasoning_content && message.tool_calls?.length) {
		providerMetadata[REASONING_METADATA_KEY] = message.reasoning_content;
	}
	const result: GenerateResult = {
		id: completion.id,
		finishReason: toFinishReason(choice?.finish_reason),
		message: { role: 'assistant', content, ...(completion.id ? { id: completion.id } : {}) },
		providerMetadata,
		rawResponse: completion,
	};
	const usage = toTokenUsage(completion.usage);
	if (usage) result.usage = usage;
	return result;
}
