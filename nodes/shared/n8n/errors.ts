import {
	NodeApiError,
	NodeOperationError,
	type INode,
	type JsonObject,
} from 'n8n-workflow';

import {
	RelayAbortError,
	RelayApiError,
	RelayConfigError,
	RelayError,
	RelayTimeoutError,
	ResponseTooLargeError,
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

/**
 * Any error from a node's work for one item, as the error n8n shows: relay answers become
 * NodeApiError (status, relay message, request id), everything else NodeOperationError.
 * Both carry the item index.
 */
export function toNodeError(node: INode, error: unknown, itemIndex: number): NodeError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	if (error instanceof RelayApiError) {
		const details: JsonObject = {
			message: error.relayMessage,
			status: error.status,
		};
		if (error.type) details.type = error.type;
		if (error.relayCode) details.code = error.relayCode;
		if (error.param) details.param = error.param;
		if (error.requestId) details.requestId = error.requestId;
		const apiError = new NodeApiError(node, details, {
			message: error.message,
			description: describeApiError(error),
			httpCode: String(error.status),
			itemIndex,
		});
		return apiError;
	}
	if (error instanceof RelayError) {
		const operationError = new NodeOperationError(node, error.message, { itemIndex });
		// n8n swaps a message that mentions ECONNREFUSED, ECONNRESET ... for a generic sentence
		// without the host; keep ours (it names the host) and let theirs explain it.
		const generic = operationError.message !== error.message ? operationError.message : undefined;
		operationError.message = error.message;
		operationError.description =
			[generic && `${generic}.`, describeOtherError(error)].filter(Boolean).join(' ') || undefined;
		return operationError;
	}
	return new NodeOperationError(node, errorMessage(error), { itemIndex });
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

function describeApiError(error: RelayApiError): string {
	const parts = [STATUS_HINTS[error.status] ?? (error.status === 200 ? 'The relay reported an error inside its answer.' : '')];
	if (error.relayCode) parts.push(`Relay code: ${error.relayCode}.`);
	if (error.requestId) parts.push(`Request ID: ${error.requestId} (quote it to the relay's support).`);
	if (error.attempts > 1) parts.push(`Tried ${error.attempts} times.`);
	return parts.filter(Boolean).join(' ');
}

function describeOtherError(error: RelayError): string | undefined {
	if (error instanceof RelayTimeoutError) {
		return error.kind === 'idle'
			? 'Raise the "Timeout" option if the model is known to pause this long.'
			: 'Raise the "Timeout" option, or turn on streaming so the answer arrives as it is written.';
	}
	if (error instanceof ResponseTooLargeError) return 'Raise the size limit option if this is expected.';
	if (error instanceof RelayConfigError || error instanceof RelayAbortError) return undefined;
	return error.attempts > 1 ? `Tried ${error.attempts} times.` : undefined;
}
