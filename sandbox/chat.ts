/**
 * POST /v1/chat/completions with deterministic answers.
 *
 * Models: any id works (relays list hundreds and tests use arbitrary ids), except ids starting
 * with `unavailable-`, which get new-api's 503 "no channel for this model" error.
 *
 * The reply to a user message is `Sandbox reply to: <text>`, where <text> is the last user
 * message's text parts joined by a space. When that message carries images the reply gains
 * ` [images: N <kinds>]`, kinds being the MIME type of each data URL or `url` for a link,
 * comma-separated in order: e.g. `Sandbox reply to: what is this [images: 2 image/png,url]`.
 *
 * Choice i >= 1 of an n > 1 request is suffixed ` (choice i)` (in json_object mode the suffix
 * goes inside the `reply` field, so the content stays JSON; json_schema choices are identical).
 * Also driven by the request: tools -> tool calls and answers quoting their results, as an
 * agent's model (see agent.ts), response_format -> JSON (user text containing INVALID_JSON -> broken JSON), max_tokens /
 * max_completion_tokens -> truncation with finish_reason "length", model ids containing
 * `reasoner`, `-r1` or `thinking` -> reasoning_content (and, as DeepSeek, a 400 for a tool-call
 * turn sent back without it), image and video models -> DeerAPI-style Markdown with progress
 * lines and links to the files.
 * Model ids starting with `deer-quirk`, or the header `x-sandbox-quirk: 1`, add DeerAPI's
 * `"data": null, "error": {}` to a successful body.
 */
import { checkReasoningRoundTrip, planAgentStep, textOf, toolResultAnswer } from './agent';
import { newFileId } from './files';
import { randomAlnum, relayError } from './relay-errors';
import { json, type RouteResult, type StreamEvent } from './responses';
import { sampleFromSchema } from './schema-sample';
import type { RouteContext } from './state';
import { VIDEO_MIME_TYPES, videoClip, type VideoFormat } from './video-bytes';

interface ToolCall {
	id: string;
	name: string;
	arguments: string;
}

interface ChoicePlan {
	content: string | null;
	reasoning?: string;
	toolCalls?: ToolCall[];
	finishReason: 'stop' | 'length' | 'tool_calls';
}

interface Usage {
	prompt_tokens: number;
	completion_tokens: number;
	total_tokens: number;
	completion_tokens_details?: { reasoning_tokens: number };
}

export function tokensOf(text: string): number {
	return Math.ceil(text.length / 4);
}

export function isReasoningModel(model: string): boolean {
	return model.includes('reasoner') || model.includes('-r1') || model.includes('thinking');
}

export function isChatImageModel(model: string): boolean {
	return model.includes('-image') || model.startsWith('gpt-image-1');
}

/** Video models called through chat (DeerAPI's "veo3-chat" format). */
export function isChatVideoModel(model: string): boolean {
	return /veo|sora|kling|seedance|hailuo|video/.test(model);
}

export function unavailableModel(model: string, requestId: string): RouteResult {
	return json(
		503,
		relayError(
			`当前分组 default 下对于模型 ${model} 无可用渠道 (request id: ${requestId})`,
			'new_api_error',
			'model_not_found',
		),
	);
}

function isObject(value: unknown): value is Record<string, any> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function imageKinds(content: unknown): string[] {
	if (!Array.isArray(content)) return [];
	return content
		.filter((part) => isObject(part) && part.type === 'image_url')
		.map((part) => {
			const url = typeof part.image_url === 'string' ? part.image_url : part.image_url?.url;
			const dataUrl = typeof url === 'string' ? /^data:([^;,]+)[;,]/.exec(url) : null;
			return dataUrl ? dataUrl[1] : 'url';
		});
}

function requestChars(messages: unknown[]): number {
	let chars = 0;
	for (const message of messages) {
		if (!isObject(message)) continue;
		chars += textOf(message.content).length;
		if (Array.isArray(message.tool_calls)) chars += JSON.stringify(message.tool_calls).length;
	}
	return chars;
}

interface ChatRequest {
	model: string;
	messages: Record<string, any>[];
	body: Record<string, any>;
}

