import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

import { NotMediaError } from '../transport/file-types';
import {
	describeStatus,
	formatBytes,
	RelayApiError,
	RelayDownloadError,
	RelayError,
	RelayResponseError,
	RelayTaskError,
	truncate,
} from '../transport';

export type NodeError = NodeApiError | NodeOperationError;

/**
 * What the run that failed was set to, as far as its error speaks of it: a hint names only a
 * setting the user has where the error happened, and states the facts of the call (attempts,
 * streaming, timeout) as they were; a streaming caller reads the error in the description.
 */
export interface RunSettings {
	/** Requests the run sent at once (its "Max Concurrent Requests"); lowering it is advised above 1 only. */
	concurrency?: number;
	/** Where the user has the Timeout and Max Retries options (every node, the Chat Model); the model picker has not. */
	tunable?: boolean;
	/** The option that bounds a download, where it is not "Timeout" (Chat's "Download Timeout (Seconds)"). */
	downloadTimeoutOption?: string;
	/**
	 * The run answers a streaming caller (a Webhook or Chat Trigger set to stream): n8n sends such a
	 * caller a failed node's description alone, so the description then starts with the message.
	 */
	streaming?: boolean;
}

type Hint = (error: RelayError, settings: RunSettings) => string | undefined;

// What the user can do about each status, in their words. The relay's own message stays the message.
const STATUS_HINTS: Record<number, Hint> = {
	400: (error) =>
		error instanceof RelayApiError && error.param
			? `The relay rejected the "${error.param}" parameter: some models accept fewer options than others.`
			: 'The relay rejected the request. Check the parameter its message names; some models accept fewer options than others.',
	401: () => 'Check the API key in the DeerAPI credential. An expired key or a used-up quota also answers 401.',
	402: () => 'The account has no balance left.',
	403: () => 'The key may not be allowed to use this model, or its quota is used up.',
	404: (error) =>
		error.endpoint === 'models'
			? 'Check the Base URL (e.g. https://api.deerapi.com): the relay lists no models there.'
			: 'Check the model ID and the Base URL (e.g. https://api.deerapi.com).',
	413: (error) => TOO_LARGE[error.endpoint ?? ''] ?? 'The request is too large for the relay.',
	429: (_error, settings) => {
		if (settings.tunable === false) return 'The relay is rate limiting: wait a moment and open the list again.';
		if ((settings.concurrency ?? 1) > 1) {
			return `The relay is rate limiting: lower "Max Concurrent Requests" (${settings.concurrency} now) or raise "Max Retries".`;
		}
		return 'The relay is rate limiting: raise "Max Retries", or wait before running again.';
	},
	500: () => 'The relay or the model provider failed. Try again later.',
	502: () => 'The relay could not reach the model provider. Try again later.',
	503: () => 'No channel is available for this model right now, or the relay is overloaded.',
	504: (error) =>
		error.streamed === false
			? 'The model provider took too long. Turn streaming on: it keeps long answers alive.'
			: 'The model provider took too long. Try again later.',
};

// A 413 by what the endpoint carries.
const TOO_LARGE: Record<string, string> = {
	'chat/completions': 'The request is too large: send smaller or fewer images, or a shorter conversation.',
	'images/generations': 'The request is too large: send smaller or fewer reference images.',
	'images/edits': 'The request is too large: send smaller or fewer images.',
	'audio/transcriptions': 'The audio file is too large for the relay: send a shorter or more compressed recording.',
	'audio/translations': 'The audio file is too large for the relay: send a shorter or more compressed recording.',
	'audio/speech': 'The text is too long for the relay: send less at a time.',
	embeddings: 'The request is too large: lower "Batch Size" or "Max Characters per Request".',
};

// What the user can do about an answer that came back (status known) but cannot be used, by kind.
const ANSWER_HINTS: Partial<Record<RelayError['kind'], string>> = {
	api: 'The relay reported an error inside its answer.',
	redirect:
		'API calls are not redirected, so that the key goes only to the address you entered: change the Base URL in the DeerAPI credential.',
	response: 'The relay accepted the request but did not send a usable answer. Try again, or another model.',
	json: 'The relay sent a broken answer. Try again; if it keeps happening, the relay or a proxy in front of it is at fault.',
	html: 'Check the Base URL: it may point to a web page or a proxy instead of the relay API.',
	empty: 'Check the Base URL: it may point to a web page or a proxy instead of the relay API.',
	text: 'Check the Base URL: it may point to a web page or a proxy instead of the relay API.',
};

