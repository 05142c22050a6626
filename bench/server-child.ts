/**
 * A server in its own process, so that its CPU time and memory are not the measured process's
 * (on a 2-core machine: one core for the server, one for the client). Forked by lib/servers.ts;
 * talks over the IPC channel.
 *
 *   kind "sandbox": the project's sandbox relay (startSandbox) with the given options.
 *   kind "sse":     a tiny loopback server answering every POST with one pre-built
 *                   text/event-stream body (see lib/sse-body.ts), to isolate client parsing cost.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { startSandbox } from '../sandbox';
import type { Sandbox, SandboxOptions } from '../sandbox';
import { buildSseBody, type SseBodySpec } from './lib/sse-body';

export type ServerSpec =
	| { kind: 'sandbox'; options: SandboxOptions }
	| { kind: 'sse'; body: SseBodySpec; writeChunkBytes: number };

export type ServerCommand =
	| { id: number; type: 'setLatency'; ms: number }
	| { id: number; type: 'setImageBytes'; bytes: number | undefined }
	| { id: number; type: 'close' };

export type ServerMessage =
	| { type: 'ready'; url: string; apiKey: string; info?: Record<string, number> }
	| { type: 'ack'; id: number };

function send(message: ServerMessage): void {
	process.send?.(message);
}

async function startSse(spec: Extract<ServerSpec, { kind: 'sse' }>): Promise<{ server: Server; url: string; info: Record<string, number> }> {
	const { body, textChars, events } = buildSseBody(spec.body);
	const server = createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			res.writeHead(200, {
				'content-type': 'text/event-stream',
				'cache-control': 'no-cache',
				connection: 'keep-alive',
			});
			// Written in network-sized pieces, respecting back-pressure, like a relay forwarding a stream.
			let offset = 0;
			const pump = () => {
				while (offset < body.length) {
					const piece = body.subarray(offset, offset + spec.writeChunkBytes);
					offset += piece.length;
					if (!res.write(piece)) {
						res.once('drain', pump);
						return;
					}
				}
				res.end();
			};
			pump();
		});
	});
	// Reads of the big body take seconds; a connection must not be dropped between two of them.
	server.keepAliveTimeout = 120_000;
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return { server, url: `http://127.0.0.1:${port}`, info: { bodyBytes: body.length, textChars, events } };
}

async function main(): Promise<void> {
	const spec = JSON.parse(process.argv[2] ?? '{}') as ServerSpec;
	let sandbox: Sandbox | undefined;
	let server: Server | undefined;
	if (spec.kind === 'sandbox') {
		sandbox = await startSandbox(spec.options);
		send({ type: 'ready', url: sandbox.url, apiKey: sandbox.apiKey });
	} else {
		const started = await startSse(spec);
		server = started.server;
		send({ type: 'ready', url: started.url, apiKey: 'sk-bench', info: started.info });
	}

	process.on('message', (command: ServerCommand) => {
		void (async () => {
			if (command.type === 'setLatency') sandbox?.setLatency(command.ms);
			else if (command.type === 'setImageBytes') sandbox?.setImageBytes(command.bytes);
			else if (command.type === 'close') {
				await sandbox?.close();
				server?.closeAllConnections();
				server?.close();
				send({ type: 'ack', id: command.id });
				process.exit(0);
			}
			send({ type: 'ack', id: command.id });
		})();
	});
	// The parent went away: do not linger.
	process.on('disconnect', () => process.exit(0));
}

process.on('uncaughtException', (error) => {
	console.error('bench server:', error);
	process.exit(1);
});

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
