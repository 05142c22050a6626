/**
 * Midjourney as relays sell it: midjourney-proxy's routes behind new-api.
 *
 *   POST /mj/submit/imagine | action | blend | describe | modal     -> {code, description, result, properties}
 *   GET  /mj/task/{id}/fetch                                         -> the task
 *   POST /mj/task/list-by-condition {ids}                            -> [task, ...]
 *
 * under any path prefix, with the speed prefixes /mj-relax, /mj-fast and /mj-turbo. A task runs
 * on a clock of its own (NOT_START, SUBMITTED, IN_PROGRESS with progress, then SUCCESS) whose
 * length is the request's `x-sandbox-task-ms` header, its prompt's TASK_MS=<ms> (as video tasks
 * take it) or the sandbox's (setMidjourneyTaskMs); an action takes its parent's. Pictures are real PNGs: an imagine is a 2x2 grid of four flat
 * colours, an upscale the colour of its quadrant. Switches in a prompt: MJ_FAIL, MJ_CANCEL,
 * MJ_CODE_<n>, MJ_NUMERIC_ID and the banned words (see the README).
 *
 * Errors come in the two shapes a client meets: new-api's own checks as HTTP 400
 * `{code: 4, description, type: "upstream_error"}`, the proxy's as HTTP 200 with a code other than 1.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { colourFor } from './files';
import { encodePngGrid, encodeImage, FILE_EXTENSIONS, MIME_TYPES, readImageInfo, type ImageInfo, type Rgb } from './image-bytes';
import { json, type RouteResult } from './responses';
import type { RouteContext } from './state';
import type { RecordedRequest } from './types';
import { numberWord } from './videos';

export type MidjourneySpeed = 'relax' | 'fast' | 'turbo';

export const DEFAULT_MIDJOURNEY_TASK_MS = 2000;
export const TASK_MS_HEADER = 'x-sandbox-task-ms';
export const BANNED_WORDS = ['gore', 'bloodbath'];
const NUMBER_EMOJI = ['1️⃣', '2️⃣', '3️⃣', '4️⃣'];
/** Long side of a grid; a single image (an upscale) is a quadrant of it, a 2x upscale the whole. */
const GRID_SIDE = 1024;

const ROUTE = /(?:\/mj-(relax|fast|turbo))?(\/mj\/.*)$/;

/** The Midjourney route of a path ('/openai/mj-fast/mj/submit/imagine' -> fast, '/mj/submit/imagine'). */
export function midjourneyRoute(path: string): { route: string; speed?: MidjourneySpeed } | undefined {
	const match = ROUTE.exec(path);
	return match ? { route: match[2], speed: match[1] as MidjourneySpeed | undefined } : undefined;
}

interface Aspect {
	width: number;
	height: number;
}

type Picture =
	/** Four colours from the task's id. */
	| { kind: 'grid' }
	| { kind: 'single'; colour: Rgb; scale: 1 | 2 }
	| { kind: 'described'; imageUrl: string; info: ImageInfo; prompts: string[] };

export interface MidjourneyButton {
	customId: string;
	emoji: string;
	label: string;
	type: number;
	style: number;
}

interface MidjourneyTask {
	id: string;
	action: string;
	customId: string;
	botType: string;
	prompt: string;
	promptEn: string;
	state: string;
	speed?: MidjourneySpeed;
	submitTime: number;
	/** When the job's clock started: at submit, again when a modal is answered. */
	clockStart: number;
	lengthMs: number;
	ending: 'success' | 'failure' | 'cancel';
	/** What the task in MODAL waits for, until /mj/submit/modal brings it. */
	waitsFor?: 'mask' | 'prompt';
	aspect: Aspect;
	picture: Picture;
	/** Discord's message hash, in every button's customId. */
	hash: string;
	imageUrl?: string;
}

/** Every task of a sandbox, by id. */
export class MidjourneyStore {
	readonly tasks = new Map<string, MidjourneyTask>();

	taskMs = DEFAULT_MIDJOURNEY_TASK_MS;

	private lastId = 0;

	/** midjourney-proxy's ids: 16 digits from the clock. */
	newId(): string {
		const id = Math.max(Date.now() * 1000 + Math.floor(Math.random() * 1000), this.lastId + 1);
		this.lastId = id;
		return String(id);
	}
}

// ---------------------------------------------------------------- answers

