import { createParser, type EventSourceParser } from 'eventsource-parser';

import { chatCompletion, noAnswer } from './answers';
import { jsonRequestBody, parseJsonBody } from './bodies';
import { apiRequest } from './call';
import type { ChatChunkStream, StreamCallOptions } from './client-types';
import type { Connection } from './connection';
import { findErrorPayload, payloadError } from './error-body';
import { RelayResponseError } from './errors';
import { requestIdHeader, type ResponseHeaders } from './headers';
import { hostOf, labelled, withRetries, type Attempt, type RetryPlan } from './retry';
import { send, type Answer } from './send';
import { contentText, isRecord, truncate } from './text';
import type { ChatCompletion, ChatCompletionChunk } from './types';

/*
 * A chat stream as an iterator of parsed chunks (as openai-node's streaming.ts): the bytes of a
 * `text/event-stream` become events (SseDataDecoder), events become checked chunks (ChunkParser),
 * and openChatStream hands them out as a ChunkStream, retried until the first chunk is in hand.
 */

/**
 * Bytes of a `text/event-stream` in, the `data` of each event out. Comments (": PING"
 * keep-alives) are dropped by the parser; UTF-8 characters split across network chunks are
 * joined by the streaming TextDecoder.
 */
export class SseDataDecoder {
	private readonly parser: EventSourceParser;

	private readonly decoder = new TextDecoder();

	constructor(onData: (data: string) => void) {
		this.parser = createParser({ onEvent: (event) => onData(event.data) });
	}

	feed(bytes: Uint8Array): void {
		this.parser.feed(this.decoder.decode(bytes, { stream: true }));
	}

	/**
	 * The stream closed. The SSE spec drops an event that has no blank line after it; relays do
	 * end with a bare "data: [DONE]", so, like the OpenAI SDK, we close that event and keep it.
	 */
	end(): void {
		this.parser.feed(`${this.decoder.decode()}\n\n`);
		this.parser.reset();
	}
}

/** Whether a body that has begun with `head` is an event stream, whatever its content type says. */
export function looksLikeEventStream(head: string): boolean {
	return /^\s*(?::|(?:data|event|id|retry)\s*:)/.test(head);
}

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

type Reader = AsyncIterator<Buffer>;

const FEED_SLICE_BYTES = 16 * 1024;

/** A chunk stream that can also hand out its chunks as they were read, many at a time. */
export abstract class ChunkStream implements ChatChunkStream {
	constructor(
		readonly status: number,
		readonly requestId: string | undefined,
		readonly attempts: number,
	) {}

	/** One array per network read: for consumers that count every microsecond (assembling 2 million chunks). */
	abstract batches(): AsyncGenerator<ChatCompletionChunk[]>;

	async *[Symbol.asyncIterator](): AsyncGenerator<ChatCompletionChunk> {
		for await (const batch of this.batches()) yield* batch;
	}
}

/** Chunks already in memory (a JSON answer to a stream request). */
class ChunkList extends ChunkStream {
	constructor(
		private readonly chunks: ChatCompletionChunk[],
		answer: Answer,
		attempts: number,
	) {
		super(answer.status, answer.requestId, attempts);
	}

	async *batches(): AsyncGenerator<ChatCompletionChunk[]> {
		yield this.chunks;
	}
}

/** An event stream being read: its attempt (idle timer, cancel) lives as long as the reading. */
class EventStream extends ChunkStream {
	constructor(
		private readonly reader: Reader,
		private readonly parser: ChunkParser,
		private readonly attempt: Attempt,
		private readonly plan: RetryPlan,
		answer: Answer,
	) {
		super(answer.status, answer.requestId, attempt.number);
	}

