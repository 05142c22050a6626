/**
 * Video generation as relays serve it: asynchronous tasks, in both formats and in every answer
 * shape sources disagree on (see api-notes, "Asynchronous tasks").
 *
 * - OpenAI Videos: POST /v1/videos (multipart, or JSON as new-api also binds), GET /v1/videos/{id}
 *   (a video object; new-api adds `task_id`), GET /v1/videos/{id}/content (the bytes with the key;
 *   400 until the task is done, 404 for an unknown id).
 * - new-api's format: POST /v1/video/generations (JSON), GET /v1/video/generations/{task_id} in
 *   shape A (new-api's task row in a {code, message, data} wrapper: NOT_START ... SUCCESS, progress
 *   "NN%", result_url), B (a Google channel: the wrapper around {task_id, status: queued |
 *   processing | succeeded | failed, url}) or C (flat {task_id, status, url}).
 * - A finished task links to /files/videos/<id>.mp4 (no key); links can be made to expire. Its
 *   video is the 1 s test clip with the task id in a trailing `free` box (taggedClip).
 *
 * A task lasts `videoTaskMs` (the sandbox's setting, default 2 s) from its submit; the prompt can
 * say otherwise, word by word (see README.md, "Video tasks"): TASK_MS=<ms>, FAIL_TASK, SHAPE_A /
 * SHAPE_B / SHAPE_C, STATUS_CASE=UPPER|lower|Title, LINK_IN_FAIL_REASON, NO_LINK, CONTENT_FAILS,
 * LINK_TTL_MS=<ms>, VIDEO_BYTES=<n>, WEBM.
 */
import { randomBytes } from 'node:crypto';

import { unavailableModel } from './chat';
import { readImageInfo } from './image-bytes';
import type { FormPart } from './multipart';
import { randomAlnum, relayError } from './relay-errors';
import { json, raw, type RouteResult } from './responses';
import type { RouteContext, SandboxState } from './state';
import { paddedClip, taggedClip, videoClip } from './video-bytes';

export const DEFAULT_VIDEO_TASK_MS = 2000;
export const FAIL_REASON = 'The prompt was rejected by the content filter (sandbox FAIL_TASK)';

type Shape = 'openai' | 'A' | 'B' | 'C';
type Phase = 'queued' | 'running' | 'done' | 'failed';

export interface VideoTask {
	id: string;
	route: 'videos' | 'video/generations';
	shape: Shape;
	model: string;
	prompt: string;
	seconds: string;
	size: string;
	createdAt: number;
	lengthMs: number;
	fail: boolean;
	statusCase?: 'upper' | 'lower' | 'title';
	linkInFailReason: boolean;
	noLink: boolean;
	contentFails: boolean;
	linkTtlMs?: number;
	bytes?: number;
	webm: boolean;
	/** What came with the submit, for tests: image inputs by part or field. */
	images: number;
}

/** Every video task of the sandbox's life. */
export class VideoTaskStore {
	private readonly tasks = new Map<string, VideoTask>();

	add(task: VideoTask): void {
		this.tasks.set(task.id, task);
	}

	get(id: string): VideoTask | undefined {
		return this.tasks.get(id);
	}

	all(): VideoTask[] {
		return [...this.tasks.values()];
	}
}

const WORDS: Record<Shape, Record<Phase, string>> = {
	openai: { queued: 'queued', running: 'in_progress', done: 'completed', failed: 'failed' },
	A: { queued: 'SUBMITTED', running: 'IN_PROGRESS', done: 'SUCCESS', failed: 'FAILURE' },
	B: { queued: 'queued', running: 'processing', done: 'succeeded', failed: 'failed' },
	C: { queued: 'queued', running: 'processing', done: 'succeeded', failed: 'failed' },
};

function invalid(message: string, param = ''): RouteResult {
	return json(400, relayError(message, 'invalid_request_error', 'invalid_request', param));
}

function notFound(id: string, requestId: string): RouteResult {
	return json(404, relayError(`task_not_exist: ${id} (request id: ${requestId})`, 'new_api_error', 'task_not_exist'));
}

function word(prompt: string, name: string): boolean {
	return new RegExp(`\\b${name}\\b`).test(prompt);
}

