import { createParser, type EventSourceParser } from 'eventsource-parser';

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
