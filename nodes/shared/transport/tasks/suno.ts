import { wrongShape } from '../answers';
import type { Received } from '../bodies';
import type { RelayClient } from '../client';
import { RelayApiError } from '../errors';
import type { CallOptions } from '../client-types';
import { asText, isHttpUrl, isRecord } from '../text';
import { normaliseStatus, readProgress, stateOf, type TaskStatus } from './status';
import type { TaskKind, TaskSnapshot } from './types';

/**
 * Suno through the relay, on new-api's routes beside /v1: POST /suno/submit/music (a song:
 * inspiration, custom or continue) or /suno/submit/lyrics answer `{code, message, data: "<task
 * id>"}`; GET /suno/fetch/{id} answers `{code, data: {task_id, action, status, progress,
 * fail_reason, data}}`, where `data` is the song's clips or the lyrics `{text, title}`. Relays
 * answer `code: "success"` (new-api) or `code: 1`; any other code is the relay's error.
 */
export type SunoAction = 'music' | 'lyrics';

export interface SunoSubmit {
	action: SunoAction;
	body: Record<string, unknown>;
}

export const sunoTaskKind: TaskKind<SunoSubmit> = {
	name: 'music',
	async submit(client: RelayClient, request: SunoSubmit, options: CallOptions): Promise<TaskSnapshot> {
		const answer = await client.requestJson(
			{ method: 'POST', endpoint: `/suno/submit/${request.action}`, json: request.body },
			readSunoSubmit,
			options,
		);
		return answer.body;
	},
	async poll(client: RelayClient, id: string, options: CallOptions): Promise<TaskSnapshot> {
		try {
			const answer = await client.requestJson({ method: 'GET', endpoint: `/suno/fetch/${encodeURIComponent(id)}` }, sunoTaskReader(id), options);
			return answer.body;
		} catch (error) {
			// Relays that route only the batch fetch answer the single one with 404 / 405.
			if (!(error instanceof RelayApiError) || (error.status !== 404 && error.status !== 405)) throw error;
			const answer = await client.requestJson({ method: 'POST', endpoint: '/suno/fetch', json: { ids: [id] } }, sunoTaskReader(id), options);
			return answer.body;
		}
	},
};

const SUCCESS_CODES = new Set(['success', '1', '200']);

/** The `data` of a Suno answer whose `code` says success; any other code throws with the relay's words. */
function envelopeData(body: unknown, received: Received, what: string): unknown {
	if (!isRecord(body)) throw wrongShape(body, received, `The ${what} answer is not a JSON object`);
	const code = body.code;
	const ok = code === undefined ? 'data' in body : SUCCESS_CODES.has(String(code).toLowerCase());
	if (!ok) {
		const message = asText(body.message) ?? asText(body.description) ?? asText(body.msg) ?? asText(body.fail_reason);
		if (message) throw wrongShape({ message, code: asText(code) }, received, '');
		throw wrongShape(body, received, `The ${what} answer says code ${JSON.stringify(code)}`);
	}
	return body.data;
}

/** A submit's answer: the new task, pending. */
export function readSunoSubmit(body: unknown, received: Received): TaskSnapshot {
	const data = envelopeData(body, received, 'music submit');
	const id = asText(data) ?? (isRecord(data) ? (asText(data.task_id) ?? asText(data.id)) : undefined);
	if (!id) throw wrongShape(body, received, 'The music submit answer has no task id in "data"');
	return { id, status: 'queued', state: 'pending', body };
}

/** Reads a fetch answer, one task (GET /suno/fetch/{id}) or a list (POST /suno/fetch), for task `id`. */
export function sunoTaskReader(id: string): (body: unknown, received: Received) => TaskSnapshot {
	return (body, received) => {
		const data = envelopeData(body, received, 'music task');
		const task = Array.isArray(data) ? data.find((entry) => isRecord(entry) && (asText(entry.task_id) ?? asText(entry.id)) === id) : data;
		if (!isRecord(task)) {
			throw wrongShape(body, received, Array.isArray(data) ? `The relay knows no music task ${id}` : 'The music task answer has no task in "data"');
		}
		return readSunoTask(task, body, id);
	};
}

/**
 * A Suno task as a snapshot. A song is done only when every clip is `complete`: a `streaming`
 * clip's link is a live stream, whatever the task's own status says. A failed task, or any failed
 * clip, fails it with the relay's reason.
 */
