import {
	billingSubscription,
	billingUsage,
	bytesReader,
	chatCompletion,
	embeddingsResponse,
	imagesResponse,
	jsonReader,
	modelList,
	rawJsonReader,
	tokenUsage,
} from './answers';
import { jsonRequestBody, multipartRequestBody, type Received } from './bodies';
import { callApi, formPost, jsonPost, transcriptionPost } from './call';
import { assembleChat } from './chat-assembler';
import { openChatStream } from './streaming';
import { Connection } from './connection';
import { download, openApiDownload, openDownload } from './download';
import { lookUpQuota } from './quota-lookup';
import type { Redact } from './secret';
import type {
	BinaryAnswer,
	CallOptions,
	ChatCallOptions,
	ChatChunkStream,
	Download,
	DownloadOptions,
	DownloadStream,
	JsonRequest,
	MultipartBody,
	RelayClientOptions,
	RelayResponse,
	StreamCallOptions,
	TranscriptionAnswer,
	TranscriptionCallOptions,
} from './client-types';
import type {
	BillingSubscription,
	BillingUsage,
	ChatCompletion,
	EmbeddingsResponse,
	ImagesResponse,
	ModelEntry,
	QuotaLookup,
	TokenUsage,
} from './types';

/**
 * The one HTTP client of the package: every endpoint the nodes call, with retries, timeouts and
 * cancellation. It knows URLs, keys and the OpenAI wire format; nothing of n8n.
 */
export class RelayClient {
	private readonly connection: Connection;

	constructor(options: RelayClientOptions) {
		this.connection = new Connection(options);
	}

	/** The API root every endpoint is below, e.g. "https://api.deerapi.com/v1". */
	get apiRoot(): string {
		return this.connection.apiRoot;
	}

	/**
	 * Masks the key in a text of an answer (see secret.ts): the client's own errors already are;
	 * this is for the messages a node writes about a successful answer it cannot use.
	 */
	get redact(): Redact {
		return this.connection.redact;
	}

	/** GET /v1/models: the entries that have an id. */
	async listModels(options: CallOptions = {}): Promise<RelayResponse<ModelEntry[]>> {
		const call = { method: 'GET', endpoint: 'models', accept: 'application/json', read: jsonReader(modelList) } as const;
		return await callApi(this.connection, call, options);
	}

	/** POST /v1/chat/completions; with `body.stream` the answer is streamed and assembled (`onDelta` hears it arrive). */
	async chat(body: Record<string, unknown>, options: ChatCallOptions = {}): Promise<RelayResponse<ChatCompletion>> {
		if (body.stream === true) return await assembleChat(await this.streamChat(body, options), options.onDelta);
		return await callApi(this.connection, { ...jsonPost('chat/completions', body, jsonReader(chatCompletion)), streamed: false }, options);
	}

	/** POST /v1/chat/completions with `stream: true`: the chunks as they arrive, retried only before the first one. */
	async streamChat(body: Record<string, unknown>, options: StreamCallOptions = {}): Promise<ChatChunkStream> {
		return await openChatStream(this.connection, { ...body, stream: true }, options);
	}

	/** POST /v1/images/generations; b64_json images come decoded as `b64_json_bytes`. */
	async generateImages(body: Record<string, unknown>, options: CallOptions = {}): Promise<RelayResponse<ImagesResponse>> {
		const read = jsonReader(imagesResponse, 'b64_json');
		return await callApi(this.connection, jsonPost('images/generations', body, read), options);
	}

	/** POST /v1/images/edits (multipart, sent again whole on a retry); the answer as generateImages gives it. */
	async editImages(form: MultipartBody, options: CallOptions = {}): Promise<RelayResponse<ImagesResponse>> {
		const read = jsonReader(imagesResponse, 'b64_json');
		return await callApi(this.connection, formPost('images/edits', form, read), options);
	}

	/** POST /v1/embeddings: every entry checked to hold an embedding. */
	async embeddings(body: Record<string, unknown>, options: CallOptions = {}): Promise<RelayResponse<EmbeddingsResponse>> {
		return await callApi(this.connection, jsonPost('embeddings', body, jsonReader(embeddingsResponse)), options);
	}

