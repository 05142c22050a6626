import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { accountKeys, accountRoute, defaultAccounts, handleAccountRoute, SANDBOX_ACCOUNTS, type SandboxAccount } from './account';
import { handleSpeech, handleTranscription } from './audio';
import { bearerKey } from './auth';
import { handleChat } from './chat';
import { handleImageEdits } from './edits';
import { handleEmbeddings, misnumberEmbeddings } from './embeddings';
import { FaultQueue } from './faults';
import { FileStore, serveFile } from './files';
import { handleImages } from './images';
import { DEFAULT_MIDJOURNEY_TASK_MS, handleMidjourney, midjourneyRoute, MidjourneyStore } from './midjourney';
import { cloneModels, DEFAULT_MODELS, modelListBody } from './models';
import { groupParts, parseMultipart } from './multipart';
import { defaultErrorBody, htmlErrorPage, newRequestId, relayError } from './relay-errors';
import { json, raw, writeResult, type RouteResult } from './responses';
import type { RouteContext, SandboxState } from './state';
import { handleSuno } from './suno';
import type { Fault, RecordedRequest, Sandbox, SandboxOptions } from './types';
import { DEFAULT_VIDEO_TASK_MS, isVideoRoute, routeVideo, videoFile, VideoTaskStore } from './videos';

export interface ResponseLogEntry {
	method: string;
	/** Without the query string, so nothing secret in a URL ends up in a log. */
	path: string;
	/** 0 when the socket was destroyed before any header went out. */
	status: number;
	ms: number;
	/** False when the answer was cut short (reset, stall ended by the client, client gave up). */
	completed: boolean;
}

export interface SandboxServerOptions extends SandboxOptions {
	/** Called once per request when its response is over; the CLI logs with it. */
	onResponse?: (entry: ResponseLogEntry) => void;
}

type MultipartParse = Awaited<ReturnType<typeof parseMultipart>>;

const REQUEST_ID_HEADER = 'x-oneapi-request-id';
const DEFAULT_SUNO_TASK_MS = 3000;
/** Where the API routes start, after any prefix of the base URL: OpenAI's /v1, new-api's /suno task routes. */
const API_ROOTS = ['/v1/', '/suno/'];

