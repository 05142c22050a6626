import type { ChunkStream } from './streaming';
import type { ChatChunkStream, RelayResponse } from './client-types';
import type {
	ChatChoice,
	ChatCompletionChunk,
	ChatCompletion,
	ChatDelta,
	ToolCall,
	ToolCallFragment,
	Usage,
} from './types';

/**
 * Joins many small string pieces. Deltas are a few characters each and a long answer has
 * millions of them. `a += b` makes V8 keep a rope: one node per piece (about 7 bytes of memory per
 * byte of text for 8-character deltas), flattened only when the text is read. Here the pieces of
 * each ~16 KB segment are kept in an array and joined into one flat string once the segment is
 * full, so a finished answer costs about its own size (see bench/RESULTS.md).
 */
export class TextBuilder {
	private parts: string[] = [];

	private pieces: string[] = [];

	private pending = 0;

	private seen = false;

	append(text: string): void {
		this.seen = true;
		this.pieces.push(text);
		this.pending += text.length;
		if (this.pending >= 16384) this.closeSegment();
	}

	get isEmpty(): boolean {
		return !this.seen;
	}

	toString(): string {
		this.closeSegment();
		if (this.parts.length > 1) this.parts = [this.parts.join('')];
		return this.parts[0] ?? '';
	}

	private closeSegment(): void {
		if (this.pieces.length === 0) return;
		this.parts.push(this.pieces.length === 1 ? this.pieces[0] : this.pieces.join(''));
		this.pieces = [];
		this.pending = 0;
	}
}

interface ToolCallState {
	id: string;
	type: 'function';
	name: string;
	args: TextBuilder;
}

interface ChoiceState {
	index: number;
	role: string;
	content: TextBuilder;
	reasoning: TextBuilder;
	refusal: TextBuilder;
	toolCalls: Map<number, ToolCallState>;
	finishReason: string | null;
}

/**
 * Turns the chunks of a streamed chat completion into the object a non-streamed call returns:
 * content, reasoning_content and refusal joined, tool calls joined by `index`, finish_reason, and
 * the usage of the (often choice-less) last chunk.
 */
export class ChatStreamAssembler {
	private readonly choices = new Map<number, ChoiceState>();

	private head: Pick<ChatCompletion, 'id' | 'created' | 'model'> & {
		system_fingerprint?: string | null;
	} = {};

	private usage?: Usage;

	/** Adds one chunk; returns the text it carried, for callers that forward progress. */
	push(chunk: ChatCompletionChunk): ChatDelta[] {
		if (chunk.id && !this.head.id) this.head.id = chunk.id;
		if (chunk.created && !this.head.created) this.head.created = chunk.created;
		if (chunk.model && !this.head.model) this.head.model = chunk.model;
		if (chunk.system_fingerprint) this.head.system_fingerprint = chunk.system_fingerprint;
		if (chunk.usage) this.usage = chunk.usage;

		const deltas: ChatDelta[] = [];
		for (const part of chunk.choices ?? []) {
			const index = part.index ?? 0;
			const choice = this.choice(index);
			const delta = part.delta ?? {};
			if (delta.role) choice.role = delta.role;
			if (delta.content) choice.content.append(delta.content);
			if (delta.reasoning_content) choice.reasoning.append(delta.reasoning_content);
			if (delta.refusal) choice.refusal.append(delta.refusal);
			for (const call of delta.tool_calls ?? []) this.addToolCallFragment(choice, call);
			if (part.finish_reason) choice.finishReason = part.finish_reason;
			if (delta.content || delta.reasoning_content) {
				deltas.push({
					choiceIndex: index,
					content: delta.content || undefined,
					reasoning: delta.reasoning_content || undefined,
				});
			}
		}
		return deltas;
	}


	result(): ChatCompletion {
		const choices: ChatChoice[] = [...this.choices.values()]
			.sort((a, b) => a.index - b.index)
			.map((choice) => {
				const toolCalls: ToolCall[] = [...choice.toolCalls.entries()]
					.sort(([a], [b]) => a - b)
					.map(([, call]) => ({
						id: call.id,
						type: call.type,
						function: { name: call.name, arguments: call.args.toString() },
					}));
				const message: ChatChoice['message'] = {
					role: choice.role,
					content: choice.content.isEmpty && toolCalls.length ? null : choice.content.toString(),
				};
				if (!choice.reasoning.isEmpty) message.reasoning_content = choice.reasoning.toString();
				if (!choice.refusal.isEmpty) message.refusal = choice.refusal.toString();
				if (toolCalls.length) message.tool_calls = toolCalls;
				return { index: choice.index, message, finish_reason: choice.finishReason };
			});
		const completion: ChatCompletion = { ...this.head, object: 'chat.completion', choices };
		if (this.usage) completion.usage = this.usage;
		return completion;
	}

	private choice(index: number): ChoiceState {
		let choice = this.choices.get(index);
		if (!choice) {
			choice = {
				index,
				role: 'assistant',
				content: new TextBuilder(),
				reasoning: new TextBuilder(),
				refusal: new TextBuilder(),
				toolCalls: new Map(),
				finishReason: null,
			};
			this.choices.set(index, choice);
		}
		return choice;
	}

	private addToolCallFragment(choice: ChoiceState, fragment: ToolCallFragment): void {
		const index = fragment.index ?? choice.toolCalls.size;
		let call = choice.toolCalls.get(index);
		if (!call) {
			call = { id: '', type: 'function', name: '', args: new TextBuilder() };
			choice.toolCalls.set(index, call);
		}
		if (fragment.id) call.id = fragment.id;
		if (fragment.function?.name) call.name += fragment.function.name;
		if (fragment.function?.arguments) call.args.append(fragment.function.arguments);
	}
}

/**
 * A chat answer assembled from its stream: the consumer `chat()` uses for `stream: true`.
 * `onDelta` hears the text as it arrives.
 */
export async function assembleChat(
	stream: ChatChunkStream,
	onDelta?: (delta: ChatDelta) => void,
): Promise<RelayResponse<ChatCompletion>> {
	const assembler = new ChatStreamAssembler();
	for await (const batch of batchesOf(stream)) {
		for (const chunk of batch) {
			const deltas = assembler.push(chunk);
			if (onDelta) for (const delta of deltas) onDelta(delta);
		}
	}
	return { status: stream.status, body: assembler.result(), requestId: stream.requestId, attempts: stream.attempts };
}

async function* batchesOf(stream: ChatChunkStream): AsyncGenerator<ChatCompletionChunk[]> {
	if (typeof (stream as Partial<ChunkStream>).batches === 'function') {
		yield* (stream as ChunkStream).batches();
		return;
	}
	for await (const chunk of stream) yield [chunk];
}
