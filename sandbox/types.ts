import type { AccountKind, SandboxAccount } from './account';
import type { VideoTask } from './videos';

export type SandboxModel = {
	id: string;
	object?: 'model';
	created?: number;
	owned_by: string;
	supported_endpoint_types?: string[];
	[k: string]: unknown;
};

export interface SandboxOptions {
	/** Default 'sk-sandbox'. */
	apiKey?: string;
	/** Default 0: any free port. */
	port?: number;
	/** Default '127.0.0.1'. */
	host?: string;
	/** Added before every /v1 response. Default 0. */
	latencyMs?: number;
	/**
	 * Approximate size of generated images. Unset: small solid-colour images. Set: images carry
	 * pseudo-random noise so they do not compress, about this many bytes each.
	 */
	imageBytes?: number;
	/** Replaces the default model list. */
	models?: SandboxModel[];
	/** Characters per streamed content delta. Default 8. */
	streamChunkSize?: number;
	/** How long a video task lasts from its submit, unless its prompt says TASK_MS=<ms>. Default 2000. */
	videoTaskMs?: number;
	/** How long a Midjourney task takes from submit to done (default 2000); a request's `x-sandbox-task-ms` header overrides it. */
	midjourneyTaskMs?: number;
	/**
	 * How long a Suno song or lyrics task takes from submit to done, unless its request says (body
	 * `sandbox_task_ms`, header `x-sandbox-task-ms`, TASK_MS=<ms> in its words). Default 3000.
	 */
	sunoTaskMs?: number;
	/** Suno answers' `code` on success: "success" (new-api, the default) or 1 (other relays). */
	sunoCode?: 'success' | 1;
}

export interface RecordedRequest {
	method: string;
	/** Full path as received, without the query string. */
	path: string;
	query: Record<string, string>;
	/** Lower-case header names. */
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON, or undefined when the body is empty or not JSON. */
	body: any;
	rawBody: Buffer;
	/** A multipart/form-data body, its parts in order, without their bytes (images/edits, audio). */
	parts?: RecordedPart[];
	/** The same body grouped by name, files with their bytes. */
	form?: RecordedForm;
	receivedAt: number;
}

/** One part of a multipart body as received: a text field (`value`) or a file. */
export interface RecordedPart {
	name: string;
	/** Text fields only. */
	value?: string;
	/** Files only: the file name and the part's content-type as the client sent them. */
	fileName?: string;
	contentType?: string;
	/** Bytes of the value or file. */
	size: number;
}

export interface RecordedForm {
	/** Every text part by name, in order (repeated names such as `timestamp_granularities[]` keep all values). */
	fields: Record<string, string[]>;
	files: Array<{ name: string; fileName: string; contentType: string; bytes: Buffer }>;
}

export interface Fault {
	/** String: exact match on the path after any prefix strip (e.g. '/v1/chat/completions'); RegExp: tested against the full path. Omitted: any request. */
	path?: string | RegExp;
	method?: string;
	/** How many matching requests it applies to. Default 1. */
	times?: number;
	status?: number;
	/** Object bodies are sent as JSON, Buffers as they are. Default: a relay-style error JSON for the status. */
	body?: string | Buffer | object;
	headers?: Record<string, string>;
	/** Answer with an HTML error page, as a proxy in front of a relay does. */
	html?: boolean;
	/** Delay before answering; the answer is normal unless status or reset is also given. */
	latencyMs?: number;
	reset?: 'before-response' | 'mid-stream';
	/** For mid-stream reset / stall / streamError: data chunks sent first. Default 2. */
	afterChunks?: number;
	stall?: boolean;
	streamError?: object;
	noDone?: boolean;
	/** For a stream: close it cleanly after afterChunks data chunks, with no finish_reason and no [DONE]. */
	endEarly?: boolean;
	/** For a stream: wait this long before each event, so a slow but living stream can be tested. */
	chunkDelayMs?: number;
	/**
	 * The relay produced no answer: a plain chat body gets `choices: []` (usage kept); a stream
	 * sends only its choice-less chunks (the usage chunk, when asked for), then [DONE].
	 */
	noChoices?: boolean;
	/** Answer with a redirect to this URL (status: `status`, default 301), as an https-only host does for http. */
	redirectTo?: string;
	/**
	 * Embeddings: the answer's `index` values as a misbehaving relay numbers them; each vector is
	 * still the one of the text it was computed for (see `EmbeddingIndexFault`).
	 */
	embeddingIndexes?: EmbeddingIndexFault;
}

/**
 * How a relay may number an embeddings answer, entries listed in input order:
 * - `duplicate`: the last entry repeats the first entry's index (the last input has none);
 * - `per-sub-batch`: the relay split the input into parts of 2 and numbered each part from 0;
 * - `missing`: the second entry has no `index`; `none`: no entry has one;
 * - `string`: every index is a string (`"0"`); `fraction`: the second entry's index is 1.5;
 * - `negative`: the first entry's index is -1; `one-based`: numbered from 1 (the last is out of range);
 * - `extra`: one entry more than inputs (index n, a vector for no input sent);
 * - `drop-last`: the last input's entry is left out (fewer entries, each rightly numbered).
 */
export type EmbeddingIndexFault =
	| 'duplicate'
	| 'per-sub-batch'
	| 'missing'
	| 'none'
	| 'string'
	| 'fraction'
	| 'negative'
	| 'one-based'
	| 'extra'
	| 'drop-last';

export interface Sandbox {
	/** 'http://127.0.0.1:PORT' */
	url: string;
	apiKey: string;
	/**
	 * Keys whose balance routes play a case (see account.ts): `limited` is `apiKey` (US$25 granted,
	 * US$21.50 used), `unlimited`, `oneApi` (no /api/usage/token), `noRoutes` (no balance routes),
	 * `error200` (errors as HTTP 200). All of them are valid keys on every route.
	 */
	accountKeys: Record<AccountKind, string>;
	/** Every request received, in order, including /files and auth failures. */
	requests: RecordedRequest[];
	/** The latest request whose full path equals `path` or ends with it (so '/v1/models' also finds '/openai/v1/models'). */
	lastRequest(path?: string): RecordedRequest | undefined;
	clearRequests(): void;
	/** Client connections open right now (kept-alive idle ones included). */
	openConnections(): number;
	/** Faults are consumed in registration order: a request takes the first still-active fault that matches. */
	fault(f: Fault): void;
	clearFaults(): void;
	setLatency(ms: number): void;
	setModels(models: SandboxModel[]): void;
	/** Sets (merged over the key's account, or the limited one) or removes a key's balance figures and routes. */
	setAccount(key: string, account: Partial<SandboxAccount> | undefined): void;
	setImageBytes(n: number | undefined): void;
	/** How long the next video tasks last (those whose prompt does not say). */
	setVideoTaskMs(ms: number): void;
	/** Every video task submitted so far, in order (copies). */
	videoTasks(): VideoTask[];
	/** How long Midjourney tasks submitted from now on take. */
	setMidjourneyTaskMs(ms: number): void;
	/** How long the next Suno tasks take (those whose request does not say), in ms. */
	setSunoTaskMs(ms: number): void;
	/** Moves every Suno task submitted so far `ms` closer to its end, so tests see each stage without waiting. */
	advanceSunoTasks(ms: number): void;
	/** Suno answers' `code` on success from now on: "success" or 1. */
	setSunoCode(code: 'success' | 1): void;
	fileUrl(name: string): string;
	/** Also destroys open (stalled) sockets so that test runners can exit. */
	close(): Promise<void>;
}