export async function startSandbox(options: SandboxServerOptions = {}): Promise<Sandbox> {
	const host = options.host ?? '127.0.0.1';
	const apiKey = options.apiKey ?? 'sk-sandbox';
	const state: SandboxState = {
		url: '',
		apiKey,
		latencyMs: options.latencyMs ?? 0,
		imageBytes: options.imageBytes,
		models: cloneModels(options.models ?? DEFAULT_MODELS),
		streamChunkSize: Math.max(1, Math.floor(options.streamChunkSize ?? 8)),
		files: new FileStore(),
		toolCallCount: 0,
		reasoningByToolCall: new Map(),
		accounts: defaultAccounts(apiKey),
		videoTasks: new VideoTaskStore(),
		videoTaskMs: options.videoTaskMs ?? DEFAULT_VIDEO_TASK_MS,
		midjourney: new MidjourneyStore(),
		sunoTaskMs: Math.max(0, options.sunoTaskMs ?? DEFAULT_SUNO_TASK_MS),
		sunoTasks: new Map(),
		sunoCode: options.sunoCode ?? 'success',
	};
	state.midjourney.taskMs = options.midjourneyTaskMs ?? DEFAULT_MIDJOURNEY_TASK_MS;
	const requests: RecordedRequest[] = [];
	const faults = new FaultQueue();
	const sockets = new Set<Socket>();
	const timers = new Set<NodeJS.Timeout>();
	let closing = false;

	const sleep = (ms: number) =>
		new Promise<void>((resolve) => {
			if (ms <= 0 || closing) return resolve();
			const timer = setTimeout(() => {
				timers.delete(timer);
				resolve();
			}, ms);
			timers.add(timer);
		});

	const server = createServer((req, res) => {
		const started = Date.now();
		const [pathPart, queryPart = ''] = (req.url ?? '/').split('?', 2);
		res.on('close', () => {
			options.onResponse?.({
				method: req.method ?? 'GET',
				path: pathPart,
				status: res.headersSent ? res.statusCode : 0,
				ms: Date.now() - started,
				completed: res.writableFinished,
			});
		});
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('error', () => res.destroy());
		req.on('end', () => {
			const rawBody = Buffer.concat(chunks);
			const recorded = record(req, pathPart, queryPart, rawBody);
			requests.push(recorded);
			const contentType = typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : undefined;
			parseMultipart(contentType, rawBody)
				.then((parts) => {
					if (Array.isArray(parts)) {
						// Recorded twice over: in order without the bytes, and grouped by name with them.
						recorded.parts = parts.map(({ bytes: _bytes, ...part }) => part);
						recorded.form = groupParts(parts);
					}
					return handle(recorded, req, res, parts);
				})
				.catch((error: unknown) => {
					if (res.headersSent) {
						res.destroy();
						return;
					}
					const message = error instanceof Error ? error.message : String(error);
					res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
					res.end(JSON.stringify(relayError(`sandbox internal error: ${message}`, 'new_api_error', 'sandbox_bug')));
				});
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});

	async function handle(
		recorded: RecordedRequest,
		req: IncomingMessage,
		res: ServerResponse,
		form: MultipartParse,
	): Promise<void> {
		const { method, path } = recorded;
		const isFile = path.startsWith('/files/');
		const rootIndex = isFile ? -1 : apiRootIndex(path);
		const midjourney = isFile || rootIndex >= 0 ? undefined : midjourneyRoute(path);
		const routePath = rootIndex >= 0 ? path.slice(rootIndex) : (midjourney?.route ?? path);
		const isApi = rootIndex >= 0 || midjourney !== undefined;
		const requestId = newRequestId();
		const fault = faults.take(method, path, routePath);

		await sleep((isApi ? state.latencyMs : 0) + (fault?.latencyMs ?? 0));
		if (res.destroyed) return;
		if (fault?.reset === 'before-response') {
			req.socket.destroy();
			return;
		}

		const ctx: RouteContext = { state, requestId, headers: recorded.headers };
		let result: RouteResult;
		if (fault?.redirectTo !== undefined) result = redirectAnswer(fault.status ?? 301, fault.redirectTo);
		else if (fault?.status !== undefined) result = faultAnswer(fault, fault.status, requestId);
		else if (isFile && (method === 'GET' || method === 'HEAD')) result = videoFile(state, path.slice(7)) ?? serveFile(state.files, path.slice(7), recorded.query);
		else if (midjourney) result = authorized(recorded.headers.authorization ?? recorded.headers['mj-api-secret']) ? handleMidjourney(method, midjourney, recorded, ctx) : unauthorized(ctx);
		else result = route(method, routePath, recorded, ctx, form);
		if (fault?.embeddingIndexes) result = misnumberEmbeddings(result, fault.embeddingIndexes);

		const acceptEncoding = recorded.headers['accept-encoding'];
		await writeResult(result, {
			res,
			fault,
			acceptsGzip: typeof acceptEncoding === 'string' && /\bgzip\b/.test(acceptEncoding),
			extraHeaders: isApi ? { [REQUEST_ID_HEADER]: requestId } : {},
		});
	}

	function route(
		method: string,
		routePath: string,
		recorded: RecordedRequest,
		ctx: RouteContext,
		form: MultipartParse,
	): RouteResult {
		const account = accountRoute(method, routePath, recorded.path);
		if (account) return handleAccountRoute(account, recorded, state.accounts, ctx.requestId);
		const endpoint = `${method} ${routePath}`;
		if (routePath.startsWith('/suno/')) {
			if (!authorized(recorded.headers.authorization)) return unauthorized(ctx);
			return handleSuno(method, routePath, recorded.body, recorded.rawBody, ctx);
		}
		const known = [
			'GET /v1/models',
			'POST /v1/chat/completions',
			'POST /v1/images/generations',
			'POST /v1/images/edits',
			'POST /v1/embeddings',
			'POST /v1/audio/speech',
			'POST /v1/audio/transcriptions',
			'POST /v1/audio/translations',
		];
		if (isVideoRoute(method, routePath)) {
			if (!authorized(recorded.headers.authorization)) {
				return json(401, relayError(`无效的令牌 (request id: ${ctx.requestId})`, 'new_api_error', 'invalid_api_key'));
			}
			if (form && !Array.isArray(form)) return json(400, relayError(`invalid multipart body: ${form.error}`, 'invalid_request_error', 'invalid_request'));
			return routeVideo(method, routePath, { body: recorded.body, parts: form }, ctx)!;
		}
		if (!known.includes(endpoint)) {
			return json(404, relayError(`Invalid URL (${method} ${recorded.path})`, 'invalid_request_error', '', ''));
		}
		if (!authorized(recorded.headers.authorization)) return unauthorized(ctx);
		if (endpoint === 'GET /v1/models') return json(200, modelListBody(state.models));
		if (endpoint === 'POST /v1/images/edits') return handleImageEdits(Array.isArray(form) ? form : undefined, ctx);
		const grouped = Array.isArray(form) ? recorded.form : form;
		if (endpoint === 'POST /v1/audio/transcriptions') return handleTranscription(grouped, 'transcribe', ctx);
		if (endpoint === 'POST /v1/audio/translations') return handleTranscription(grouped, 'translate', ctx);

		if (recorded.body === undefined) {
			const detail = recorded.rawBody.length === 0 ? 'empty request body' : 'invalid JSON in request body';
			return json(400, relayError(`${detail} (request id: ${ctx.requestId})`, 'invalid_request_error', 'invalid_request'));
		}
		if (endpoint === 'POST /v1/chat/completions') return handleChat(recorded.body, ctx);
		if (endpoint === 'POST /v1/embeddings') return handleEmbeddings(recorded.body, ctx);
		if (endpoint === 'POST /v1/audio/speech') return handleSpeech(recorded.body, ctx);
		return handleImages(recorded.body, ctx);
	}

	function unauthorized(ctx: RouteContext): RouteResult {
		return json(401, relayError(`无效的令牌 (request id: ${ctx.requestId})`, 'new_api_error', 'invalid_api_key'));
	}

	// The account keys (Sandbox.accountKeys) are keys of this relay too.
	function authorized(header: string | string[] | undefined): boolean {
		const key = bearerKey(header);
		return key !== '' && (key === state.apiKey || state.accounts.has(key));
	}

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const { port } = server.address() as AddressInfo;
	state.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

	const sandbox: Sandbox = {
		url: state.url,
		apiKey: state.apiKey,
		accountKeys: accountKeys(state.apiKey),
		requests,
		lastRequest(path?: string) {
			for (let i = requests.length - 1; i >= 0; i--) {
				const r = requests[i];
				if (path === undefined || r.path === path || r.path.endsWith(path)) return r;
			}
			return undefined;
		},
		clearRequests() {
			requests.length = 0;
		},
		openConnections() {
			return sockets.size;
		},
		fault(f: Fault) {
			faults.add(f);
		},
		clearFaults() {
			faults.clear();
		},
		setLatency(ms: number) {
			state.latencyMs = Math.max(0, ms);
		},
		setModels(models) {
			state.models = cloneModels(models);
		},
		setAccount(key: string, account: Partial<SandboxAccount> | undefined) {
			if (account === undefined) {
				state.accounts.delete(key);
				return;
			}
			const base = state.accounts.get(key) ?? SANDBOX_ACCOUNTS.limited;
			state.accounts.set(key, { ...base, ...account });
		},
		setImageBytes(n: number | undefined) {
			state.imageBytes = n;
		},
		setVideoTaskMs(ms: number) {
			state.videoTaskMs = Math.max(0, ms);
		},
		videoTasks() {
			return state.videoTasks.all().map((task) => ({ ...task }));
		},
		setMidjourneyTaskMs(ms: number) {
			state.midjourney.taskMs = Math.max(0, ms);
		},
		setSunoTaskMs(ms: number) {
			state.sunoTaskMs = Math.max(0, ms);
		},
		advanceSunoTasks(ms: number) {
			for (const task of state.sunoTasks.values()) task.submittedAt -= ms;
		},
		setSunoCode(code) {
			state.sunoCode = code;
		},
		fileUrl(name: string) {
			return `${state.url}/files/${name.replace(/^\/+/, '')}`;
		},
		close() {
			if (closing) return Promise.resolve();
			closing = true;
			for (const timer of timers) clearTimeout(timer);
			timers.clear();
			return new Promise<void>((resolve) => {
				server.close(() => resolve());
				for (const socket of sockets) socket.destroy();
			});
		},
	};
	return sandbox;
}

function apiRootIndex(path: string): number {
	const found = API_ROOTS.map((root) => path.indexOf(root)).filter((index) => index >= 0);
	return found.length ? Math.min(...found) : -1;
}

function record(req: IncomingMessage, path: string, queryPart: string, rawBody: Buffer): RecordedRequest {
	const query: Record<string, string> = {};
	for (const [key, value] of new URLSearchParams(queryPart)) query[key] = value;
	let body: unknown;
	if (rawBody.length > 0) {
		try {
			body = JSON.parse(rawBody.toString('utf8'));
		} catch {
			body = undefined;
		}
	}
	return {
		method: req.method ?? 'GET',
		path,
		query,
		headers: { ...req.headers },
		body,
		rawBody,
		receivedAt: Date.now(),
	};
}

function faultAnswer(fault: Fault, status: number, requestId: string): RouteResult {
	if (fault.html) return raw(status, 'text/html', htmlErrorPage(status));
	if (Buffer.isBuffer(fault.body)) return raw(status, 'application/octet-stream', fault.body);
	if (typeof fault.body === 'string') {
		let isJson = true;
		try {
			JSON.parse(fault.body);
		} catch {
			isJson = false;
		}
		return raw(status, isJson ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8', fault.body);
	}
	return json(status, fault.body ?? defaultErrorBody(status, requestId));
}

function redirectAnswer(status: number, location: string): RouteResult {
	const page = `<html><head><title>${status} Moved</title></head><body><a href="${location}">moved here</a></body></html>`;
	return { kind: 'raw', status, contentType: 'text/html', body: page, headers: { location } };
}