export function numberWord(prompt: string, name: string): number | undefined {
	const match = new RegExp(`\\b${name}=(\\d+)\\b`).exec(prompt);
	return match ? Number(match[1]) : undefined;
}

/** The fields of a submit, from a multipart form or a JSON body. */
interface Submitted {
	model?: string;
	prompt?: string;
	seconds?: string;
	size?: string;
	metadata?: unknown;
	images: Array<{ source: string; bytes?: Buffer; url?: string }>;
}

function fromForm(parts: FormPart[]): Submitted {
	const field = (name: string) => parts.find((part) => part.name === name && part.value !== undefined)?.value;
	return {
		model: field('model'),
		prompt: field('prompt'),
		seconds: field('seconds'),
		size: field('size'),
		metadata: field('metadata'),
		images: parts
			.filter((part) => part.name === 'input_reference' && part.bytes)
			.map((part) => ({ source: `input_reference "${part.fileName ?? ''}"`, bytes: part.bytes })),
	};
}

function fromJson(body: Record<string, unknown>): Submitted {
	const images: Submitted['images'] = [];
	const metadata = typeof body.metadata === 'object' && body.metadata !== null ? (body.metadata as Record<string, unknown>) : undefined;
	const take = (value: unknown, source: string) => {
		if (typeof value !== 'string' || !value) return;
		const data = /^data:[^;,]*;base64,(.*)$/s.exec(value);
		images.push(data ? { source, bytes: Buffer.from(data[1], 'base64') } : { source, url: value });
	};
	take(body.image, 'image');
	if (Array.isArray(body.images)) body.images.forEach((image, index) => take(image, `images[${index}]`));
	take(metadata?.image_tail, 'metadata.image_tail');
	const seconds = body.seconds ?? body.duration;
	return {
		model: typeof body.model === 'string' ? body.model : undefined,
		prompt: typeof body.prompt === 'string' ? body.prompt : undefined,
		seconds: seconds === undefined ? undefined : String(seconds),
		size: typeof body.size === 'string' ? body.size : undefined,
		metadata: body.metadata,
		images,
	};
}

/** POST /v1/videos or /v1/video/generations. */
export function submitVideo(
	route: VideoTask['route'],
	request: { body: unknown; parts?: FormPart[] },
	ctx: RouteContext,
): RouteResult {
	const { state, requestId } = ctx;
	let submitted: Submitted;
	if (request.parts) submitted = fromForm(request.parts);
	else if (typeof request.body === 'object' && request.body !== null) submitted = fromJson(request.body as Record<string, unknown>);
	else return invalid(`invalid request body: send multipart/form-data or JSON (request id: ${requestId})`);

	const model = submitted.model?.trim();
	const prompt = submitted.prompt ?? '';
	if (!model) return invalid(`model is required (request id: ${requestId})`, 'model');
	if (model.startsWith('unavailable-')) return unavailableModel(model, requestId);
	if (!prompt.trim()) return invalid(`prompt is required (request id: ${requestId})`, 'prompt');
	if (submitted.seconds !== undefined && !/^\d+$/.test(submitted.seconds.trim())) {
		return invalid(`seconds must be a whole number of seconds, got "${submitted.seconds}" (request id: ${requestId})`, 'seconds');
	}
	if (typeof submitted.metadata === 'string' && submitted.metadata.trim()) {
		try {
			JSON.parse(submitted.metadata);
		} catch {
			return invalid(`metadata must be a JSON object (request id: ${requestId})`, 'metadata');
		}
	}
	for (const image of submitted.images) {
		if (image.bytes && !readImageInfo(image.bytes)) return invalid(`${image.source} is not an image (request id: ${requestId})`, 'input_reference');
	}

	const shape: Shape = route === 'videos' ? 'openai' : word(prompt, 'SHAPE_B') ? 'B' : word(prompt, 'SHAPE_C') ? 'C' : 'A';
	const statusCase = /\bSTATUS_CASE=(UPPER|lower|Title)\b/.exec(prompt)?.[1].toLowerCase() as VideoTask['statusCase'];
	const task: VideoTask = {
		id: route === 'videos' ? `video_${randomBytes(12).toString('hex')}` : `task_${randomAlnum(32)}`,
		route,
		shape,
		model,
		prompt,
		seconds: submitted.seconds?.trim() ?? '8',
		size: submitted.size?.trim() || '1280x720',
		createdAt: Date.now(),
		lengthMs: numberWord(prompt, 'TASK_MS') ?? state.videoTaskMs,
		fail: word(prompt, 'FAIL_TASK'),
		statusCase,
		linkInFailReason: word(prompt, 'LINK_IN_FAIL_REASON'),
		noLink: word(prompt, 'NO_LINK'),
		contentFails: word(prompt, 'CONTENT_FAILS'),
		linkTtlMs: numberWord(prompt, 'LINK_TTL_MS'),
		bytes: numberWord(prompt, 'VIDEO_BYTES'),
		webm: word(prompt, 'WEBM'),
		images: submitted.images.length,
	};
	state.videoTasks.add(task);
	if (shape === 'openai' || shape === 'B') return json(200, videoObject(task, state, route === 'videos'));
	return json(200, { task_id: task.id, status: shape === 'A' ? 'submitted' : 'queued' });
}

