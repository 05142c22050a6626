import { bytesReader, chatCompletion, embeddingsResponse, imagesResponse, jsonReader, modelList, transcriptionReader } from './answers';
import { jsonRequestBody, multipartRequestBody } from './bodies';
import { callApi } from './call';
import { assembleChat } from './chat-assembler';
import { openChatStream } from './chat-stream';
import { Connection } from './connection';
import { download } from './download';
import type {
	BinaryAnswer,
	CallOptions,
	ChatCallOptions,
	ChatChunkStream,
	Download,
	DownloadOptions,
	MultipartBody,
	RelayClientOptions,
	RelayResponse,
	StreamCallOptions,
	TranscriptionAnswer,
	TranscriptionCallOptions,
} from './options';
import type { ChatCompletion, EmbeddingsResponse, ImagesResponse, ModelEntry } from './types';

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

	/** GET /v1/models: the entries that have an id. */
	async listModels(options: CallOptions = {}): Promise<RelayResponse<ModelEntry[]>> {
		const read = jsonReader(this.redact, modelList);
		return await callApi(this.connection, { method: 'GET', endpoint: 'models', accept: 'application/json', read }, options);
	}

	/** POST /v1/chat/completions; with `body.stream` the answer is streamed and assembled (`onDelta` hears it arrive). */
	async chat(body: Record<string, unknown>, options: ChatCallOptions = {}): Promise<RelayResponse<ChatCompletion>> {
		if (body.stream === true) return await assembleChat(await this.streamChat(body, options), options.onDelta);
		return await this.postJson('chat/completions', body, options, jsonReader(this.redact, chatCompletion));
	}

	/** POST /v1/chat/completions with `stream: true`: the chunks as they arrive, retried only before the first one. */
	async streamChat(body: Record<string, unknown>, options: StreamCallOptions = {}): Promise<ChatChunkStream> {
		return await openChatStream(this.connection, { ...body, stream: true }, options);
	}

	/** POST /v1/images/generations; b64_json images come decoded as `b64_json_bytes`. */
	async generateImages(body: Record<string, unknown>, options: CallOptions = {}): Promise<RelayResponse<ImagesResponse>> {
		return await this.postJson('images/generations', body, options, jsonReader(this.redact, imagesResponse, 'b64_json'));
	}

	/** POST /v1/images/edits (multipart); the answer as generateImages gives it. */
	async editImages(form: MultipartBody, options: CallOptions = {}): Promise<RelayResponse<ImagesResponse>> {
		const read = jsonReader(this.redact, imagesResponse, 'b64_json');
		return await this.postForm('images/edits', form, 'application/json', options, read);
	}

	/** POST /v1/embeddings. */
	async embeddings(body: Record<string, unknown>, options: CallOptions = {}): Promise<RelayResponse<EmbeddingsResponse>> {
		return await this.postJson('embeddings', body, options, jsonReader(this.redact, embeddingsResponse));
	}

	/** POST /v1/audio/speech: the audio bytes. */
	async speech(body: Record<string, unknown>, options: CallOptions = {}): Promise<RelayResponse<BinaryAnswer>> {
		return await this.postJson('audio/speech', body, options, bytesReader(this.redact), 'audio/*, application/json');
	}

	/** POST /v1/audio/transcriptions (multipart). */
	async transcribe(form: MultipartBody, options: TranscriptionCallOptions = {}): Promise<RelayResponse<TranscriptionAnswer>> {
		return await this.postTranscription('audio/transcriptions', form, options);
	}

	/** POST /v1/audio/translations (multipart): the text in English. */
	async translate(form: MultipartBody, options: TranscriptionCallOptions = {}): Promise<RelayResponse<TranscriptionAnswer>> {
		return await this.postTranscription('audio/translations', form, options);
	}

	/** Bytes of any http(s) URL, without the key, following redirects. */
	async download(url: string, options: DownloadOptions = {}): Promise<Download> {
		return await download(this.connection, url, options);
	}

	private readonly redact = (text: string) => this.connection.redact(text);

	private async postJson<T>(
		endpoint: string,
		body: unknown,
		options: CallOptions,
		read: Parameters<typeof callApi<T>>[1]['read'],
		accept = 'application/json',
	): Promise<RelayResponse<T>> {
		return await callApi(this.connection, { method: 'POST', endpoint, accept, body: jsonRequestBody(body), read }, options);
	}

	private async postForm<T>(
		endpoint: string,
		form: MultipartBody,
		accept: string,
		options: CallOptions,
		read: Parameters<typeof callApi<T>>[1]['read'],
	): Promise<RelayResponse<T>> {
		return await callApi(this.connection, { method: 'POST', endpoint, accept, body: multipartRequestBody(form), read }, options);
	}

	private async postTranscription(
		endpoint: string,
		form: MultipartBody,
		options: TranscriptionCallOptions,
	): Promise<RelayResponse<TranscriptionAnswer>> {
		const expect = options.expect ?? 'json';
		const accept = expect === 'json' ? 'application/json' : 'text/plain, application/json';
		return await this.postForm(endpoint, form, accept, options, transcriptionReader(this.redact, expect));
	}
}
