/**
 * Suno through the relay, as new-api serves it (`/suno/...`, beside `/v1`): song and lyrics tasks
 * that run on the clock, so a client sees every stage by polling.
 *
 * - POST /suno/submit/music: inspiration (`gpt_description_prompt`), custom (`prompt` = lyrics,
 *   `title`, `tags`), `make_instrumental`, `mv` (default chirp-v3-0, as new-api sets it), or a
 *   continuation (`continue_clip_id`, `continue_at`, `task_id` of a finished song task).
 *   POST /suno/submit/lyrics `{prompt}`. Both answer `{code: "success", message, data: "<task id>"}`.
 * - GET /suno/fetch/{id} and POST /suno/fetch `{ids, action?}`: the task(s) as new-api's TaskDto.
 *
 * A task lasts `sandbox_task_ms` of its body, else header `x-sandbox-task-ms`, else TASK_MS=<ms>
 * in its words, else the sandbox's `sunoTaskMs`. Of that time: 10% SUBMITTED (clips `submitted`), to 30% QUEUED (`queued`),
 * then IN_PROGRESS with both clips `streaming` (a live, partial audio link); the first clip is
 * `complete` at 85%, the second at 100%, when the task turns SUCCESS. Words in the description,
 * lyrics, title or tags switch: FAIL_TASK (the task fails at 10% with a reason, its clips `error`),
 * FAIL_CLIP (the second clip ends `error` with a reason, the task still says SUCCESS),
 * EARLY_SUCCESS (the task says SUCCESS from 85% while the second clip still streams).
 * `setSunoCode(1)` answers `code: 1` instead of `code: "success"`, as other relays do.
 */
import { createHash, randomUUID } from 'node:crypto';

import { encodeSpeech } from './audio-bytes';
import { randomAlnum } from './relay-errors';
import { json, type RouteResult } from './responses';
import type { RouteContext, SandboxState } from './state';
import { videoClip } from './video-bytes';

export type SunoCode = 'success' | 1;

type Action = 'MUSIC' | 'LYRICS';

interface ClipPlan {
	id: string;
	title: string;
	tags: string;
	lyrics: string;
	description?: string;
	model: string;
	seconds: number;
	/** Fraction of the task's time at which the clip is complete (or fails). */
	doneAt: number;
	fails: boolean;
	continued?: { clipId: string; at: number };
}

export interface SunoTask {
	id: string;
	action: Action;
	submittedAt: number;
	taskMs: number;
	failTask: boolean;
	earlySuccess: boolean;
	clips: ClipPlan[];
	lyrics?: { title: string; text: string };
}

const SUBMITTED_UNTIL = 0.1;
const QUEUED_UNTIL = 0.3;
const FIRST_CLIP_AT = 0.85;
const DEFAULT_MODEL = 'chirp-v3-0';
const TASK_FAILURE = 'Song description rejected by moderation: it names a blocked phrase (FAIL_TASK)';
const CLIP_FAILURE = 'Audio generation failed for this clip, credits refunded (FAIL_CLIP)';
/** Bytes of a streaming clip's live link: the first part of the song, as far as it has come. */
const STREAM_SHARE = 0.3;

function isObject(value: unknown): value is Record<string, any> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** new-api's TaskError, sent with an error status: `{code, message, data: null}`. */
function taskError(status: number, code: string, message: string): RouteResult {
	return json(status, { code, message, data: null });
}

function answer(state: SandboxState, data: unknown): RouteResult {
	return json(200, state.sunoCode === 1 ? { code: 1, message: 'success', data } : { code: 'success', message: '', data });
}

export function handleSuno(method: string, routePath: string, body: unknown, rawBody: Buffer, ctx: RouteContext): RouteResult {
	const { state } = ctx;
	if (method === 'GET' && routePath.startsWith('/suno/fetch/')) {
		const id = decodeURIComponent(routePath.slice('/suno/fetch/'.length));
		const task = state.sunoTasks.get(id);
		if (!task) return taskError(400, 'task_not_exist', 'task_not_exist');
		return answer(state, taskView(task, state));
	}
	if (method !== 'POST') return taskError(404, 'invalid_request', `Invalid URL (${method} ${routePath})`);
	if (!isObject(body)) {
		const detail = rawBody.length === 0 ? 'empty request body' : 'invalid JSON in request body';
		return taskError(400, 'invalid_request', `${detail} (request id: ${ctx.requestId})`);
	}
	if (routePath === '/suno/fetch') return fetchMany(body, state);
	if (routePath === '/suno/submit/music') return submitMusic(body, ctx);
	if (routePath === '/suno/submit/lyrics') return submitLyrics(body, ctx);
	return taskError(400, 'invalid_request', 'invalid_action');
}

