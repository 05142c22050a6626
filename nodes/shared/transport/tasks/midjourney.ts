import { wrongShape } from '../answers';
import type { Received } from '../bodies';
import type { RelayClient } from '../client';
import { RelayApiError } from '../errors';
import { requestIdHeader } from '../headers';
import type { CallOptions } from '../client-types';
import { retryDelayMs, sleep, type RetryPolicy } from '../retry';
import { asText, isHttpUrl, isRecord } from '../text';
import { normaliseStatus, readProgress, stateOf, taskTimestamp } from './status';
import type { TaskKind, TaskSnapshot } from './types';

/**
 * Midjourney on a relay, in midjourney-proxy's format (new-api and DeerAPI keep it):
 * POST /mj/submit/{imagine|action|blend|describe|modal} (JSON) answers {code, description,
 * result: "<task id>", properties}; GET /mj/task/{id}/fetch answers the task. The speed is a path
 * prefix of the submit: /mj-relax/mj/..., /mj-fast/mj/..., /mj-turbo/mj/...; polls need none.
 */
export type MidjourneyRoute = 'imagine' | 'action' | 'blend' | 'describe' | 'modal';

export type MidjourneySpeed = 'relax' | 'fast' | 'turbo';

export interface MidjourneySubmit {
	route: MidjourneyRoute;
	body: Record<string, unknown>;
	/** Unset: the relay's default route. */
	speed?: MidjourneySpeed;
}

/** The submit codes: 1 submitted; 21 (exists) and 22 (queued) are submitted too; 23 queue full; 24 banned prompt. */
const SUBMITTED_CODES = new Set([1, 21, 22]);
const QUEUE_FULL = 23;
const BANNED_PROMPT = 24;

/** How often and how long a submit answered "queue full" (23) is tried again before it fails. */
export interface QueueFullPolicy {
	retries: number;
	initialDelayMs: number;
	maxDelayMs: number;
}

// Midjourney's own queue drains as jobs finish, in tens of seconds: 2, 4, 8, 15 s (about half a minute).
export const DEFAULT_QUEUE_FULL_POLICY: QueueFullPolicy = { retries: 4, initialDelayMs: 2000, maxDelayMs: 15_000 };

export interface MidjourneyKindOptions {
	queueFull?: QueueFullPolicy;
	/** Told before each wait after a 23. */
	onQueueFull?: (info: { retry: number; delayMs: number }) => void;
	/** For tests: the jitter of back-offs. */
	random?: () => number;
}

/** What a submit answered: a task to wait for, or a full queue to try again later. */
type SubmitAnswer = { snapshot: TaskSnapshot } | { queueFull: RelayApiError };

export function midjourneyTaskKind(options: MidjourneyKindOptions = {}): TaskKind<MidjourneySubmit> {
	const policy = options.queueFull ?? DEFAULT_QUEUE_FULL_POLICY;
	const backoff: RetryPolicy = { maxRetries: policy.retries, initialDelayMs: policy.initialDelayMs, maxDelayMs: policy.maxDelayMs };
	return {
		name: 'Midjourney',
		async submit(client: RelayClient, request: MidjourneySubmit, callOptions: CallOptions): Promise<TaskSnapshot> {
			const endpoint = `${request.speed ? `/mj-${request.speed}` : ''}/mj/submit/${request.route}`;
			for (let retry = 0; ; retry++) {
				const { body } = await client.requestJson({ method: 'POST', endpoint, json: request.body }, readSubmitAnswer, callOptions);
				if ('snapshot' in body) return body.snapshot;
				body.queueFull.attempts = retry + 1;
				if (retry >= policy.retries) throw body.queueFull;
				const delayMs = retryDelayMs(retry, backoff, undefined, options.random);
				options.onQueueFull?.({ retry: retry + 1, delayMs });
				await sleep(delayMs, callOptions.signal);
			}
		},
		async poll(client: RelayClient, id: string, callOptions: CallOptions): Promise<TaskSnapshot> {
			const endpoint = `/mj/task/${encodeURIComponent(id)}/fetch`;
			return (await client.requestJson({ method: 'GET', endpoint }, readMidjourneyTask, callOptions)).body;
		},
	};
}

/** A submit's answer: the task id of codes 1, 21 and 22; a full queue (23); any other code is the relay's refusal. */
export function readSubmitAnswer(body: unknown, received: Received): SubmitAnswer {
	const code = isRecord(body) ? Number(body.code) : NaN;
	if (!isRecord(body) || !Number.isInteger(code)) throw wrongShape(body, received, 'The Midjourney submit answer has no "code"');
	const description = asText(body.description)?.trim();
	const properties = isRecord(body.properties) ? body.properties : {};
	if (SUBMITTED_CODES.has(code)) {
		// Relays send the id as a string; some as a number (16 digits fit a double exactly).
		const id = asText(body.result)?.trim();
		if (!id) throw wrongShape(body, received, `The Midjourney submit answer (code ${code}) has no task id in "result"`);
		return { snapshot: { id, status: 'queued', state: 'pending', body } };
	}
	const refusal = (relayMessage: string, param?: string) =>
		new RelayApiError({
			status: received.status,
			relayMessage,
			relayCode: String(code),
			param,
			requestId: requestIdHeader(received.headers),
		});
	if (code === QUEUE_FULL) return { queueFull: refusal(`Midjourney's queue is full: code 23${description ? ` (${description})` : ''}`) };
	if (code === BANNED_PROMPT) {
		const word = asText(properties.bannedWord);
		const banned = word ? `it contains the banned word "${word}"` : 'it may contain a banned word';
		throw refusal(`Midjourney refused the prompt: ${banned} (code 24${description ? `: ${description}` : ''})`, 'prompt');
	}
	throw refusal(`Midjourney refused the submit: code ${code}${description ? `: ${description}` : ''}`);
}