// What the user can do about a call that got no answer in time: only where Timeout is an option.
const OPERATION_HINTS: Partial<Record<RelayError['kind'], Hint>> = {
	idle: (_error, settings) => (settings.tunable === false ? undefined : 'Raise the "Timeout" option if the model is known to pause this long.'),
	timeout: (error, settings) => {
		if (settings.tunable === false) return undefined;
		if (error.streamed === true) return 'Raise the "Timeout" option: a streamed answer has to start within it.';
		if (error.streamed === false) return 'Raise the "Timeout" option, or turn streaming on so that the answer arrives as it is written.';
		return 'Raise the "Timeout" option if the relay is known to take this long.';
	},
};

/**
 * Any error from a node's work for one item, as the error n8n shows: every answer that came back
 * (relay errors, redirects, unusable bodies) becomes a NodeApiError with status, relay message and
 * request id; everything else a NodeOperationError. Both carry the item index, and hints true to
 * `settings`.
 */
export function toNodeError(node: INode, error: unknown, itemIndex: number, settings: RunSettings = {}): NodeError {
	const shown = asNodeError(node, error, itemIndex, settings);
	return settings.streaming ? readableInStream(shown) : shown;
}

function asNodeError(node: INode, error: unknown, itemIndex: number, settings: RunSettings): NodeError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	if (error instanceof RelayDownloadError) return downloadError(node, error, itemIndex, settings);
	if (error instanceof RelayError && error.status !== undefined) return answerError(node, error, itemIndex, settings);
	if (error instanceof RelayError) return operationError(node, error, itemIndex, settings);
	return new NodeOperationError(node, errorMessage(error), { itemIndex });
}

/**
 * The error with its message at the start of its description: n8n puts a failed node's
 * description, and nothing else, into the error chunk a streaming caller reads (as n8n's own
 * OpenAI model has the provider's message there). Done once: an error mapped twice stays as it is.
 */
function readableInStream(error: NodeError): NodeError {
	const description = error.description ?? '';
	if (description.startsWith(error.message)) return error;
	error.description = description ? `${asSentence(error.message)} ${description}` : error.message;
	return error;
}

function asSentence(text: string): string {
	return /[.!?。！？]$/.test(text) ? text : `${text}.`;
}

function answerError(node: INode, error: RelayError, itemIndex: number, settings: RunSettings): NodeApiError {
	const status = error.status ?? 0;
	const details: JsonObject = { message: error.relayMessage ?? error.message, status };
	if (error instanceof RelayApiError) {
		if (error.type) details.type = error.type;
		if (error.relayCode) details.code = error.relayCode;
		if (error.param) details.param = error.param;
	}
	if (error.requestId) details.requestId = error.requestId;
	return new NodeApiError(node, details, {
		message: error.message,
		description: describeAnswerError(error, settings),
		httpCode: String(status),
		itemIndex,
	});
}

function describeAnswerError(error: RelayError, settings: RunSettings): string {
	const hint =
		error.kind === 'api' && error.status !== 200
			? STATUS_HINTS[error.status ?? 0]?.(error, settings)
			: ((error instanceof RelayResponseError ? error.hint : undefined) ?? ANSWER_HINTS[error.kind]);
	const parts = [hint];
	if (error instanceof RelayApiError && error.relayCode) parts.push(`Relay code: ${error.relayCode}.`);
	if (error.requestId) parts.push(`Request ID: ${error.requestId} (quote it to the relay's support).`);
	parts.push(tried(error));
	return parts.filter(Boolean).join(' ');
}

/** "Tried 3 times." for a call that was retried: every hint that follows a retried call says it. */
function tried(error: RelayError): string | undefined {
	return error.attempts > 1 ? `Tried ${error.attempts} times.` : undefined;
}