/** new-api's own refusal, before anything reaches the proxy. */
function relayRefusal(description: string): RouteResult {
	return json(400, { code: 4, description, type: 'upstream_error' });
}

const INSTANCE = { discordInstanceId: '1212121212121212121', discordChannelId: '1313131313131313131' };

/** The proxy's answer to a submit: HTTP 200 whatever the code. */
function submitAnswer(code: number, description: string, result: string | number | null, properties: object = {}): RouteResult {
	return json(200, { code, description, result, properties: { ...INSTANCE, ...properties } });
}

function proxyRefusal(description: string): RouteResult {
	return submitAnswer(4, description, null);
}

// ---------------------------------------------------------------- routing

export function handleMidjourney(
	method: string,
	route: { route: string; speed?: MidjourneySpeed },
	recorded: RecordedRequest,
	ctx: RouteContext,
): RouteResult {
	const store = ctx.state.midjourney;
	const path = route.route;
	const fetch = /^\/mj\/task\/([^/]+)\/fetch$/.exec(path);
	if (method === 'GET' && fetch) {
		const task = store.tasks.get(decodeURIComponent(fetch[1]));
		return task ? json(200, view(task, ctx)) : relayRefusal('task_no_found');
	}
	if (method !== 'POST') return json(404, { code: 4, description: `Invalid URL (${method} ${recorded.path})`, type: 'upstream_error' });
	const body = recorded.body;
	if (typeof body !== 'object' || body === null || Array.isArray(body)) return relayRefusal('bind_request_body_failed');
	const submit = { body: body as Record<string, unknown>, speed: route.speed, recorded, ctx };
	switch (path) {
		case '/mj/submit/imagine':
			return imagine(submit);
		case '/mj/submit/action':
			return action(submit);
		case '/mj/submit/blend':
			return blend(submit);
		case '/mj/submit/describe':
			return describe(submit);
		case '/mj/submit/modal':
			return modal(submit);
		case '/mj/task/list-by-condition': {
			const ids: string[] = Array.isArray(body.ids) ? body.ids.map(String) : [];
			return json(200, ids.flatMap((id) => (store.tasks.has(id) ? [view(store.tasks.get(id)!, ctx)] : [])));
		}
	}
	return json(404, { code: 4, description: `Invalid URL (${method} ${recorded.path})`, type: 'upstream_error' });
}

interface Submit {
	body: Record<string, unknown>;
	speed?: MidjourneySpeed;
	recorded: RecordedRequest;
	ctx: RouteContext;
}

function requestedLength(submit: Submit): number | undefined {
	const header = submit.recorded.headers[TASK_MS_HEADER];
	const value = Number(typeof header === 'string' ? header : undefined);
	return Number.isFinite(value) && value >= 0 ? value : undefined;
}

type TaskFields = Pick<MidjourneyTask, 'action' | 'customId' | 'prompt' | 'promptEn' | 'aspect' | 'picture'> &
	Partial<Pick<MidjourneyTask, 'botType' | 'lengthMs' | 'waitsFor'>>;

/** A new task, answered with the code its prompt asks for (MJ_CODE_21, MJ_CODE_22; 1 otherwise). */
function start(submit: Submit, fields: TaskFields): RouteResult {
	const store = submit.ctx.state.midjourney;
	const now = Date.now();
	const switches = fields.prompt;
	const task: MidjourneyTask = {
		botType: 'MID_JOURNEY',
		state: typeof submit.body.state === 'string' ? submit.body.state : '',
		speed: submit.speed,
		lengthMs: requestedLength(submit) ?? numberWord(fields.prompt, 'TASK_MS') ?? store.taskMs,
		ending: switches.includes('MJ_FAIL') ? 'failure' : switches.includes('MJ_CANCEL') ? 'cancel' : 'success',
		...fields,
		id: store.newId(),
		submitTime: now,
		clockStart: now,
		hash: randomUUID(),
	};
	store.tasks.set(task.id, task);
	const result = switches.includes('MJ_NUMERIC_ID') ? Number(task.id) : task.id;
	const code = Number(/\bMJ_CODE_(\d+)\b/.exec(switches)?.[1] ?? 1);
	if (code === 21) return submitAnswer(21, '任务已存在', result, { status: 'SUBMITTED' });
	if (code === 22) return submitAnswer(22, '排队中，前面还有1个任务', result, { numberOfQueues: 1 });
	return submitAnswer(1, '提交成功', result);
}

