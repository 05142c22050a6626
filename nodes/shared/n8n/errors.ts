import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

import { NotMediaError } from '../media';
import {
	describeStatus,
	formatBytes,
	RelayApiError,
	RelayDownloadError,
	RelayError,
	RelayTaskError,
	truncate,
} from '../transport';

export type NodeError = NodeApiError | NodeOperationError;

// What the user can do about each status, in their words. The relay's own message stays the message.
const STATUS_HINTS: Record<number, string> = {
	400: 'The relay rejected the request. Check the parameter it names; some models accept fewer options than others.',
	401: 'Check the API key in the DeerAPI credential. An expired key or a used-up quota also answers 401.',
	402: 'The account has no balance left.',
	403: 'The key may not be allowed to use this model, or its quota is used up.',
	404: 'Check the model ID and the base URL (e.g. https://api.deerapi.com).',
	413: 'The request is too large: send smaller or fewer images.',
	429: 'The relay is rate limiting. Lower "Max Concurrent Requests" or raise "Max Retries".',
	500: 'The relay or the model provider failed. Try again later.',
	502: 'The relay could not reach the model provider. Try again later.',
	503: 'No channel is available for this model right now, or the relay is overloaded.',
	504: 'The model provider took too long. Streaming keeps long answers alive.',
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

/**
 * Any error from a node's work for one item, as the error n8n shows: every answer that came back
 * (relay errors, redirects, unusable bodies) becomes a NodeApiError with status, relay message and
 * request id; everything else a NodeOperationError. Both carry the item index.
 */
export function toNodeError(node: INode, error: unknown, itemIndex: number): NodeError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	if (error instanceof RelayDownloadError) return downloadError(node, error, itemIndex);
	if (error instanceof RelayError && error.status !== undefined) return answerError(node, error, itemIndex);
	if (error instanceof RelayError) return operationError(node, error, itemIndex);
	return new NodeOperationError(node, errorMessage(error), { itemIndex });
}

function answerError(node: INode, error: RelayError, itemIndex: number): NodeApiError {
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
		description: describeAnswerError(error),
		httpCode: String(status),
		itemIndex,
	});
}

function describeAnswerError(error: RelayError): string {
	const hint = error.kind === 'api' && error.status !== 200 ? STATUS_HINTS[error.status ?? 0] : ANSWER_HINTS[error.kind];
	const parts = [hint];
	if (error instanceof RelayApiError && error.relayCode) parts.push(`Relay code: ${error.relayCode}.`);
	if (error.requestId) parts.push(`Request ID: ${error.requestId} (quote it to the relay's support).`);
	if (error.attempts > 1) parts.push(`Tried ${error.attempts} times.`);
	return parts.filter(Boolean).join(' ');
}

const OPERATION_HINTS: Partial<Record<RelayError['kind'], string>> = {
	idle: 'Raise the "Timeout" option if the model is known to pause this long.',
	timeout: 'Raise the "Timeout" option, or turn on streaming so the answer arrives as it is written.',
};

// A task that failed or outlasted the wait: what the user can do, by why it ended.
const TASK_HINTS: Record<RelayTaskError['reason'], string> = {
	failed:
		"The reason is the relay's (or the model provider's). Check the prompt and the input images against the model's content rules, and the options this model takes.",
	timeout:
		'Raise "Max Wait (Minutes)", or set "On Timeout" to "Output the Unfinished Task" and fetch it later with the Get operation and the task ID in this message.',
};

function operationError(node: INode, error: RelayError, itemIndex: number): NodeOperationError {
	const operation = new NodeOperationError(node, error.message, { itemIndex });
	// n8n swaps a message that mentions ECONNREFUSED, ECONNRESET ... for a generic sentence
	// without the host; keep ours (it names the host) and let theirs explain it.
	const generic = operation.message !== error.message ? operation.message : undefined;
	operation.message = error.message;
	const quiet = error.kind === 'config' || error.kind === 'cancelled';
	const tried = !quiet && error.attempts > 1 ? `Tried ${error.attempts} times.` : undefined;
	const hint = error instanceof RelayTaskError ? TASK_HINTS[error.reason] : OPERATION_HINTS[error.kind];
	operation.description = [generic && `${generic}.`, hint ?? tried].filter(Boolean).join(' ') || undefined;
	return operation;
}

/**
 * A failed download as the error a user reads: which link, and what was wrong with it. Without
 * this a 404 from an image host would read like a relay error ("check the model ID").
 */
function downloadError(node: INode, error: RelayDownloadError, itemIndex: number): NodeOperationError {
	const url = error.url ?? '';
	const file = error.file ?? 'image';
	const where = url.startsWith('data:') ? `the inline (data URL) ${file}` : truncate(url, 300);
	const { problem, hint } = describeDownloadFailure(error, file);
	const tried = error.attempts > 1 ? ` Tried ${error.attempts} times.` : '';
	const description = `${hint ?? ''}${tried}`.trim() || undefined;
	return new NodeOperationError(node, `Could not download the ${file} at ${where}: ${problem}`, { itemIndex, description });
}

function describeDownloadFailure(error: RelayDownloadError, file: string): { problem: string; hint?: string } {
	switch (error.reason) {
		case 'status':
			return {
				problem: `the server answered ${describeStatus(error.status ?? 0)}${error.relayMessage ? `: ${error.relayMessage}` : ''}`,
				hint: [403, 404, 410].includes(error.status ?? 0)
					? file === 'image'
						? 'Image links from relays expire, often within an hour: download images when they are generated, or ask for base64 (Response Format) where the model supports it.'
						: `${capitalise(file)} links from relays expire, often within an hour: download ${file === 'audio' ? 'audio files' : `${file}s`} when they are generated.`
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
				hint: `Raise the "Timeout" option if the ${file} host is this slow.`,
			};
		default:
			return { problem: error.message };
	}
}

function notMediaProblem(cause: unknown): string {
	if (!(cause instanceof NotMediaError)) return 'it is not an image';
	return `it is not ${cause.expected}${cause.contentType ? ` (content-type ${cause.contentType})` : ''}: it starts with "${cause.head}"`;
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
