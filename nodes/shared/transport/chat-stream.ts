import type { Attempt } from './attempt';
import { chatCompletion } from './answers';
import { jsonRequestBody, parseJsonBody } from './bodies';
import { apiRequest } from './call';
import { ChunkParser, completionAsChunks } from './chat-chunks';
import type { Connection } from './connection';
import type { ChatChunkStream, StreamCallOptions } from './options';
import { hostOf, labelled, withRetries, type RetryPlan } from './retry';
import { send, type Answer } from './send';
import { looksLikeEventStream } from './sse';
import type { ChatCompletionChunk } from './types';

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
