import { noAnswer } from './answers';
import { findErrorPayload, payloadError } from './error-body';
import { RelayResponseError } from './errors';
import { requestIdHeader, type ResponseHeaders } from './headers';
import { SseDataDecoder } from './sse';
import { contentText, isRecord, truncate } from './text';
import type { ChatCompletion, ChatCompletionChunk } from './types';

/**
 * The `data` of an event stream's events as parsed chunks, kept until taken, with what is needed
 * to judge the stream when it ends: [DONE] seen, which choices began and which finished.
 */
export class ChunkParser {
	private pending: ChatCompletionChunk[] = [];

	private sawDone = false;

	/** Choice index -> finished (a finish_reason arrived). */
	private readonly choices = new Map<number, boolean>();

	private lastData?: string;

	private readonly decoder = new SseDataDecoder((data) => this.onData(data));

	constructor(
		private readonly status: number,
		private readonly headers: ResponseHeaders,
	) {}

	feed(bytes: Uint8Array): void {
		this.decoder.feed(bytes);
	}

	get hasPending(): boolean {
		return this.pending.length > 0;
	}

	/** The chunks parsed since the last call. */
	take(): ChatCompletionChunk[] {
		const chunks = this.pending;
		if (chunks.length) this.pending = [];
		return chunks;
	}

	/** The stream closed: the last event, if it had no blank line after it. */
	end(): void {
		this.decoder.end();
	}

	/** Throws when the stream, now ended, did not hold a whole answer. */
	verdict(): void {
		if (this.choices.size === 0) {
			if (this.sawDone) throw noAnswer({ status: this.status, headers: this.headers }, this.lastData ?? 'only [DONE]');
			throw new RelayResponseError(
				`The stream ended without sending an answer${this.lastData ? `; it sent: ${this.quote(this.lastData)}` : ''}`,
				'response',
				this.status,
				{ requestId: requestIdHeader(this.headers) },
			);
		}
		if (this.sawDone) return;
		for (const finished of this.choices.values()) {
			if (!finished) {
				throw new RelayResponseError(
					'The stream ended before the answer was complete (no finish_reason and no [DONE])',
					'response',
					this.status,
					{ requestId: requestIdHeader(this.headers) },
				);
			}
		}
	}

	private onData(data: string): void {
		if (data === '[DONE]') {
			this.sawDone = true;
			return;
		}
		this.lastData = data;
		const chunk = this.parse(data);
		for (const part of chunk.choices ?? []) {
			const index = part.index ?? 0;
			if (part.finish_reason) this.choices.set(index, true);
			else if (!this.choices.has(index)) this.choices.set(index, false);
		}
		this.pending.push(chunk);
	}

	private parse(data: string): ChatCompletionChunk {
		let chunk: unknown;
		try {
			chunk = JSON.parse(data);
		} catch {
			throw new RelayResponseError(`The stream sent an event that is not JSON: "${this.quote(data)}"`, 'json', this.status);
		}
		const payload = findErrorPayload(chunk);
		if (payload) throw payloadError(this.status, payload, this.headers);
		return isRecord(chunk) ? (chunk as ChatCompletionChunk) : {};
	}

	private quote(data: string): string {
		return truncate(data, 200);
	}
}

/** A whole chat completion (a relay that answered JSON to a stream request) as the chunks a stream would have sent. */
export function completionAsChunks(completion: ChatCompletion): ChatCompletionChunk[] {
	const { choices, usage, object: _object, ...head } = completion;
	const chunks: ChatCompletionChunk[] = choices.map((choice, position) => {
		const message = choice.message ?? { role: 'assistant', content: null };
		return {
			...head,
			object: 'chat.completion.chunk',
			choices: [
				{
					index: choice.index ?? position,
					delta: {
						role: message.role,
						content: contentText(message.content) ?? null,
						reasoning_content: message.reasoning_content,
						refusal: message.refusal,
						tool_calls: message.tool_calls?.map((call, index) => ({ index, ...call })),
					},
					finish_reason: choice.finish_reason ?? null,
				},
			],
		};
	});
	if (usage) chunks.push({ ...head, object: 'chat.completion.chunk', choices: [], usage });
	return chunks;
}
