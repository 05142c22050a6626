import { wrongShape } from '../answers';
import type { Received } from '../bodies';
import type { RelayClient } from '../client';
import type { CallOptions, MultipartBody } from '../client-types';
import { asText, isHttpUrl, isRecord } from '../text';
import { normaliseStatus, readProgress, stateOf, taskTimestamp } from './status';
import type { TaskKind, TaskSnapshot } from './types';

/**
 * Video tasks on a relay, in both formats relays keep:
 * - "openai": OpenAI Videos. POST /v1/videos (multipart: model, prompt, seconds, size,
 *   input_reference files, metadata as JSON text), GET /v1/videos/{id} (a video object), the file
 *   at GET /v1/videos/{id}/content (with the key).
 * - "new-api": new-api's unified format. POST /v1/video/generations (JSON: model, prompt, image,
 *   duration, size, metadata), GET /v1/video/generations/{task_id}: a video object, a flat
 *   {task_id, status, url}, or either inside a {code, message, data} wrapper; the file at the link.
 */
export type VideoApiFormat = 'openai' | 'new-api';

/** What to submit: a form for OpenAI Videos, a JSON body for new-api's format. */
export interface VideoSubmit {
	form?: MultipartBody;
	json?: Record<string, unknown>;
}

const ROUTES: Record<VideoApiFormat, string> = {
	openai: 'videos',
	'new-api': 'video/generations',
};

/** The task kind for one format: its submit and poll routes, and the one reader of every answer shape. */
export function videoTaskKind(format: VideoApiFormat): TaskKind<VideoSubmit> {
	const route = ROUTES[format];
	return {
		name: 'video',
		async submit(client: RelayClient, request: VideoSubmit, options: CallOptions): Promise<TaskSnapshot> {
			const answer = await client.requestJson({ method: 'POST', endpoint: route, ...request }, readVideoTask, options);
			return answer.body;
		},
		async poll(client: RelayClient, id: string, options: CallOptions): Promise<TaskSnapshot> {
			const answer = await client.requestJson({ method: 'GET', endpoint: `${route}/${encodeURIComponent(id)}` }, readVideoTask, options);
			return answer.body;
		},
	};
}

/** Where the relay serves a finished video's bytes itself (OpenAI Videos' content route; needs the key). */
export function videoContentEndpoint(id: string): string {
	return `videos/${encodeURIComponent(id)}/content`;
}

/** The task object inside any shape: new-api wraps it as `{code, message, data: {...}}`. */
function taskObject(body: unknown): Record<string, unknown> | undefined {
	if (!isRecord(body)) return undefined;
	if (hasTaskId(body)) return body;
	const data = body.data;
	if (isRecord(data) && (hasTaskId(data) || 'status' in data)) return data;
	return undefined;
}

function hasTaskId(value: Record<string, unknown>): boolean {
	return asText(value.id) !== undefined || asText(value.task_id) !== undefined;
}

/** Any answer of either format (submit or poll) as a snapshot; an answer that is no task throws. */
export function readVideoTask(body: unknown, received: Received): TaskSnapshot {
	const task = taskObject(body);
	const id = task && (asText(task.task_id) ?? asText(task.id) ?? (isRecord(body) ? asText(body.task_id) ?? asText(body.id) : undefined));
	if (!task || !id) throw wrongShape(body, received, 'The video task answer has no task id ("id" or "task_id")');
	const relayStatus = asText(task.status) ?? asText(task.task_status);
	const status = normaliseStatus(relayStatus);
	const state = stateOf(status);
	return {
		id,
		status,
		state,
		relayStatus,
		progress: readProgress(task.progress),
		failure: state === 'failed' ? failureText(task) ?? (isRecord(body) ? asText(body.message) : undefined) : undefined,
		body,
	};
}

function failureText(task: Record<string, unknown>): string | undefined {
	const { error } = task;
	if (isRecord(error)) {
		const message = asText(error.message);
		const code = asText(error.code);
		if (message) return code && !message.includes(code) ? `${message} (${code})` : message;
		if (code) return code;
	}
	return asText(error) ?? asText(task.fail_reason) ?? asText(task.failReason) ?? asText(task.message);
}

/** What the output tells of a video task, as far as the relay said it. */
export interface VideoDetails {
	model?: string;
	/** Length in seconds, as the relay wrote it ("8", 8, "8s" stays text). */
	seconds?: number | string;
	size?: string;
	/** The finished video's link, when the relay gives one (not the content route). */
	url?: string;
	/** When the link (or the relay's copy) expires, ISO 8601. */
	expiresAt?: string;
	createdAt?: string;
	completedAt?: string;
	usage?: Record<string, unknown>;
}

export function videoDetails(snapshot: TaskSnapshot): VideoDetails {
	const task = taskObject(snapshot.body) ?? {};
	const upstream = isRecord(task.data) ? task.data : {};
	const metadata = isRecord(task.metadata) ? task.metadata : {};
	const details: VideoDetails = {
		model: asText(task.model) ?? asText(upstream.model),
		seconds: numberOrText(task.seconds ?? task.duration ?? upstream.duration),
		size: asText(task.size) ?? asText(upstream.size) ?? asText(upstream.resolution),
		url: videoLink(snapshot, task, upstream, metadata),
		expiresAt: taskTimestamp(task.expires_at ?? metadata.expires_at ?? upstream.expires_at),
		createdAt: taskTimestamp(task.created_at ?? task.submit_time),
		completedAt: taskTimestamp(task.completed_at ?? task.finish_time),
	};
	const usage = [task.usage, isRecord(snapshot.body) ? snapshot.body.usage : undefined].find(isRecord);
	if (usage) details.usage = usage;
	for (const key of Object.keys(details) as Array<keyof VideoDetails>) if (details[key] === undefined) delete details[key];
	return details;
}

/**
 * The link to the finished video: `metadata.url` (OpenAI Videos on relays), `url`, `result_url`,
 * `video_url`, inside the upstream payload (`data.url`, `data.video_url`, `data.videos[0].url`,
 * Kling's `task_result.videos[0].url`), or, in old new-api rows, `fail_reason` of a success.
 */
function videoLink(
	snapshot: TaskSnapshot,
	task: Record<string, unknown>,
	upstream: Record<string, unknown>,
	metadata: Record<string, unknown>,
): string | undefined {
	const firstVideo = (holder: unknown) => {
		const videos = isRecord(holder) ? holder.videos : undefined;
		return Array.isArray(videos) && isRecord(videos[0]) ? videos[0].url : undefined;
	};
	const candidates = [
		metadata.url,
		task.url,
		task.result_url,
		task.video_url,
		upstream.url,
		upstream.video_url,
		firstVideo(upstream),
		firstVideo(task.task_result),
		firstVideo(upstream.task_result),
		upstream.output,
		snapshot.state === 'done' ? task.fail_reason : undefined,
	];
	return candidates.find((candidate): candidate is string => typeof candidate === 'string' && isHttpUrl(candidate.trim()))?.trim();
}

function numberOrText(value: unknown): number | string | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value !== 'string' || !value.trim()) return undefined;
	return /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
}