/** Prompt switches that refuse the submit: MJ_CODE_23 / 24 / n and the banned words. */
function refusedPrompt(prompt: string): RouteResult | undefined {
	const banned = BANNED_WORDS.find((word) => new RegExp(`\\b${word}\\b`, 'i').test(prompt));
	const code = Number(/\bMJ_CODE_(\d+)\b/.exec(prompt)?.[1] ?? (banned ? 24 : 1));
	if (code === 1 || code === 21 || code === 22) return undefined;
	if (code === 23) return submitAnswer(23, '队列已满，请稍后尝试', null, { numberOfQueues: 10 });
	if (code === 24) return submitAnswer(24, '可能包含敏感词', null, { promptEn: prompt, bannedWord: banned ?? 'MJ_CODE_24' });
	return submitAnswer(code, `Sandbox: the submit was refused with code ${code} (MJ_CODE_${code} in the prompt)`, null);
}

// ---------------------------------------------------------------- submits

function imagine(submit: Submit): RouteResult {
	const { body, ctx } = submit;
	if (typeof body.prompt !== 'string' || body.prompt.trim() === '') return relayRefusal('prompt_is_required');
	const botType = body.botType ?? 'MID_JOURNEY';
	if (botType !== 'MID_JOURNEY' && botType !== 'NIJI_JOURNEY') return proxyRefusal('botType参数错误');
	const images = readImages(body.base64Array ?? [], ctx);
	if (!images) return proxyRefusal('base64格式错误');
	const refused = refusedPrompt(body.prompt);
	if (refused) return refused;
	// The proxy uploads the images to Discord and puts their links in front of the prompt.
	const promptEn = [...images.map((image) => image.url), body.prompt.trim()].join(' ');
	return start(submit, {
		action: 'IMAGINE',
		customId: '',
		botType,
		prompt: body.prompt,
		promptEn,
		aspect: aspectOf(body.prompt),
		picture: { kind: 'grid' },
	});
}

const DIMENSIONS: Record<string, Aspect> = {
	PORTRAIT: { width: 2, height: 3 },
	SQUARE: { width: 1, height: 1 },
	LANDSCAPE: { width: 3, height: 2 },
};

function blend(submit: Submit): RouteResult {
	const { body, ctx } = submit;
	const list = body.base64Array;
	if (!Array.isArray(list) || list.length < 2 || list.length > 5) return proxyRefusal('base64List参数错误');
	const images = readImages(list, ctx);
	if (!images) return proxyRefusal('base64格式错误');
	const dimensions = body.dimensions ?? 'SQUARE';
	const aspect = DIMENSIONS[String(dimensions)];
	if (!aspect) return proxyRefusal('dimensions参数错误');
	return start(submit, {
		action: 'BLEND',
		customId: '',
		prompt: '',
		promptEn: `${images.map((image) => image.url).join(' ')} --ar ${aspect.width}:${aspect.height}`,
		aspect,
		picture: { kind: 'grid' },
	});
}

function describe(submit: Submit): RouteResult {
	const { body, ctx } = submit;
	const images = typeof body.base64 === 'string' ? readImages([body.base64], ctx) : undefined;
	if (!images) return proxyRefusal('base64格式错误');
	const [image] = images;
	const ratio = reduceRatio(image.info.width, image.info.height);
	const prompts = [
		`a flat field of one colour, minimal ${image.info.format} study --ar ${ratio}`,
		`an empty studio backdrop in a single tone, soft light --ar ${ratio}`,
		`monochrome colour swatch, ${image.info.width} by ${image.info.height} pixels, product photography --ar ${ratio}`,
		`abstract minimalism, a plain surface without texture, matte finish --ar ${ratio}`,
	];
	return start(submit, {
		action: 'DESCRIBE',
		customId: '',
		prompt: '',
		promptEn: '',
		aspect: { width: image.info.width, height: image.info.height },
		picture: { kind: 'described', imageUrl: image.url, info: image.info, prompts },
	});
}

/** What pressing a button makes, by its customId. */
interface ButtonEffect {
	action: string;
	picture: (parent: MidjourneyTask) => Picture;
	waitsFor?: 'mask' | 'prompt';
	/** Describe's 1️⃣-4️⃣: imagine the prompt. */
	prompt?: (parent: MidjourneyTask) => string;
}

const grid = (): Picture => ({ kind: 'grid' });