function validate(body: unknown, ctx: RouteContext): ChatRequest | RouteResult {
	if (!isObject(body)) {
		return json(400, relayError(`request body must be a JSON object (request id: ${ctx.requestId})`, 'invalid_request_error', 'invalid_request'));
	}
	if (typeof body.model !== 'string' || body.model === '') {
		return json(400, relayError(`field model is required (request id: ${ctx.requestId})`, 'invalid_request_error', 'invalid_request', 'model'));
	}
	if (!Array.isArray(body.messages) || body.messages.length === 0) {
		return json(400, relayError(`field messages is required (request id: ${ctx.requestId})`, 'invalid_request_error', 'invalid_request', 'messages'));
	}
	if (body.model.startsWith('unavailable-')) return unavailableModel(body.model, ctx.requestId);
	const messages = body.messages.filter(isObject);
	if (isReasoningModel(body.model)) {
		const refused = checkReasoningRoundTrip(messages, ctx);
		if (refused) return refused;
	}
	return { model: body.model, messages, body };
}

function maxTokensOf(body: Record<string, any>): number | undefined {
	const limits = [body.max_tokens, body.max_completion_tokens].filter(
		(v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0,
	);
	return limits.length > 0 ? Math.min(...limits) : undefined;
}

function imageMarkdown(prompt: string, model: string, ctx: RouteContext): string {
	const { state } = ctx;
	const ratioMatch = /\b(\d{1,2}):(\d{1,2})\b/.exec(prompt);
	const ratio = ratioMatch ? `${ratioMatch[1]}:${ratioMatch[2]}` : '1:1';
	const [rw, rh] = ratioMatch ? [Number(ratioMatch[1]) || 1, Number(ratioMatch[2]) || 1] : [1, 1];
	const width = rw >= rh ? 1024 : Math.round((1024 * rw) / rh);
	const height = rw >= rh ? Math.round((1024 * rh) / rw) : 1024;
	const image = { format: 'png' as const, width, height, seed: prompt, targetBytes: state.imageBytes };

	const first = state.files.generate(image);
	const links = [`![gen_${first.id}](${state.url}/files/${first.name})`];
	if (model.includes('gemini')) {
		const second = state.files.generate({ ...image, id: `${first.id}-b`, extension: false });
		links.push(`![gen_${second.id}](${state.url}/files/${second.name})`);
	} else if (prompt.includes('TWO_IMAGES')) {
		const second = state.files.generate({ ...image, id: `${first.id}-2` });
		links.push(`![gen_${second.id}](${state.url}/files/${second.name})`);
	}
	return [
		'```json\n' + JSON.stringify({ prompt, ratio }, null, 2) + '\n```',
		'>🕐 Queuing.',
		'>⚡ Generating..',
		`>🏃 Progress 14...37...61..[100](${state.url}/files/progress/${first.id})`,
		'> ✅ Generation complete',
		links.join('\n\n'),
	].join('\n\n');
}

/**
 * A chat video model's answer as relays give it: progress lines, then a watch and a download
 * link to the same file. The user text picks variants: WEBM / QUICKTIME (the format),
 * NO_EXTENSION (a link without one, served as application/octet-stream), BARE_URL (a bare URL
 * instead of Markdown links).
 */
function videoMarkdown(prompt: string, model: string, ctx: RouteContext): string {
	const { state } = ctx;
	const format: VideoFormat = prompt.includes('WEBM') ? 'webm' : prompt.includes('QUICKTIME') ? 'mov' : 'mp4';
	const id = newFileId();
	const noExtension = prompt.includes('NO_EXTENSION');
	const name = noExtension ? `gen/${id}` : `gen/${id}.${format}`;
	state.files.put(name, videoClip(format), noExtension ? 'application/octet-stream' : VIDEO_MIME_TYPES[format]);
	const url = `${state.url}/files/${name}`;
	const result = prompt.includes('BARE_URL')
		? `Your video is ready: ${url}`
		: `[▶️ Watch online](${url}) | [⏬ Download video](${url})`;
	return [
		'```json\n' + JSON.stringify({ prompt, model }, null, 2) + '\n```',
		'> 🕐 Queuing...',
		'> ⚡ Generating video...',
		`> 🏃 Progress 12%...48%...86%...[100%](${state.url}/files/progress/${id})`,
		'> ✅ Video generated successfully',
		result,
	].join('\n\n');
}

function planChoices(request: ChatRequest, ctx: RouteContext): ChoicePlan[] {
	const { model, messages, body } = request;
	const n = Number.isInteger(body.n) && body.n > 1 ? Math.min(body.n, 16) : 1;
	const lastUser = [...messages].reverse().find((m) => m.role === 'user');
	const userText = lastUser ? textOf(lastUser.content) : '';
	const kinds = lastUser ? imageKinds(lastUser.content) : [];
	const imageNote = kinds.length > 0 ? ` [images: ${kinds.length} ${kinds.join(',')}]` : '';
	const step = planAgentStep(messages, body);
	const thinks = isReasoningModel(model);
	const maxTokens = maxTokensOf(body);
	const format = isObject(body.response_format) ? body.response_format.type : undefined;
	const mediaAnswer =
		step.kind !== 'chat'
			? undefined
			: isChatImageModel(model)
				? imageMarkdown(userText, model, ctx)
				: isChatVideoModel(model)
					? videoMarkdown(userText, model, ctx)
					: undefined;

	const choices: ChoicePlan[] = [];
	for (let i = 0; i < n; i++) {
		const suffix = i === 0 ? '' : ` (choice ${i})`;
		if (step.kind === 'call') {
			ctx.state.toolCallCount++;
			const id = `call_${ctx.state.toolCallCount}`;
			// Each tool-call answer thinks something of its own, so a reasoning sent back with the wrong call shows.
			const reasoning = thinks ? `Thinking about: ${userText} (${step.call.name} for ${step.task}, ${id})` : undefined;
			if (reasoning !== undefined) rememberReasoning(ctx, id, reasoning);
			choices.push({
				content: null,
				reasoning,
				toolCalls: [{ id, name: step.call.name, arguments: JSON.stringify(step.call.arguments) }],
				finishReason: 'tool_calls',
			});
			continue;
		}
		const reasoning = thinks ? `Thinking about: ${userText}` : undefined;
		let content: string;
		if (step.kind === 'answer') {
			content = toolResultAnswer(step.toolResults) + suffix;
		} else if (mediaAnswer !== undefined) {
			content = mediaAnswer + suffix;
		} else if ((format === 'json_object' || format === 'json_schema') && userText.includes('INVALID_JSON')) {
			content = 'Sure! Here is your JSON: {oops';
		} else if (format === 'json_object') {
			content = JSON.stringify({ reply: `Sandbox reply to: ${userText}${imageNote}${suffix}`, model });
		} else if (format === 'json_schema') {
			const schema = body.response_format.json_schema?.schema ?? { type: 'object', properties: {} };
			content = JSON.stringify(sampleFromSchema(schema));
		} else {
			content = `Sandbox reply to: ${userText}${imageNote}${suffix}`;
		}
		let finishReason: ChoicePlan['finishReason'] = 'stop';
		if (maxTokens !== undefined && tokensOf(content) > maxTokens) {
			content = content.slice(0, maxTokens * 4);
			finishReason = 'length';
		}
		choices.push({ content, reasoning, finishReason });
	}
	return choices;
}

// A long-running sandbox (the CLI) must not grow without bound; old tool calls are long answered.
const REMEMBERED_REASONINGS = 10_000;

function rememberReasoning(ctx: RouteContext, toolCallId: string, reasoning: string): void {
	const remembered = ctx.state.reasoningByToolCall;
	remembered.set(toolCallId, reasoning);
	if (remembered.size > REMEMBERED_REASONINGS) remembered.delete(remembered.keys().next().value as string);
}

function usageOf(messages: unknown[], choices: ChoicePlan[]): Usage {
	const prompt = Math.max(1, Math.ceil(requestChars(messages) / 4));
	let completion = 0;
	let reasoning = 0;
	for (const choice of choices) {
		completion += tokensOf(choice.content ?? '');
		for (const call of choice.toolCalls ?? []) completion += tokensOf(call.name + call.arguments);
		if (choice.reasoning) reasoning += tokensOf(choice.reasoning);
	}
	completion += reasoning;
	const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
	if (reasoning > 0) usage.completion_tokens_details = { reasoning_tokens: reasoning };
	return usage;
}

function messageOf(choice: ChoicePlan): Record<string, unknown> {
	const message: Record<string, unknown> = { role: 'assistant', content: choice.content };
	if (choice.reasoning !== undefined) message.reasoning_content = choice.reasoning;
	if (choice.toolCalls) {
		message.tool_calls = choice.toolCalls.map((call) => ({
			id: call.id,
			type: 'function',
			function: { name: call.name, arguments: call.arguments },
		}));
	}
	return message;
}

function pieces(text: string, size: number): string[] {
	const out: string[] = [];
	for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
	return out;
}

function streamEvents(
	base: { id: string; created: number; model: string },
	choices: ChoicePlan[],
	usage: Usage | undefined,
	chunkSize: number,
): StreamEvent[] {
	const chunk = (choicesPart: unknown[], extra?: Record<string, unknown>): StreamEvent => ({
		data: { id: base.id, object: 'chat.completion.chunk', created: base.created, model: base.model, choices: choicesPart, ...extra },
	});
	const deltasPerChoice = choices.map((choice) => {
		const deltas: Record<string, unknown>[] = [{ role: 'assistant', content: '' }];
		for (const piece of pieces(choice.reasoning ?? '', chunkSize)) deltas.push({ reasoning_content: piece });
		for (const piece of pieces(choice.content ?? '', chunkSize)) deltas.push({ content: piece });
		(choice.toolCalls ?? []).forEach((call, index) => {
			deltas.push({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] });
			for (const piece of pieces(call.arguments, chunkSize)) {
				deltas.push({ tool_calls: [{ index, function: { arguments: piece } }] });
			}
		});
		return deltas;
	});

	const data: StreamEvent[] = [];
	const longest = Math.max(...deltasPerChoice.map((d) => d.length));
	for (let step = 0; step < longest; step++) {
		deltasPerChoice.forEach((deltas, index) => {
			if (step < deltas.length) data.push(chunk([{ index, delta: deltas[step], logprobs: null, finish_reason: null }]));
		});
	}
	choices.forEach((choice, index) => {
		data.push(chunk([{ index, delta: {}, logprobs: null, finish_reason: choice.finishReason }]));
	});
	if (usage) data.push(chunk([], { usage }));

	// Relays send keep-alive comments; one at the start and one midway makes clients skip them.
	const middle = Math.floor(data.length / 2);
	return [{ comment: 'PING' }, ...data.slice(0, middle), { comment: 'PING' }, ...data.slice(middle), { done: true }];
}

export function handleChat(body: unknown, ctx: RouteContext): RouteResult {
	const request = validate(body, ctx);
	if ('kind' in request) return request;

	const choices = planChoices(request, ctx);
	const usage = usageOf(request.messages, choices);
	const id = `chatcmpl-${randomAlnum(29)}`;
	const created = Math.floor(Date.now() / 1000);
	const { model, body: req } = request;

	if (req.stream === true) {
		const includeUsage = isObject(req.stream_options) && req.stream_options.include_usage === true;
		return { kind: 'stream', events: streamEvents({ id, created, model }, choices, includeUsage ? usage : undefined, ctx.state.streamChunkSize) };
	}

	const answer: Record<string, unknown> = {
		id,
		object: 'chat.completion',
		created,
		model,
		choices: choices.map((choice, index) => ({
			index,
			message: messageOf(choice),
			logprobs: null,
			finish_reason: choice.finishReason,
		})),
		usage,
		system_fingerprint: null,
	};
	if (model.startsWith('deer-quirk') || ctx.headers['x-sandbox-quirk'] === '1') {
		answer.data = null;
		answer.error = {};
	}
	return json(200, answer);
}
