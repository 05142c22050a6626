import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the loopback server received it. */
export interface Received {
	method: string;
	path: string;
	headers: IncomingHttpHeaders;
	body: Buffer;
}

export interface Loopback {
	url: string;
	requests: Received[];
	close(): Promise<void>;
}

/**
 * A bare HTTP server on 127.0.0.1 (a port the OS picks) for endpoints the sandbox does not have:
 * it records every request and lets the test answer it. `answer` gets the request and its number (0-based).
 */
export async function startLoopback(answer: (request: Received, res: ServerResponse, index: number) => void): Promise<Loopback> {
	const requests: Received[] = [];
	const sockets = new Set<Socket>();
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
			requests.push(received);
			answer(received, res, requests.length - 1);
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				for (const socket of sockets) socket.destroy();
			}),
	};
}

/** The parts of a multipart/form-data body, parsed by the platform's own parser (not ours). */
export async function formParts(request: Received): Promise<Array<{ name: string; value?: string; fileName?: string; type?: string; bytes?: Buffer }>> {
	const form = await new Response(request.body, { headers: { 'content-type': String(request.headers['content-type']) } }).formData();
	const parts = [];
	for (const [name, value] of form.entries()) {
		if (typeof value === 'string') parts.push({ name, value });
		else parts.push({ name, fileName: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
	}
	return parts;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	res.writeHead(status, { 'content-type': 'application/json', ...headers });
	res.end(JSON.stringify(body));
}

/** What a call that must fail threw. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected the call to fail');
}