/** A task as /mj/task/{id}/fetch (or list-by-condition) answers it; an answer that is no task throws. */
export function readMidjourneyTask(body: unknown, received: Received): TaskSnapshot {
	const id = isRecord(body) ? asText(body.id)?.trim() : undefined;
	if (!isRecord(body) || !id) {
		const problem = body === null || body === undefined ? 'The relay answered no Midjourney task (null)' : 'The Midjourney task answer has no "id"';
		throw wrongShape(body, received, problem);
	}
	const relayStatus = asText(body.status);
	// MODAL (Vary (Region), Custom Zoom, remix): the task waits for /mj/submit/modal, not for time.
	const status = relayStatus?.trim().toUpperCase() === 'MODAL' ? 'needs_input' : normaliseStatus(relayStatus);
	const state = stateOf(status);
	return {
		id,
		status,
		state,
		relayStatus,
		progress: readProgress(body.progress),
		failure: state === 'failed' ? (asText(body.failReason) ?? asText(body.description)) : undefined,
		body,
	};
}

export interface MidjourneyButton {
	customId: string;
	label: string;
	emoji: string;
}

/** What the output tells of a Midjourney task, as far as the relay said it. */
export interface MidjourneyDetails {
	action?: string;
	prompt?: string;
	promptEn?: string;
	description?: string;
	failReason?: string;
	imageUrl?: string;
	imageWidth?: number;
	imageHeight?: number;
	botType?: string;
	/** The caller's own `state`, echoed. */
	state?: string;
	/** The customId of the button that made this task. */
	customId?: string;
	buttons: MidjourneyButton[];
	submitTime?: string;
	startTime?: string;
	finishTime?: string;
	/** The relay's `properties` (finalPrompt, ...). */
	properties?: Record<string, unknown>;
}

export function midjourneyDetails(snapshot: TaskSnapshot): MidjourneyDetails {
	const task = isRecord(snapshot.body) ? snapshot.body : {};
	const text = (value: unknown) => asText(value)?.trim() || undefined;
	const imageUrl = text(task.imageUrl);
	const details: MidjourneyDetails = {
		action: text(task.action),
		prompt: text(task.prompt),
		promptEn: text(task.promptEn),
		description: text(task.description),
		failReason: text(task.failReason),
		imageUrl: imageUrl && isHttpUrl(imageUrl) ? imageUrl : undefined,
		imageWidth: dimension(task.imageWidth),
		imageHeight: dimension(task.imageHeight),
		botType: text(task.botType),
		state: text(task.state),
		customId: text(task.customId),
		buttons: Array.isArray(task.buttons) ? task.buttons.flatMap(readButton) : [],
		submitTime: taskTimestamp(task.submitTime),
		startTime: taskTimestamp(task.startTime),
		finishTime: taskTimestamp(task.finishTime),
		properties: isRecord(task.properties) && Object.keys(task.properties).length > 0 ? task.properties : undefined,
	};
	for (const key of Object.keys(details) as Array<keyof MidjourneyDetails>) if (details[key] === undefined) delete details[key];
	return details;
}

function readButton(value: unknown): MidjourneyButton[] {
	if (!isRecord(value)) return [];
	const customId = asText(value.customId)?.trim();
	if (!customId) return [];
	return [{ customId, label: asText(value.label)?.trim() ?? '', emoji: asText(value.emoji)?.trim() ?? '' }];
}

/**
 * Describe's four prompts: `prompt` (or `properties.finalPrompt`, or `promptEn`) holds them as
 * "1️⃣ first --ar 4:3\n\n2️⃣ second ...". Each without its number.
 */
export function describedPrompts(details: MidjourneyDetails): string[] {
	const text = [details.prompt, asText(details.properties?.finalPrompt), details.promptEn].find((value) => value && /\S/.test(value));
	if (!text) return [];
	return text
		.split(/\n\s*\n|\n(?=\s*(?:[1-9]\uFE0F?\u20E3|[1-9][.)]))/)
		.map((part) => part.replace(/^\s*(?:[1-9]\uFE0F?\u20E3|[1-9][.)])\s*/, '').trim())
		.filter(Boolean);
}

function dimension(value: unknown): number | undefined {
	const number = Number(value);
	return value !== null && value !== '' && Number.isInteger(number) && number > 0 ? number : undefined;
}