// A task that failed or outlasted the wait: what the user can do, by why it ended.
const TASK_HINTS: Record<RelayTaskError['reason'], string> = {
	failed:
		"The reason is the relay's (or the model provider's). Check the prompt and the input images against the model's content rules, and the options this model takes.",
	timeout:
		'Raise "Max Wait (Minutes)", or set "On Timeout" to "Output the Unfinished Task" and fetch it later with the Get operation and the task ID in this message.',
};

function operationError(node: INode, error: RelayError, itemIndex: number, settings: RunSettings): NodeOperationError {
	const operation = new NodeOperationError(node, error.message, { itemIndex });
	// n8n swaps a message that mentions ECONNREFUSED, ECONNRESET ... for a generic sentence
	// without the host; keep ours (it names the host) and let theirs explain it.
	const generic = operation.message !== error.message ? operation.message : undefined;
	operation.message = error.message;
	const quiet = error.kind === 'config' || error.kind === 'cancelled';
	const hint = error instanceof RelayTaskError ? TASK_HINTS[error.reason] : OPERATION_HINTS[error.kind]?.(error, settings);
	const parts = [generic && `${generic}.`, hint, quiet ? undefined : tried(error)];
	operation.description = parts.filter(Boolean).join(' ') || undefined;
	return operation;
}

/**
 * A failed download as the error a user reads: which link, and what was wrong with it. Without
 * this a 404 from an image host would read like a relay error ("check the model ID").
 */
function downloadError(node: INode, error: RelayDownloadError, itemIndex: number, settings: RunSettings): NodeOperationError {
	const url = error.url ?? '';
	const file = error.file ?? 'image';
	const where = url.startsWith('data:') ? `the inline (data URL) ${file}` : truncate(url, 300);
	const { problem, hint } = describeDownloadFailure(error, file, settings);
	const description = [hint, tried(error)].filter(Boolean).join(' ') || undefined;
	return new NodeOperationError(node, `Could not download the ${file} at ${where}: ${problem}`, { itemIndex, description });
}

function describeDownloadFailure(error: RelayDownloadError, file: string, settings: RunSettings): { problem: string; hint?: string } {
	switch (error.reason) {
		case 'status':
			return {
				problem: `the server answered ${describeStatus(error.status ?? 0)}${error.relayMessage ? `: ${error.relayMessage}` : ''}`,
				hint: [403, 404, 410].includes(error.status ?? 0)
					? `${capitalise(file)} links from relays expire, often within an hour: download ${file === 'audio' ? 'audio files' : `${file}s`} when they are generated.`
					: undefined,
			};
		case 'too-large':
			return {
				problem: `it is larger than the limit of ${formatBytes(error.limitBytes ?? 0)} (at least ${formatBytes(error.receivedBytes ?? 0)})`,
				hint: `Raise "Max Download Size (MB)" if ${file}s this large are expected.`,
			};
		case 'not-image':
			return { problem: notMediaProblem(error.cause), hint: `The link may point to a login or error page instead of the ${file}.` };
		case 'bad-url':
			return { problem: 'only http(s) links can be downloaded' };
		case 'timeout':
			return {
				problem: `no answer within ${+((error.timeoutMs ?? 0) / 1000).toFixed(1)} s`,
				hint: `Raise the "${settings.downloadTimeoutOption ?? 'Timeout'}" option if the ${file} host is this slow.`,
			};
		default:
			return { problem: error.message };
	}
}

function notMediaProblem(cause: unknown): string {
	return cause instanceof NotMediaError ? `it is ${cause.detail}` : 'it is not an image';
}

function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The message of anything thrown; duck-typed, as errors from Node internals may be of another realm. */
export function errorMessage(error: unknown): string {
	const message = (error as { message?: unknown } | null)?.message;
	return typeof message === 'string' && message ? message : String(error);
}

/** A parameter the user set cannot be used: say which one and why. */
export function invalidParameter(
	node: INode,
	itemIndex: number,
	field: string,
	problem: string,
	description?: string,
): NodeOperationError {
	return new NodeOperationError(node, `${field}: ${problem}`, { itemIndex, description });
}
