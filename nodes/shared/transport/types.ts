/** The OpenAI chat-completions shapes as relays send them; only what we read is typed. */

export interface ToolCall {
	id: string;
	type: 'function';
	function: { name: string; arguments: string };
}

/** A part of a message's content: {"type": "text", "text"}, {"type": "image_url", "image_url": {"url"}}, ... */
export type ChatContentPart = Record<string, unknown>;

/** A message of a chat-completions conversation: as sent in `messages`, and as a choice answers it. */
export interface ChatMessage {
	role: string;
	/** Text, content parts (text and images), or null beside tool calls. */
	content: string | ChatContentPart[] | null;
	name?: string;
	reasoning_content?: string;
	tool_calls?: ToolCall[];
	tool_call_id?: string;
	refusal?: string | null;
	[key: string]: unknown;
}

export interface ChatChoice {
	index: number;
	message: ChatMessage;
	finish_reason: string | null;
	[key: string]: unknown;
}

export interface Usage {
	prompt_tokens?: number;
	completion_tokens?: number;
	total_tokens?: number;
	[key: string]: unknown;
}

export interface ChatCompletion {
	id?: string;
	object: string;
	created?: number;
	model?: string;
	choices: ChatChoice[];
	usage?: Usage;
	[key: string]: unknown;
}

export interface ChatChunkDelta {
	role?: string;
	content?: string | null;
	reasoning_content?: string | null;
	refusal?: string | null;
	tool_calls?: ToolCallFragment[];
}

/** Streamed tool calls arrive in pieces: id and name first, then argument text, keyed by index. */
export interface ToolCallFragment {
	index?: number;
	id?: string;
	type?: 'function';
	function?: { name?: string; arguments?: string };
}

export interface ChatCompletionChunk {
	id?: string;
	object?: string;
	created?: number;
	model?: string;
	system_fingerprint?: string | null;
	choices?: Array<{ index?: number; delta?: ChatChunkDelta; finish_reason?: string | null }>;
	usage?: Usage | null;
}

/** What a stream delivers as it arrives, for callers that show progress (n8n's sendChunk). */
export interface ChatDelta {
	choiceIndex: number;
	content?: string;
	reasoning?: string;
}

export interface ModelEntry {
	id: string;
	object?: string;
	created?: number;
	owned_by?: string;
	supported_endpoint_types?: string[];
	[key: string]: unknown;
}

export interface ImageData {
	url?: string;
	b64_json?: string;
	/** b64_json decoded by the transport (b64_json is then ""): generateImages() sets it. */
	b64_json_bytes?: Buffer;
	revised_prompt?: string;
	[key: string]: unknown;
}

export interface ImagesResponse {
	created?: number;
	data: ImageData[];
	usage?: Usage;
	[key: string]: unknown;
}

export interface Embedding {
	object?: string;
	index: number;
	/** Floats, or a base64 string of little-endian float32 bytes with `encoding_format: "base64"`. */
	embedding: number[] | string;
	[key: string]: unknown;
}

export interface EmbeddingsResponse {
	object?: string;
	data: Embedding[];
	model?: string;
	usage?: Usage;
	[key: string]: unknown;
}