const BUTTON_EFFECTS: Array<[RegExp, (match: RegExpExecArray) => ButtonEffect]> = [
	[
		/^MJ::JOB::upsample::([1-4])::/,
		(m) => ({
			action: 'UPSCALE',
			picture: (parent) => ({ kind: 'single', colour: colours(parent)[Number(m[1]) - 1], scale: 1 }),
		}),
	],
	[
		/^MJ::JOB::upsample_v\d+_2x_(subtle|creative)::/,
		() => ({ action: 'UPSCALE', picture: (parent) => ({ kind: 'single', colour: colours(parent)[0], scale: 2 }) }),
	],
	[/^MJ::JOB::variation::[1-4]::/, () => ({ action: 'VARIATION', picture: grid })],
	[/^MJ::JOB::(low|high)_variation::/, () => ({ action: 'VARIATION', picture: grid })],
	[/^MJ::JOB::reroll::/, () => ({ action: 'REROLL', picture: grid })],
	[/^MJ::Outpaint::\d+::/, () => ({ action: 'ZOOM', picture: grid })],
	[/^MJ::JOB::pan_(left|right|up|down)::/, () => ({ action: 'PAN', picture: grid })],
	[/^MJ::Inpaint::/, () => ({ action: 'INPAINT', picture: grid, waitsFor: 'mask' })],
	[/^MJ::CustomZoom::/, () => ({ action: 'ZOOM', picture: grid, waitsFor: 'prompt' })],
	[
		/^MJ::Job::PicReader::([1-4])$/,
		(m) => ({
			action: 'IMAGINE',
			picture: grid,
			prompt: (parent) => (parent.picture.kind === 'described' ? parent.picture.prompts[Number(m[1]) - 1] : parent.prompt),
		}),
	],
];

function action(submit: Submit): RouteResult {
	const { body, ctx } = submit;
	const store = ctx.state.midjourney;
	const taskId = body.taskId === undefined || body.taskId === null ? '' : String(body.taskId);
	if (!taskId) return relayRefusal('task_id_is_required');
	if (typeof body.customId !== 'string' || body.customId === '') return relayRefusal('custom_id_is_required');
	const parent = store.tasks.get(taskId);
	if (!parent) return relayRefusal('task_not_found');
	if (status(parent, Date.now()).status !== 'SUCCESS') return relayRefusal('task_status_not_success');
	if (!buttonsOf(parent).some((button) => button.customId === body.customId)) return proxyRefusal('customId参数错误');
	const entry = BUTTON_EFFECTS.map(([pattern, effect]) => [pattern.exec(body.customId as string), effect] as const).find(([m]) => m);
	if (!entry) return proxyRefusal(`Sandbox: the button ${body.customId} does nothing here`);
	const effect = entry[1](entry[0]!);
	const prompt = effect.prompt ? effect.prompt(parent) : parent.prompt;
	return start(submit, {
		action: effect.action,
		customId: body.customId,
		botType: parent.botType,
		prompt,
		promptEn: effect.prompt ? prompt : parent.promptEn,
		lengthMs: requestedLength(submit) ?? parent.lengthMs,
		waitsFor: effect.waitsFor,
		aspect: effect.prompt ? aspectOf(prompt) : parent.aspect,
		picture: effect.picture(parent),
	});
}

function modal(submit: Submit): RouteResult {
	const { body, ctx } = submit;
	const taskId = body.taskId === undefined || body.taskId === null ? '' : String(body.taskId);
	if (!taskId) return relayRefusal('task_id_is_required');
	const task = ctx.state.midjourney.tasks.get(taskId);
	if (!task) return relayRefusal('task_not_found');
	const now = Date.now();
	const current = status(task, now).status;
	if (current !== 'MODAL') return proxyRefusal(`任务状态错误: the task is ${current}, not MODAL`);
	if (task.waitsFor === 'mask') {
		const mask = typeof body.maskBase64 === 'string' ? readImages([body.maskBase64], ctx) : undefined;
		if (!mask) return proxyRefusal('maskBase64参数错误');
	}
	const prompt = typeof body.prompt === 'string' ? body.prompt.trim() : '';
	if (task.waitsFor === 'prompt' && !prompt) return proxyRefusal('prompt参数错误');
	if (prompt) {
		task.prompt = prompt;
		task.promptEn = prompt;
	}
	task.waitsFor = undefined;
	task.clockStart = now;
	return submitAnswer(1, '提交成功', task.id);
}

// ---------------------------------------------------------------- the task as fetched