	/** POST /v1/audio/speech: the audio bytes; JSON, an HTML page, text or nothing instead is an error. */
	async speech(body: Record<string, unknown>, options: CallOptions = {}): Promise<RelayResponse<BinaryAnswer>> {
		const format = typeof body.response_format === 'string' && body.response_format ? body.response_format : 'mp3';
		const call = jsonPost('audio/speech', body, bytesReader(`${format} audio`), 'audio/*, application/json');
		return await callApi(this.connection, call, options);
	}

	/** POST /v1/audio/transcriptions (multipart): JSON or text, as `options.expect` says. */
	async transcribe(form: MultipartBody, options: TranscriptionCallOptions = {}): Promise<RelayResponse<TranscriptionAnswer>> {
		return await callApi(this.connection, transcriptionPost('audio/transcriptions', form, options.expect), options);
	}

	/** POST /v1/audio/translations (multipart): the text in English, JSON or text as `options.expect` says. */
	async translate(form: MultipartBody, options: TranscriptionCallOptions = {}): Promise<RelayResponse<TranscriptionAnswer>> {
		return await callApi(this.connection, transcriptionPost('audio/translations', form, options.expect), options);
	}

	/** GET /v1/dashboard/billing/subscription (one-api, new-api): what the key was granted, in US dollars. */
	async billingSubscription(options: CallOptions = {}): Promise<RelayResponse<BillingSubscription>> {
		const call = { method: 'GET', endpoint: 'dashboard/billing/subscription', accept: 'application/json', read: jsonReader(billingSubscription) } as const;
		return await callApi(this.connection, call, options);
	}

	/** GET /v1/dashboard/billing/usage: what was used, in US cents. */
	async billingUsage(options: CallOptions = {}): Promise<RelayResponse<BillingUsage>> {
		const call = { method: 'GET', endpoint: 'dashboard/billing/usage', accept: 'application/json', read: jsonReader(billingUsage) } as const;
		return await callApi(this.connection, call, options);
	}

	/** GET /api/usage/token (newer new-api), below the relay's root, not /v1: the key's figures in quota units. */
	async tokenUsage(options: CallOptions = {}): Promise<RelayResponse<TokenUsage>> {
		const call = { method: 'GET', endpoint: 'api/usage/token', root: 'relay', accept: 'application/json', read: jsonReader(tokenUsage) } as const;
		return await callApi(this.connection, call, options);
	}

	/**
	 * DeerAPI's quota lookup on its own host (`lookupUrl`, e.g. https://query.deerapi.com): the key
	 * goes in the query string, where proxies log it. Only for users who opted in.
	 */
	async quotaLookup(lookupUrl: string, options: CallOptions = {}): Promise<RelayResponse<QuotaLookup>> {
		return await lookUpQuota(this.connection, lookupUrl, options);
	}

	/** Bytes of any http(s) URL, without the key, following redirects. */
	async download(url: string, options: DownloadOptions = {}): Promise<Download> {
		return await download(this.connection, url, options);
	}

	/** The same, streamed: the first bytes in hand, the rest read as the caller consumes them. */
	async openDownload(url: string, options: DownloadOptions = {}): Promise<DownloadStream> {
		return await openDownload(this.connection, url, options);
	}

	/** A file the relay serves at an API route (a task's content), streamed, with the key; a redirect is followed without it. */
	async openApiDownload(endpoint: string, options: DownloadOptions = {}): Promise<DownloadStream> {
		return await openApiDownload(this.connection, endpoint, options);
	}

	/**
	 * Any JSON endpoint below the API root (the routes of asynchronous tasks), its answer handed
	 * whole to `check`, which throws when the body is not what was asked (an `error` field is not
	 * taken for the relay's error here: a failed task's object carries one).
	 */
	async requestJson<T>(request: JsonRequest, check: (body: unknown, received: Received) => T, options: CallOptions = {}): Promise<RelayResponse<T>> {
		const body = request.form ? multipartRequestBody(request.form) : request.json !== undefined ? jsonRequestBody(request.json) : undefined;
		const call = { method: request.method, endpoint: request.endpoint, accept: 'application/json', body, read: rawJsonReader(check) };
		return await callApi(this.connection, call, options);
	}
}