export function readSunoTask(task: Record<string, unknown>, body: unknown, requestedId: string): TaskSnapshot {
	const id = asText(task.task_id) ?? asText(task.id) ?? requestedId;
	const relayStatus = asText(task.status);
	const taskStatus = normaliseStatus(relayStatus);
	const progress = readProgress(task.progress);
	const base = { id, relayStatus, progress, body };
	const details = sunoDetails({ ...base, status: taskStatus, state: stateOf(taskStatus) });

	const failedClip = details.clips.find((clip) => clip.status === 'failed');
	if (taskStatus === 'failed' || failedClip || details.lyrics?.status === 'failed') {
		const reason = asText(task.fail_reason) ?? (failedClip ? undefined : details.lyrics?.error) ?? details.clips.find((clip) => clip.error)?.error;
		const clipReason = failedClip && taskStatus !== 'failed'
			? `clip ${failedClip.index + 1} of ${details.clips.length} (${failedClip.id}) ended in error: ${failedClip.error ?? 'the relay gave no reason'}`
			: undefined;
		return { ...base, status: 'failed', state: 'failed', failure: clipReason ?? reason };
	}
	let status: TaskStatus = taskStatus;
	if (details.action === 'LYRICS') {
		if (taskStatus === 'completed' && details.lyrics === undefined) status = 'in_progress';
	} else if (details.clips.length > 0 && details.clips.every((clip) => clip.done)) {
		status = 'completed';
	} else if (taskStatus === 'completed') {
		// The task says done while a clip still streams (or before its clips arrived): not yet.
		status = 'in_progress';
	}
	return { ...base, status, state: stateOf(status) };
}

/** One clip of a song task, as far as the relay said. */
export interface SunoClip {
	id: string;
	/** 0 for the first clip of the task. */
	index: number;
	status: TaskStatus;
	relayStatus?: string;
	/** `complete`: its audio link is the finished file. */
	done: boolean;
	title?: string;
	tags?: string;
	/** The lyrics sung (`metadata.prompt`); empty for an instrumental. */
	lyrics?: string;
	/** The inspiration-mode description it was made from. */
	description?: string;
	/** Seconds, once complete. */
	duration?: number;
	model?: string;
	audioUrl?: string;
	imageUrl?: string;
	imageLargeUrl?: string;
	videoUrl?: string;
	createdAt?: string;
	/** Why it failed, in the relay's words. */
	error?: string;
}

export interface SunoTaskDetails {
	/** "MUSIC" or "LYRICS", as the relay says; undefined when it does not. */
	action?: string;
	clips: SunoClip[];
	/** A lyrics task's result, once it has text. */
	lyrics?: { title: string; text: string; status: TaskStatus; error?: string };
}

export function sunoDetails(snapshot: TaskSnapshot): SunoTaskDetails {
	const task = taskOf(snapshot);
	const data = task?.data;
	const action = asText(task?.action)?.toUpperCase() ?? (Array.isArray(data) ? 'MUSIC' : isRecord(data) && 'text' in data ? 'LYRICS' : undefined);
	const clips = Array.isArray(data) ? data.filter(isRecord).map(readClip) : [];
	const details: SunoTaskDetails = { action, clips };
	if (isRecord(data) && !Array.isArray(data)) {
		const text = asText(data.text) ?? asText(data.lyrics);
		const status = normaliseStatus(asText(data.status) ?? (text ? 'complete' : undefined));
		if (text !== undefined || status === 'failed') {
			details.lyrics = { title: asText(data.title) ?? '', text: text ?? '', status, error: asText(data.error_message) ?? asText(data.error) };
		}
	}
	return details;
}

/** The task object of a fetch answer: the envelope's `data`, or the entry for this id in a list. */
function taskOf(snapshot: TaskSnapshot): Record<string, unknown> | undefined {
	const data = isRecord(snapshot.body) ? snapshot.body.data : undefined;
	if (Array.isArray(data)) return data.find((entry): entry is Record<string, unknown> => isRecord(entry) && (asText(entry.task_id) ?? asText(entry.id)) === snapshot.id);
	return isRecord(data) ? data : undefined;
}

function readClip(clip: Record<string, unknown>, index: number): SunoClip {
	const metadata = isRecord(clip.metadata) ? clip.metadata : {};
	const relayStatus = asText(clip.status);
	const status = normaliseStatus(relayStatus);
	const read: SunoClip = {
		id: asText(clip.id) ?? asText(clip.clip_id) ?? '',
		index,
		status,
		relayStatus,
		done: status === 'completed',
		title: asText(clip.title),
		tags: asText(metadata.tags) ?? asText(clip.tags),
		lyrics: typeof metadata.prompt === 'string' ? metadata.prompt : asText(clip.lyric),
		description: asText(metadata.gpt_description_prompt),
		duration: seconds(metadata.duration ?? clip.duration),
		model: asText(clip.model_name) ?? asText(clip.major_model_version),
		audioUrl: link(clip.audio_url),
		imageUrl: link(clip.image_url),
		imageLargeUrl: link(clip.image_large_url),
		videoUrl: link(clip.video_url),
		createdAt: asText(clip.created_at),
		error: asText(metadata.error_message) ?? asText(clip.error_message),
	};
	for (const key of Object.keys(read) as Array<keyof SunoClip>) if (read[key] === undefined) delete read[key];
	return read;
}

function link(value: unknown): string | undefined {
	const text = asText(value)?.trim();
	return text && isHttpUrl(text) ? text : undefined;
}

function seconds(value: unknown): number | undefined {
	const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
	return Number.isFinite(number) && number > 0 ? number : undefined;
}
