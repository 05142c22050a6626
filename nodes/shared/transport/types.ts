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
	/** The input it belongs to, as the relay sent it: not checked here (see placeEmbeddings). */
	index?: unknown;
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

/** GET /v1/dashboard/billing/subscription (one-api, new-api): `hard_limit_usd` is what was granted, not what is left. */
export interface BillingSubscription {
	object?: string;
	/** US dollars granted (new-api: remaining + used); 100000000 for an unlimited key. */
	hard_limit_usd: number;
	soft_limit_usd?: number;
	system_hard_limit_usd?: number;
	/** Unix seconds; 0 when the key does not expire. */
	access_until?: number;
	has_payment_method?: boolean;
	[key: string]: unknown;
}

/** GET /v1/dashboard/billing/usage: what was used, in US cents. */
export interface BillingUsage {
	object?: string;
	/** US cents (US$ 0.01). */
	total_usage: number;
	[key: string]: unknown;
}

/** GET /api/usage/token (newer new-api): the key's own figures, in the relay's quota units. */
export interface TokenUsage {
	code?: unknown;
	message?: string;
	data: {
		object?: string;
		name?: string;
		total_granted: number;
		total_used: number;
		total_available: number;
		unlimited_quota?: boolean;
		/** Unix seconds; 0 when the key does not expire. */
		expires_at?: number;
		[key: string]: unknown;
	};
	[key: string]: unknown;
}

/** DeerAPI's quota lookup (GET <lookup host>/user/quota?key=...): the account in US dollars, and each key. */
export interface QuotaLookup {
	username?: string;
	/** US dollars left on the account. */
	total_quota: number;
	/** US dollars used by the account. */
	total_used_quota: number;
	request_count?: number;
	/** Each key: -1 means unlimited. */
	keys?: Array<{ name?: string; remain_quota?: number; used_quota?: number; [key: string]: unknown }>;
	[key: string]: unknown;
}