function fetchMany(body: Record<string, any>, state: SandboxState): RouteResult {
	if (body.ids !== undefined && !Array.isArray(body.ids)) {
		return taskError(400, 'invalid_request', 'json: cannot unmarshal string into Go struct field .ids of type []interface {}');
	}
	const ids: unknown[] = body.ids ?? [];
	const action = typeof body.action === 'string' && body.action ? body.action.toUpperCase() : undefined;
	const tasks = ids
		.map((id) => state.sunoTasks.get(String(id)))
		.filter((task): task is SunoTask => task !== undefined && (action === undefined || task.action === action))
		// A database answers in its own order, not the order asked: clients must match by id.
		.reverse();
	return answer(state, tasks.map((task) => taskView(task, state)));
}

function taskLength(body: Record<string, any>, words: string, ctx: RouteContext): number {
	const header = ctx.headers['x-sandbox-task-ms'];
	const inWords = /\bTASK_MS=(\d+)/.exec(words)?.[1];
	const asked =
		typeof body.sandbox_task_ms === 'number'
			? body.sandbox_task_ms
			: typeof header === 'string'
				? Number(header)
				: inWords !== undefined
					? Number(inWords)
					: NaN;
	return Number.isFinite(asked) && asked >= 0 ? asked : ctx.state.sunoTaskMs;
}

