import { NodeOperationError, type INode } from 'n8n-workflow';

import { NotAnImageError } from '../images';
import {
	describeStatus,
	formatBytes,
	RelayAbortError,
	RelayApiError,
	RelayConfigError,
	RelayError,
	RelayTimeoutError,
	ResponseTooLargeError,
} from '../transport';

/**
 * A failed image download as the error a user reads: which link, and what was wrong with it.
 * Without this a 404 from an image host would read like a relay error ("check the model ID").
 * Cancellation is returned as is, so the runner still sees it as a cancel.
 */
export function imageDownloadError(
	node: INode,
	error: unknown,
	itemIndex: number,
	url: string,
): Error {
	if (error instanceof RelayAbortError || !(error instanceof Error)) {
		return error instanceof Error ? error : new Error(String(error));
	}
	const where = url.startsWith('data:') ? 'the inline (data URL) image' : shorten(url);
	let problem: string;
	let description: string | undefined;
	if (error instanceof RelayApiError) {
		// Our own phrasing for HTML and empty bodies names "the relay", which this host is not.
		const hostMessage = error.relayMessage.startsWith('The relay') ? '' : `: ${error.relayMessage}`;
		problem = `the server answered ${describeStatus(error.status)}${hostMessage}`;
		description = [403, 404, 410].includes(error.status)
			? 'Image links from relays expire, often within an hour: download images when they are generated, or ask for base64 (Response Format) where the model supports it.'
			: undefined;
	} else if (error instanceof ResponseTooLargeError) {
		problem = `it is larger than the limit of ${formatBytes(error.limitBytes)} (at least ${formatBytes(error.receivedBytes)})`;
		description = 'Raise "Max Download Size (MB)" if images this large are expected.';
	} else if (error instanceof NotAnImageError) {
		problem = `it is not an image${error.contentType ? ` (content-type ${error.contentType})` : ''}: it starts with "${error.head}"`;
		description = 'The link may point to a login or error page instead of the picture.';
	} else if (error instanceof RelayConfigError) {
		problem = 'only http(s) links can be downloaded';
	} else if (error instanceof RelayTimeoutError) {
		problem = `no answer within ${+(error.timeoutMs / 1000).toFixed(1)} s`;
		description = 'Raise the "Timeout" option if the image host is this slow.';
	} else {
		problem = error.message;
	}
	const attempts = error instanceof RelayError && error.attempts > 1 ? ` Tried ${error.attempts} times.` : '';
	return new NodeOperationError(node, `Could not download the image at ${where}: ${problem}`, {
		itemIndex,
		description: description || attempts ? `${description ?? ''}${attempts}`.trim() : undefined,
	});
}

function shorten(url: string): string {
	return url.length > 300 ? `${url.slice(0, 300)}…` : url;
}