/** GET /v1/videos/{id} or /v1/video/generations/{id}. */
export function pollVideo(route: VideoTask['route'], id: string, ctx: RouteContext): RouteResult {
	const task = ctx.state.videoTasks.get(id);
	if (!task) return notFound(id, ctx.requestId);
	// new-api serves one task table behind both routes: a task is found from either.
	if (route === 'videos' || task.shape === 'openai') return json(200, videoObject(task, ctx.state));
	return json(200, pollAnswer(task, ctx.state));
}

/** GET /v1/videos/{id}/content: the bytes once done, with the key. */
export function videoContent(id: string, ctx: RouteContext): RouteResult {
	const task = ctx.state.videoTasks.get(id);
	if (!task) return notFound(id, ctx.requestId);
	const phase = phaseOf(task);
	if (phase !== 'done') {
		return json(400, relayError(`Task is not completed yet, current status: ${statusWord(task, phase)}`, 'invalid_request_error', 'task_not_completed'));
	}
	if (task.contentFails) return json(502, relayError(`upstream content fetch failed (request id: ${ctx.requestId})`, 'new_api_error', 'bad_response'));
	return raw(200, 'video/mp4', videoBytes(task));
}

/** /files/videos/<id>.mp4: the link a finished task gives, without the key, maybe expired. */
export function videoFile(state: SandboxState, name: string): RouteResult | undefined {
	const match = /^videos\/([^/]+)\.mp4$/.exec(name);
	if (!match) return undefined;
	const task = state.videoTasks.get(match[1]);
	if (!task || phaseOf(task) !== 'done') return undefined;
	if (task.linkTtlMs !== undefined && Date.now() > doneAt(task) + task.linkTtlMs) {
		return raw(
			403,
			'application/xml',
			'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
		);
	}
	// The CDN labels every file video/mp4, whatever it is: the client must read the bytes.
	return raw(200, 'video/mp4', videoBytes(task));
}

function videoBytes(task: VideoTask): Buffer {
	if (task.webm) return videoClip('webm');
	return task.bytes !== undefined ? paddedClip(task.bytes) : taggedClip(task.id);
}

function doneAt(task: VideoTask): number {
	return task.createdAt + task.lengthMs;
}

function phaseOf(task: VideoTask): Phase {
	const elapsed = Date.now() - task.createdAt;
	if (elapsed >= task.lengthMs) return task.fail ? 'failed' : 'done';
	return elapsed < task.lengthMs / 10 ? 'queued' : 'running';
}

function progressOf(task: VideoTask, phase: Phase): number {
	if (phase === 'done') return 100;
	if (phase === 'queued') return 0;
	return Math.min(99, Math.floor(((Date.now() - task.createdAt) / Math.max(1, task.lengthMs)) * 100));
}

function statusWord(task: VideoTask, phase: Phase, shape: Shape = task.shape): string {
	const text = WORDS[shape][phase];
	switch (task.statusCase) {
		case 'upper':
			return text.toUpperCase();
		case 'lower':
			return text.toLowerCase();
		case 'title':
			return text.toLowerCase().replace(/(^|_)([a-z])/g, (_, separator: string, letter: string) => `${separator}${letter.toUpperCase()}`);
		default:
			return text;
	}
}

