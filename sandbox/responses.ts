import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Fault } from './types';

/** What a route decided to answer, before faults and transport details are applied. */
export type RouteResult =
	| { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
	| { kind: 'raw'; status: number; contentType: string; body: Buffer | string; headers?: Record<string, string> }
	| { kind: 'stream'; events: StreamEvent[] };

export type StreamEvent = { comment: string } | { data: unknown } | { done: true };

export function json(status: number, body: unknown, headers?: Record<string, string>): RouteResult {
	return { kind: 'json', status, body, headers };
}

export function raw(status: number, contentType: string, body: Buffer | string): RouteResult {
	return { kind: 'raw', status, contentType, body };
}

const DEFAULT_AFTER_CHUNKS = 2;
/** Relays sit behind proxies that gzip JSON for clients that ask; small bodies are not worth it. */
const GZIP_MIN_BYTES = 1024;

export interface WriteContext {
	res: ServerResponse;
	fault?: Fault;
	acceptsGzip: boolean;
	extraHeaders: Record<string, string>;
}

export async function writeResult(result: RouteResult, ctx: WriteContext): Promise<void> {
	if (result.kind === 'stream') return writeStream(result.events, ctx);

	const { res, fault, extraHeaders } = ctx;
	let body: Buffer;
	let contentType: string;
	if (result.kind === 'json') {
		body = Buffer.from(JSON.stringify(fault?.noChoices ? withoutChoices(result.body) : result.body));
		contentType = 'application/json; charset=utf-8';
	} else {
		body = typeof result.body === 'string' ? Buffer.from(result.body) : result.body;
		contentType = result.contentType;
	}
	const headers: Record<string, string | number> = {
		...extraHeaders,
		'content-type': contentType,
		...result.headers,
		...fault?.headers,
	};
	if (result.kind === 'json' && ctx.acceptsGzip && body.length >= GZIP_MIN_BYTES) {
		body = gzipSync(body);
		headers['content-encoding'] = 'gzip';
		headers['vary'] = 'Accept-Encoding';
	}
	headers['content-length'] = body.length;
	res.writeHead(result.status, headers);

	if (fault?.reset === 'mid-stream' || fault?.stall) {
		// A plain answer cut in half: the client has headers and part of the body.
		res.write(body.subarray(0, Math.floor(body.length / 2)));
		if (fault.reset === 'mid-stream') setImmediate(() => res.socket?.destroy());
		return;
	}
	res.end(body);
}

async function writeStream(events: StreamEvent[], ctx: WriteContext): Promise<void> {
	const { res, fault, extraHeaders } = ctx;
	res.writeHead(200, {
		...extraHeaders,
		'content-type': 'text/event-stream',
		'cache-control': 'no-cache',
		connection: 'keep-alive',
		'x-accel-buffering': 'no',
		...fault?.headers,
	});
	res.flushHeaders();

	const cutAfter = fault?.afterChunks ?? DEFAULT_AFTER_CHUNKS;
	const cuts = fault && (fault.reset === 'mid-stream' || fault.stall || fault.streamError || fault.endEarly);
	let dataSent = 0;

	for (const event of events) {
		if (fault?.chunkDelayMs) await new Promise((resolve) => setTimeout(resolve, fault.chunkDelayMs));
		if (res.destroyed) return;
		if (cuts && !('comment' in event) && (dataSent >= cutAfter || 'done' in event)) {
			if (fault.reset === 'mid-stream') {
				res.socket?.destroy();
			} else if (fault.streamError) {
				await send(res, `data: ${JSON.stringify({ error: fault.streamError })}\n\n`);
				res.end();
			} else if (fault.endEarly) {
				res.end();
			}
			// A stall stops here with the socket open. Short streams are cut before [DONE] at the latest.
			return;
		}
		if ('done' in event) {
			if (!fault?.noDone) await send(res, 'data: [DONE]\n\n');
			continue;
		}
		if ('comment' in event) {
			await send(res, `: ${event.comment}\n\n`);
			continue;
		}
		if (fault?.noChoices && hasChoices(event.data)) continue;
		await send(res, `data: ${JSON.stringify(event.data)}\n\n`);
		dataSent++;
	}
	if (!res.destroyed) res.end();
}

/** One write per event, and a turn of the event loop so each goes out as its own packet. */
function send(res: ServerResponse, text: string): Promise<void> {
	return new Promise((resolve) => {
		if (res.destroyed) return resolve();
		const drained = res.write(text);
		if (drained) setImmediate(resolve);
		else {
			const done = () => {
				res.off('drain', done);
				res.off('close', done);
				resolve();
			};
			res.on('drain', done);
			res.on('close', done);
		}
	});
}

function hasChoices(data: unknown): boolean {
	const choices = (data as { choices?: unknown } | null)?.choices;
	return Array.isArray(choices) && choices.length > 0;
}

/** A chat body as a relay sends it when the upstream produced nothing. */
function withoutChoices(body: unknown): unknown {
	return hasChoices(body) ? { ...(body as object), choices: [] } : body;
}
