import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

import type { SandboxOptions } from '../../sandbox';
import type { ServerCommand, ServerMessage, ServerSpec } from '../server-child';
import type { SseBodySpec } from './sse-body';
import { childEnv } from './env';

export interface ChildServer {
	url: string;
	apiKey: string;
	info?: Record<string, number>;
	pid: number;
	setLatency(ms: number): Promise<void>;
	setImageBytes(bytes: number | undefined): Promise<void>;
	close(): Promise<void>;
}

const SERVER_CHILD = path.join(__dirname, '..', 'server-child.js');

async function startChild(spec: ServerSpec, execArgv: string[] = []): Promise<ChildServer> {
	const child: ChildProcess = fork(SERVER_CHILD, [JSON.stringify(spec)], {
		env: childEnv(),
		execArgv,
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	let nextId = 1;
	const waiting = new Map<number, () => void>();
	const ready = new Promise<Extract<ServerMessage, { type: 'ready' }>>((resolve, reject) => {
		child.once('error', reject);
		child.once('exit', (code) => reject(new Error(`bench server exited early (code ${code})`)));
		child.on('message', (message: ServerMessage) => {
			if (message.type === 'ready') resolve(message);
			else if (message.type === 'ack') {
				waiting.get(message.id)?.();
				waiting.delete(message.id);
			}
		});
	});
	const started = await ready;
	child.removeAllListeners('exit');
	let closing = false;
	child.on('exit', (code, signal) => {
		if (!closing) process.stderr.write(`  bench server (${spec.kind}) exited unexpectedly: ${signal ?? `code ${code}`}\n`);
	});
	const command = (partial: Omit<ServerCommand, 'id'>) =>
		new Promise<void>((resolve) => {
			const id = nextId++;
			waiting.set(id, resolve);
			child.send({ ...partial, id } as ServerCommand);
		});
	return {
		url: started.url,
		apiKey: started.apiKey,
		info: started.info,
		pid: child.pid ?? 0,
		setLatency: (ms) => command({ type: 'setLatency', ms } as Omit<ServerCommand, 'id'>),
		setImageBytes: (bytes) => command({ type: 'setImageBytes', bytes } as Omit<ServerCommand, 'id'>),
		async close() {
			closing = true;
			if (child.exitCode !== null || child.signalCode !== null) return;
			const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
			child.send({ type: 'close', id: nextId++ });
			const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
			await exited;
			clearTimeout(timer);
		},
	};
}

/** The project's sandbox relay in its own process. */
export function startSandboxProcess(options: SandboxOptions = {}): Promise<ChildServer> {
	return startChild({ kind: 'sandbox', options });
}

/** A loopback server answering every request with one pre-built SSE body. */
export function startSseProcess(body: SseBodySpec, writeChunkBytes = 64 * 1024): Promise<ChildServer> {
	// The body is built in the child; give it room for a large one.
	return startChild({ kind: 'sse', body, writeChunkBytes }, ['--max-old-space-size=4096']);
}
