/**
 * Raw HTTP for sandbox tests: node:http with a fresh connection per request, so a test sees
 * exactly what went over the wire (resets, stalls, headers, undecoded bodies).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { Sandbox } from '../../sandbox';

export interface Reply {
	status: number;
	headers: IncomingHttpHeaders;
	body: Buffer;
	text: string;
	json: any;
}

export interface CallOptions {
	body?: unknown;
	/** Raw bytes sent as the body, instead of JSON. */
	rawBody?: string;
	headers?: Record<string, string>;
	/** false: no Authorization header. Default: Bearer <sandbox key>. */
	auth?: boolean | string;
}

function headersFor(sandbox: Sandbox, options: CallOptions): Record<string, string> {
	const headers: Record<string, string> = { ...options.headers };
	if (options.auth !== false) {
		headers.authorization = typeof options.auth === 'string' ? options.auth : `Bearer ${sandbox.apiKey}`;
	}
	if (options.body !== undefined || options.rawBody !== undefined) headers['content-type'] = 'application/json';
	return headers;
}

function payload(options: CallOptions): string | undefined {
	if (options.rawBody !== undefined) return options.rawBody;
	return options.body === undefined ? undefined : JSON.stringify(options.body);
}

/** Rejects when the connection fails (e.g. a reset fault). */
export function call(sandbox: Sandbox, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
	return new Promise((resolve, reject) => {
		const req = httpRequest(
			`${sandbox.url}${path}`,
			{ method, headers: headersFor(sandbox, options), agent: false },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('error', reject);
				res.on('aborted', () => reject(new Error('aborted')));
				res.on('end', () => {
					let body = Buffer.concat(chunks);
					if (res.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
					const text = body.toString('utf8');
					let parsed: unknown;
					try {
						parsed = JSON.parse(text);
					} catch {
						parsed = undefined;
					}
					resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: parsed });
				});
			},
		);
		req.on('error', reject);
		req.end(payload(options));
	});
}

export const post = (sandbox: Sandbox, path: string, body: unknown, options: CallOptions = {}) =>
	call(sandbox, 'POST', path, { ...options, body });

export const get = (sandbox: Sandbox, path: string, options: CallOptions = {}) => call(sandbox, 'GET', path, options);

export interface StreamCapture {
	status: number;
	headers: IncomingHttpHeaders;
	/** Everything received, as text. */
	text: string;
	/** Events as separated by blank lines. */
	events: string[];
	/** JSON payloads of `data:` events, [DONE] excluded. */
	data: any[];
	done: boolean;
	/** The response ended cleanly. */
	ended: boolean;
	/** The connection failed (reset). */
	error?: Error;
	/** Nothing arrived for idleMs: the capture gave up and closed the connection. */
	idle: boolean;
}

/** Never rejects: resets and stalls are results to assert on. */
export function stream(
	sandbox: Sandbox,
	path: string,
	body: unknown,
	options: CallOptions & { idleMs?: number } = {},
): Promise<StreamCapture> {
	const idleMs = options.idleMs ?? 2000;
	return new Promise((resolve) => {
		const capture: StreamCapture = {
			status: 0,
			headers: {},
			text: '',
			events: [],
			data: [],
			done: false,
			ended: false,
			idle: false,
		};
		let settled = false;
		let idleTimer: NodeJS.Timeout | undefined;
		const finish = () => {
			if (settled) return;
			settled = true;
			clearTimeout(idleTimer);
			capture.events = capture.text.split('\n\n').filter((e) => e.trim() !== '');
			for (const event of capture.events) {
				if (!event.startsWith('data: ')) continue;
				const value = event.slice(6);
				if (value === '[DONE]') capture.done = true;
				else capture.data.push(JSON.parse(value));
			}
			resolve(capture);
		};
		const armIdle = () => {
			clearTimeout(idleTimer);
			idleTimer = setTimeout(() => {
				capture.idle = true;
				req.destroy();
				finish();
			}, idleMs);
		};
		const req = httpRequest(
			`${sandbox.url}${path}`,
			{ method: 'POST', headers: headersFor(sandbox, { ...options, body }), agent: false },
			(res) => {
				capture.status = res.statusCode ?? 0;
				capture.headers = res.headers;
				res.setEncoding('utf8');
				res.on('data', (chunk: string) => {
					capture.text += chunk;
					armIdle();
				});
				res.on('end', () => {
					capture.ended = true;
					finish();
				});
				res.on('error', (error) => {
					capture.error = error;
					finish();
				});
				res.on('aborted', () => {
					capture.error ??= new Error('aborted');
					finish();
				});
			},
		);
		req.on('error', (error) => {
			capture.error = error;
			finish();
		});
		armIdle();
		req.end(JSON.stringify(body));
	});
}

/** Content of choice `index` put back together from stream chunks. */
export function assembled(data: any[], field: 'content' | 'reasoning_content' = 'content', index = 0): string {
	return data
		.flatMap((chunk) => chunk.choices ?? [])
		.filter((choice: any) => choice.index === index && typeof choice.delta?.[field] === 'string')
		.map((choice: any) => choice.delta[field])
		.join('');
}

export const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The path part of a sandbox URL. */
export function pathOf(url: string): string {
	const parsed = new URL(url);
	return parsed.pathname + parsed.search;
}