interface Phase {
	status: string;
	progress: number;
	startTime: number;
	finishTime: number;
}

function status(task: MidjourneyTask, now: number): Phase {
	const elapsed = now - task.clockStart;
	const at = (fraction: number) => task.clockStart + Math.round(task.lengthMs * fraction);
	const done = task.lengthMs <= 0 ? 1 : elapsed / task.lengthMs;
	if (done < 0.05) return { status: 'NOT_START', progress: 0, startTime: 0, finishTime: 0 };
	if (done < 0.15) return { status: 'SUBMITTED', progress: 0, startTime: 0, finishTime: 0 };
	if (task.waitsFor) return { status: 'MODAL', progress: 0, startTime: 0, finishTime: 0 };
	if (task.ending !== 'success' && done >= 0.5) {
		return { status: task.ending === 'failure' ? 'FAILURE' : 'CANCEL', progress: 50, startTime: at(0.15), finishTime: at(0.5) };
	}
	if (done < 1) return { status: 'IN_PROGRESS', progress: Math.floor(done * 100), startTime: at(0.15), finishTime: 0 };
	return { status: 'SUCCESS', progress: 100, startTime: at(0.15), finishTime: at(1) };
}

function view(task: MidjourneyTask, ctx: RouteContext): Record<string, unknown> {
	const phase = status(task, Date.now());
	const success = phase.status === 'SUCCESS';
	const image = success ? finishedImage(task, ctx) : undefined;
	const described = task.picture.kind === 'described' ? task.picture : undefined;
	const prompt = described && success ? described.prompts.map((text, i) => `${NUMBER_EMOJI[i]} ${text}`).join('\n\n') : task.prompt;
	const failed = phase.status === 'FAILURE' || phase.status === 'CANCEL';
	return {
		id: task.id,
		action: task.action,
		customId: task.customId,
		botType: task.botType,
		prompt,
		promptEn: described && success ? prompt : task.promptEn,
		description: phase.status === 'MODAL' ? 'Waiting for window confirm' : success ? 'Task finished' : 'Submit success',
		state: task.state,
		submitTime: task.submitTime,
		startTime: phase.startTime,
		finishTime: phase.finishTime,
		imageUrl: image?.url ?? '',
		status: phase.status,
		progress: `${phase.progress}%`,
		failReason: failed
			? task.ending === 'failure'
				? '[Invalid parameter] Sandbox: Midjourney refused the job (MJ_FAIL in the prompt)'
				: 'Sandbox: the job was cancelled (MJ_CANCEL in the prompt)'
			: '',
		...(image ? { imageWidth: image.width, imageHeight: image.height } : {}),
		buttons: success ? buttonsOf(task) : [],
		properties: { ...INSTANCE, finalPrompt: described && success ? prompt : task.promptEn, finalZhPrompt: '' },
	};
}

// ---------------------------------------------------------------- pictures and buttons

function colours(task: MidjourneyTask): [Rgb, Rgb, Rgb, Rgb] {
	const picture = task.picture;
	if (picture.kind === 'single') return [picture.colour, picture.colour, picture.colour, picture.colour];
	return [0, 1, 2, 3].map((i) => colourFor(`${task.id}:${i}`)) as [Rgb, Rgb, Rgb, Rgb];
}

function gridSize(aspect: Aspect): { width: number; height: number } {
	const scale = GRID_SIDE / Math.max(aspect.width, aspect.height);
	return { width: Math.max(2, Math.round(aspect.width * scale)), height: Math.max(2, Math.round(aspect.height * scale)) };
}

/** The finished task's picture, made and stored at the first fetch that sees it done. */
function finishedImage(task: MidjourneyTask, ctx: RouteContext): { url: string; width: number; height: number } {
	const { picture } = task;
	if (picture.kind === 'described') {
		return { url: picture.imageUrl, width: picture.info.width, height: picture.info.height };
	}
	const full = gridSize(task.aspect);
	const size =
		picture.kind === 'single' && picture.scale === 1
			? { width: Math.round(full.width / 2), height: Math.round(full.height / 2) }
			: full;
	if (!task.imageUrl) {
		const name = `mj/${task.id}.png`;
		const bytes =
			picture.kind === 'grid'
				? encodePngGrid(size.width, size.height, colours(task))
				: encodeImage('png', { ...size, rgb: picture.colour });
		ctx.state.files.put(name, bytes, 'image/png');
		task.imageUrl = discordLink(`${ctx.state.url}/files/${name}`);
	}
	return { url: task.imageUrl, ...size };
}