function newTaskId(): string {
	return `task_${randomAlnum(32)}`;
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

function submitMusic(body: Record<string, any>, ctx: RouteContext): RouteResult {
	const { state } = ctx;
	const description = text(body.gpt_description_prompt).trim();
	const lyrics = text(body.prompt);
	const title = text(body.title).trim();
	const tags = text(body.tags).trim();
	const instrumental = body.make_instrumental === true;
	const model = text(body.mv).trim() || DEFAULT_MODEL;
	const continueClipId = text(body.continue_clip_id).trim();

	let continued: ClipPlan['continued'];
	let source: ClipPlan | undefined;
	if (continueClipId) {
		if (!text(body.task_id)) return taskError(400, 'invalid_request', 'task id is empty');
		const origin = state.sunoTasks.get(text(body.task_id));
		if (!origin) return taskError(400, 'task_origin_not_exist', 'task_origin_not_exist');
		source = origin.clips.find((clip) => clip.id === continueClipId);
		if (!source) return taskError(400, 'invalid_request', `clip ${continueClipId} is not part of task ${origin.id}`);
		if (stage(origin, Date.now()).taskStatus !== 'SUCCESS') return taskError(400, 'invalid_request', 'task status is not success');
		const at = body.continue_at;
		if (typeof at !== 'number' || !(at >= 0) || at > source.seconds) {
			return taskError(400, 'invalid_request', `continue_at must be a number of seconds from 0 to ${source.seconds}, got ${JSON.stringify(at)}`);
		}
		continued = { clipId: continueClipId, at };
	} else if (!description && !lyrics.trim() && !tags && !title) {
		return taskError(400, 'invalid_request', 'gpt_description_prompt (inspiration mode) or prompt, tags, title (custom mode) is required');
	}

	const words = [description, lyrics, title, tags].join(' ');
	const seed = description || lyrics || title || tags || continueClipId;
	const songTitle = title || source?.title || titleFrom(seed);
	const songTags = tags || source?.tags || tagsFrom(seed);
	const songLyrics = instrumental ? '' : lyrics || (continued ? '' : lyricsFrom(seed));
	const task: SunoTask = {
		id: newTaskId(),
		action: 'MUSIC',
		submittedAt: Date.now(),
		taskMs: taskLength(body, words, ctx),
		failTask: words.includes('FAIL_TASK'),
		earlySuccess: words.includes('EARLY_SUCCESS'),
		clips: [0, 1].map((index) => ({
			id: randomUUID(),
			title: songTitle,
			tags: songTags,
			lyrics: songLyrics,
			description: description || undefined,
			model,
			seconds: (continued?.at ?? 0) + 24 + 4 * index,
			doneAt: index === 0 ? FIRST_CLIP_AT : 1,
			fails: index === 1 && words.includes('FAIL_CLIP'),
			continued,
		})),
	};
	state.sunoTasks.set(task.id, task);
	return answer(state, task.id);
}

function submitLyrics(body: Record<string, any>, ctx: RouteContext): RouteResult {
	const { state } = ctx;
	const prompt = text(body.prompt).trim();
	if (!prompt) return taskError(400, 'invalid_request', 'prompt_empty');
	const task: SunoTask = {
		id: newTaskId(),
		action: 'LYRICS',
		submittedAt: Date.now(),
		taskMs: taskLength(body, prompt, ctx),
		failTask: prompt.includes('FAIL_TASK'),
		earlySuccess: false,
		clips: [],
		lyrics: { title: titleFrom(prompt), text: lyricsFrom(prompt) },
	};
	state.sunoTasks.set(task.id, task);
	return answer(state, task.id);
}

type TaskStatus = 'SUBMITTED' | 'QUEUED' | 'IN_PROGRESS' | 'SUCCESS' | 'FAILURE';
type ClipStatus = 'submitted' | 'queued' | 'streaming' | 'complete' | 'error';

interface Stage {
	fraction: number;
	taskStatus: TaskStatus;
	/** When the task reached its last status, in ms, for finished tasks. */
	finishedAt?: number;
}

function stage(task: SunoTask, now: number): Stage {
	const fraction = task.taskMs <= 0 ? 1 : Math.min(1, (now - task.submittedAt) / task.taskMs);
	const at = (share: number) => task.submittedAt + task.taskMs * share;
	if (fraction < SUBMITTED_UNTIL) return { fraction, taskStatus: 'SUBMITTED' };
	if (task.failTask) return { fraction, taskStatus: 'FAILURE', finishedAt: at(SUBMITTED_UNTIL) };
	if (fraction < QUEUED_UNTIL && task.action === 'MUSIC') return { fraction, taskStatus: 'QUEUED' };
	if (fraction >= 1) return { fraction, taskStatus: 'SUCCESS', finishedAt: at(1) };
	if (task.earlySuccess && fraction >= FIRST_CLIP_AT) return { fraction, taskStatus: 'SUCCESS', finishedAt: at(FIRST_CLIP_AT) };
	return { fraction, taskStatus: 'IN_PROGRESS' };
}

function clipStatus(task: SunoTask, clip: ClipPlan, fraction: number): ClipStatus {
	if (fraction < SUBMITTED_UNTIL) return 'submitted';
	if (task.failTask) return 'error';
	if (fraction < QUEUED_UNTIL) return 'queued';
	if (fraction < clip.doneAt) return 'streaming';
	return clip.fails ? 'error' : 'complete';
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** The task as new-api's TaskDto shows it, at this moment. */
function taskView(task: SunoTask, state: SandboxState): Record<string, unknown> {
	const now = Date.now();
	const { fraction, taskStatus, finishedAt } = stage(task, now);
	const done = finishedAt !== undefined;
	const view: Record<string, unknown> = {
		task_id: task.id,
		action: task.action,
		status: taskStatus,
		fail_reason: taskStatus === 'FAILURE' ? TASK_FAILURE : '',
		submit_time: seconds(task.submittedAt),
		start_time: fraction >= SUBMITTED_UNTIL ? seconds(task.submittedAt + task.taskMs * SUBMITTED_UNTIL) : 0,
		finish_time: done ? seconds(finishedAt) : 0,
		progress: done ? '100%' : `${Math.min(99, Math.floor(fraction * 100))}%`,
	};
	if (task.action === 'LYRICS') {
		const lyrics = task.lyrics!;
		view.data =
			taskStatus === 'SUCCESS'
				? { id: task.id, status: 'complete', title: lyrics.title, text: lyrics.text }
				: { id: task.id, status: taskStatus === 'FAILURE' ? 'error' : 'running', title: '', text: '' };
		return view;
	}
	view.data = task.clips.map((clip) => clipView(task, clip, clipStatus(task, clip, fraction), state));
	return view;
}

function clipView(task: SunoTask, clip: ClipPlan, status: ClipStatus, state: SandboxState): Record<string, unknown> {
	const files = clipFiles(state);
	const link = (name: string) => `${state.url}/files/${name}`;
	const started = status === 'streaming' || status === 'complete';
	const metadata: Record<string, unknown> = {
		tags: clip.tags,
		prompt: clip.lyrics,
		gpt_description_prompt: clip.description ?? null,
		type: 'gen',
		duration: status === 'complete' ? clip.seconds : null,
		stream: true,
		error_type: status === 'error' ? 'moderation' : null,
		error_message: status === 'error' ? (task.failTask ? TASK_FAILURE : CLIP_FAILURE) : null,
	};
	if (clip.continued) {
		metadata.history = [{ id: clip.continued.clipId, continue_at: clip.continued.at, type: 'gen', source: 'web' }];
	}
	return {
		id: clip.id,
		title: started ? clip.title : '',
		status,
		audio_url: status === 'complete' ? link(files.audio(clip)) : status === 'streaming' ? link(files.stream(clip)) : '',
		video_url: status === 'complete' ? link(files.video(clip)) : '',
		image_url: started ? link(files.cover(clip, 'small')) : null,
		image_large_url: started ? link(files.cover(clip, 'large')) : null,
		is_video_pending: status !== 'complete',
		major_model_version: clip.model.replace(/^chirp-/, '').replace(/-\d+$/, ''),
		model_name: clip.model,
		metadata,
		created_at: new Date(task.submittedAt).toISOString(),
		play_count: 0,
		upvote_count: 0,
		is_public: false,
	};
}

/** The files of a clip, made the first time a link to them is handed out; their names under /files/. */
function clipFiles(state: SandboxState) {
	const put = (name: string, make: () => Buffer, contentType: string) => {
		if (!state.files.get(name)) state.files.put(name, make(), contentType);
		return name;
	};
	const song = (clip: ClipPlan) => encodeSpeech('mp3', clip.title, clip.seconds);
	return {
		audio: (clip: ClipPlan) => put(`suno/${clip.id}.mp3`, () => song(clip), 'audio/mpeg'),
		stream: (clip: ClipPlan) =>
			put(`suno/stream/${clip.id}`, () => encodeSpeech('mp3', clip.title, clip.seconds * STREAM_SHARE), 'audio/mpeg'),
		video: (clip: ClipPlan) => put(`suno/${clip.id}.mp4`, () => videoClip('mp4'), 'video/mp4'),
		cover: (clip: ClipPlan, size: 'small' | 'large') => {
			const side = size === 'small' ? 400 : 1024;
			return state.files.generate({ format: 'jpeg', width: side, height: side, seed: clip.title, id: `suno-${size}-${clip.id}` }).name;
		},
	};
}

// ---------------------------------------------------------------- words

const MOODS = ['upbeat', 'dreamy', 'energetic', 'warm', 'playful', 'cinematic'];
const GENRES = ['pop', 'synthwave', 'acoustic folk', 'funk', 'indie rock', 'lo-fi hip hop'];

function pick<T>(list: T[], seed: string, salt: string): T {
	return list[createHash('sha256').update(salt + seed).digest()[0] % list.length];
}

const STOP_WORDS = new Set(['the', 'and', 'for', 'with', 'about', 'from', 'into', 'that', 'this', 'song', 'music', 'tune', 'some']);

/** The words that say what a text is about: no short or filler words, no sandbox switches, no numbers. */
function keyWords(seed: string): string[] {
	return seed
		.split(/[^\p{L}\p{N}_=]+/u)
		.filter((word) => word.length > 2 && !/^[A-Z_]+(=\d+)?$/.test(word) && !/^\d+$/.test(word) && !STOP_WORDS.has(word.toLowerCase()))
		.slice(0, 4);
}

/** "a jingle for the Summit Flask" -> "Jingle Summit Flask". */
function titleFrom(seed: string): string {
	const words = keyWords(seed).slice(0, 3);
	return words.length ? words.map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase()).join(' ') : 'Untitled';
}

function tagsFrom(seed: string): string {
	return `${pick(MOODS, seed, 'mood')} ${pick(GENRES, seed, 'genre')}`;
}

function lyricsFrom(seed: string): string {
	const words = keyWords(seed);
	const subject = words.join(' ') || 'this moment';
	return [
		'[Verse]',
		`Here comes ${subject}`,
		'Shining bright in the morning light',
		'',
		'[Chorus]',
		`Oh ${words[0] ?? 'yeah'}, you make it right`,
		`${subject}, all day and night`,
	].join('\n');
}