function linkOf(task: VideoTask, state: SandboxState): string | undefined {
	return task.noLink ? undefined : `${state.url}/files/videos/${task.id}.mp4`;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

function videoObject(task: VideoTask, state: SandboxState, viaVideosRoute = true): Record<string, unknown> {
	const phase = phaseOf(task);
	const done = phase === 'done';
	const link = done ? linkOf(task, state) : undefined;
	// Shape B's submit answers a video object in the channel's words; the videos route in OpenAI's.
	const shape = task.shape === 'B' && viaVideosRoute === false ? 'B' : 'openai';
	return {
		id: task.id,
		task_id: task.id,
		object: 'video',
		model: task.model,
		status: statusWord(task, phase, shape),
		progress: progressOf(task, phase),
		created_at: seconds(task.createdAt),
		completed_at: done || phase === 'failed' ? seconds(doneAt(task)) : null,
		expires_at: done ? seconds(doneAt(task) + (task.linkTtlMs ?? 24 * 3600_000)) : null,
		seconds: task.seconds,
		size: task.size,
		error: phase === 'failed' ? { code: 'content_policy_violation', message: FAIL_REASON } : null,
		...(link ? { metadata: { url: link } } : {}),
	};
}

function pollAnswer(task: VideoTask, state: SandboxState): Record<string, unknown> {
	const phase = phaseOf(task);
	const link = phase === 'done' ? linkOf(task, state) : undefined;
	const status = statusWord(task, phase);
	if (task.shape === 'A') {
		return {
			code: 'success',
			message: '',
			data: {
				task_id: task.id,
				action: 'generate',
				status,
				progress: `${progressOf(task, phase)}%`,
				fail_reason: phase === 'failed' ? FAIL_REASON : task.linkInFailReason && link ? link : '',
				result_url: task.linkInFailReason ? '' : link ?? '',
				submit_time: seconds(task.createdAt),
				start_time: seconds(task.createdAt),
				finish_time: phase === 'done' || phase === 'failed' ? seconds(doneAt(task)) : 0,
				data: { model: task.model, duration: Number(task.seconds), size: task.size },
			},
		};
	}
	const inner = {
		task_id: task.id,
		status,
		url: link ?? '',
		format: 'mp4',
		error: phase === 'failed' ? FAIL_REASON : null,
	};
	if (task.shape === 'B') return { code: 'success', message: '', data: inner };
	return { ...inner, progress: progressOf(task, phase), metadata: { duration: Number(task.seconds), size: task.size } };
}

/** The routes of this file: path patterns to handlers. Undefined when the path is not a video route. */
export function routeVideo(
	method: string,
	routePath: string,
	request: { body: unknown; parts?: FormPart[] },
	ctx: RouteContext,
): RouteResult | undefined {
	if (method === 'POST' && routePath === '/v1/videos') return submitVideo('videos', request, ctx);
	if (method === 'POST' && routePath === '/v1/video/generations') return submitVideo('video/generations', request, ctx);
	if (method !== 'GET') return undefined;
	const content = /^\/v1\/videos\/([^/]+)\/content$/.exec(routePath);
	if (content) return videoContent(decodeURIComponent(content[1]), ctx);
	const openai = /^\/v1\/videos\/([^/]+)$/.exec(routePath);
	if (openai) return pollVideo('videos', decodeURIComponent(openai[1]), ctx);
	const newApi = /^\/v1\/video\/generations\/([^/]+)$/.exec(routePath);
	if (newApi) return pollVideo('video/generations', decodeURIComponent(newApi[1]), ctx);
	return undefined;
}

/** Whether a path is one of the video routes (for the server's 404 of unknown endpoints). */
export function isVideoRoute(method: string, routePath: string): boolean {
	if (method === 'POST') return routePath === '/v1/videos' || routePath === '/v1/video/generations';
	return method === 'GET' && /^\/v1\/(videos\/[^/]+(\/content)?|video\/generations\/[^/]+)$/.test(routePath);
}