/** A link the way Discord's CDN signs them: it expires (`ex`, hex seconds) a day after it is made. */
function discordLink(url: string): string {
	const now = Math.floor(Date.now() / 1000);
	return `${url}?ex=${(now + 86_400).toString(16)}&is=${now.toString(16)}&hm=${randomBytes(32).toString('hex')}&`;
}

function button(customId: string, label: string, emoji = ''): MidjourneyButton {
	return { customId, emoji, label, type: 2, style: 2 };
}

function buttonsOf(task: MidjourneyTask): MidjourneyButton[] {
	const { hash, picture } = task;
	if (picture.kind === 'described') {
		return [
			...NUMBER_EMOJI.map((emoji, i) => button(`MJ::Job::PicReader::${i + 1}`, '', emoji)),
			button('MJ::Picread::Retry', '', '🔄'),
		];
	}
	if (picture.kind === 'grid') {
		return [
			...[1, 2, 3, 4].map((i) => button(`MJ::JOB::upsample::${i}::${hash}`, `U${i}`)),
			button(`MJ::JOB::reroll::0::${hash}::SOLO`, '', '🔄'),
			...[1, 2, 3, 4].map((i) => button(`MJ::JOB::variation::${i}::${hash}`, `V${i}`)),
		];
	}
	return [
		...(picture.scale === 1
			? [
					button(`MJ::JOB::upsample_v6_2x_subtle::1::${hash}::SOLO`, 'Upscale (Subtle)'),
					button(`MJ::JOB::upsample_v6_2x_creative::1::${hash}::SOLO`, 'Upscale (Creative)'),
				]
			: []),
		button(`MJ::JOB::low_variation::1::${hash}::SOLO`, 'Vary (Subtle)', '🪄'),
		button(`MJ::JOB::high_variation::1::${hash}::SOLO`, 'Vary (Strong)', '🪄'),
		button(`MJ::Inpaint::1::${hash}::SOLO`, 'Vary (Region)', '🖌️'),
		button(`MJ::Outpaint::50::1::${hash}::SOLO`, 'Zoom Out 2x', '🔍'),
		button(`MJ::Outpaint::75::1::${hash}::SOLO`, 'Zoom Out 1.5x', '🔍'),
		button(`MJ::CustomZoom::${hash}`, 'Custom Zoom', '🔍'),
		button(`MJ::JOB::pan_left::1::${hash}::SOLO`, '', '⬅️'),
		button(`MJ::JOB::pan_right::1::${hash}::SOLO`, '', '➡️'),
		button(`MJ::JOB::pan_up::1::${hash}::SOLO`, '', '⬆️'),
		button(`MJ::JOB::pan_down::1::${hash}::SOLO`, '', '⬇️'),
	];
}

// ---------------------------------------------------------------- inputs

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+);base64,([A-Za-z0-9+/=\s]+)$/;

/** Data-URL images as the proxy takes them, stored so that they have a link; undefined if any is not one. */
function readImages(list: unknown, ctx: RouteContext): Array<{ url: string; info: ImageInfo }> | undefined {
	if (!Array.isArray(list)) return undefined;
	const images: Array<{ url: string; info: ImageInfo }> = [];
	for (const entry of list) {
		const match = typeof entry === 'string' ? DATA_URL.exec(entry) : null;
		if (!match) return undefined;
		const bytes = Buffer.from(match[2], 'base64');
		const info = readImageInfo(bytes);
		if (!info) return undefined;
		const name = `mj/uploads/${randomUUID()}.${FILE_EXTENSIONS[info.format]}`;
		ctx.state.files.put(name, bytes, MIME_TYPES[info.format]);
		images.push({ url: `${ctx.state.url}/files/${name}`, info });
	}
	return images;
}

/** The shape `--ar W:H` (or `--aspect`) asks for; square without one. */
function aspectOf(prompt: string): Aspect {
	const match = /--(?:ar|aspect)\s+(\d+)\s*:\s*(\d+)/.exec(prompt);
	const width = Number(match?.[1] ?? 1);
	const height = Number(match?.[2] ?? 1);
	return width > 0 && height > 0 ? { width, height } : { width: 1, height: 1 };
}

function reduceRatio(width: number, height: number): string {
	const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
	const d = gcd(width, height) || 1;
	return `${width / d}:${height / d}`;
}