	async *batches(): AsyncGenerator<ChatCompletionChunk[]> {
		const { attempt, parser, reader } = this;
		try {
			yield* this.parsed();
			for (let next = await reader.next(); !next.done; next = await reader.next()) {
				attempt.touch();
				// A slow reader gets big network chunks: feeding them in slices bounds the chunks held at once.
				for (let from = 0; from < next.value.length; from += FEED_SLICE_BYTES) {
					parser.feed(next.value.subarray(from, from + FEED_SLICE_BYTES));
					yield* this.parsed();
				}
			}
			parser.end();
			yield* this.parsed();
			parser.verdict();
		} catch (caught) {
			throw labelled(attempt.classify(caught, hostOf(this.plan.url)), this.plan, attempt.number);
		} finally {
			attempt.dispose();
			await reader.return?.();
		}
	}

	/** What the parser holds, handed to the caller; the caller's time with it is not the relay's silence. */
	private *parsed(): Generator<ChatCompletionChunk[]> {
		const batch = this.parser.take();
		if (batch.length === 0) return;
		this.attempt.pauseIdle();
		yield batch;
		this.attempt.resumeIdle();
	}
}

/**
 * POST /v1/chat/completions with `stream: true`, retried until the first chunk is in hand; the
 * body decides whether it is an event stream or one JSON answer, whatever its content type says.
 */
export async function openChatStream(
	connection: Connection,
	body: Record<string, unknown>,
	options: StreamCallOptions,
): Promise<ChunkStream> {
	const outgoing = apiRequest(connection, {
		method: 'POST',
		endpoint: 'chat/completions',
		accept: 'text/event-stream',
		body: jsonRequestBody(body),
	});
	const idleMs = options.streamIdleTimeoutMs ?? connection.streamIdleTimeoutMs;
	const plan = connection.plan(outgoing.url, options, { handOver: true, endpoint: outgoing.endpoint, streamed: true });
	return await withRetries(plan, async (attempt) => {
		const answer = await send(outgoing, attempt);
		const reader = (answer.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
		try {
			const head = await readHead(reader, attempt);
			if (!looksLikeEventStream(head.chunks.map((chunk) => chunk.toString('latin1')).join(''))) {
				return await jsonAnswer(answer, head, reader, attempt);
			}
			attempt.switchToIdleTimeout(idleMs);
			const parser = new ChunkParser(answer.status, answer.headers);
			await readFirstChunk(parser, head, reader, attempt);
			return new EventStream(reader, parser, attempt, plan, answer);
		} catch (error) {
			await reader.return?.();
			throw error;
		}
	});
}

interface Head {
	chunks: Buffer[];
	done: boolean;
}

/** The first bytes, enough of them to tell an event stream ("data:", ": ping") from JSON. */
async function readHead(reader: Reader, attempt: Attempt): Promise<Head> {
	const chunks: Buffer[] = [];
	for (let visible = ''; visible.length < 8; ) {
		const next = await reader.next();
		if (next.done) return { chunks, done: true };
		attempt.touch();
		chunks.push(next.value);
		visible = (visible + next.value.toString('latin1', 0, 64)).trimStart();
	}
	return { chunks, done: false };
}

async function readFirstChunk(parser: ChunkParser, head: Head, reader: Reader, attempt: Attempt): Promise<void> {
	for (const chunk of head.chunks) parser.feed(chunk);
	let done = head.done;
	while (!done && !parser.hasPending) {
		const next = await reader.next();
		done = next.done === true;
		if (next.done) break;
		attempt.touch();
		parser.feed(next.value);
	}
	if (done) {
		parser.end();
		parser.verdict();
	}
}

async function jsonAnswer(
	answer: Answer,
	head: Head,
	reader: Reader,
	attempt: Attempt,
): Promise<ChunkStream> {
	const chunks = [...head.chunks];
	for (let next = head.done ? undefined : await reader.next(); next && !next.done; next = await reader.next()) {
		attempt.touch();
		chunks.push(next.value);
	}
	// Read in full: the request timeout and the caller's signal have nothing left to stop.
	attempt.dispose();
	const received = { status: answer.status, headers: answer.headers, bytes: Buffer.concat(chunks) };
	const completion = chatCompletion(parseJsonBody(received, undefined, 'an event stream or JSON'), received);
	return new ChunkList(completionAsChunks(completion), answer, attempt.number);
}
