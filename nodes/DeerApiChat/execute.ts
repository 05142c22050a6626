import type { ChunkType, IBinaryKeyData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { findMediaUrls } from '../shared/transport/media-links';
import { downloadMedia } from './chat-media';
import { toNodeError, type RunSettings } from '../shared/n8n/errors';
import { runNode, type ItemOperation, type ItemScope } from '../shared/n8n/runner';
import { answersStreamingCaller } from '../shared/n8n/streaming';
import { runsAsTool } from './tool-run';
import { contentText, type ChatCompletion, type ChatDelta, type RelayClient } from '../shared/transport';
import { mediaUrls, simplifiedJson, summarizeChoice } from './output';
import { readChatRequest, type ChatRequest } from './request';

const chat: ItemOperation<ChatRequest, ChatCompletion> = {
	read: async ({ context, itemIndex }) => await readChatRequest(context, itemIndex),
	call: async (request, { context, client, itemIndex, signal, settings }) => await complete(context, client, request, itemIndex, signal, settings),
	toItems: chatItems,
	// Downloads are bounded by their own option: the hints name it.
	hints: { downloadTimeoutOption: 'Download Timeout (Seconds)' },
};

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runNode(this, chat);
}

async function chatItems(
	completion: ChatCompletion,
	request: ChatRequest,
	{ context, client, itemIndex, signal }: ItemScope,
): Promise<INodeExecutionData[]> {
	const mediaField = request.media === 'video' ? 'videos' : 'images';
	const choices = completion.choices.map((choice) =>
		summarizeChoice(context.getNode(), itemIndex, choice, {
			parseJson: request.parseJson,
			// A text model's answer may link to web pages; only a media model's links are its files.
			mediaOf: (answer) => findMediaUrls(contentText(answer.message?.content), { links: request.media !== undefined }),
			mediaField,
		}),
	);
	const urls = mediaUrls(choices, mediaField);

	let binary: IBinaryKeyData | undefined;
	if (urls.length && request.downloads) {
		const { propertyPrefix, maxBytes, timeoutMs, kinds } = request.downloads;
		const downloaded = await downloadMedia(context, client, urls, {
			propertyPrefix,
			fileBaseName: request.media === 'video' ? 'video' : 'image',
			signal,
			maxBytes,
			timeoutMs,
			kinds,
		});
		binary = downloaded.binary;
	}

	const json = request.simplify ? simplifiedJson(completion, choices, request.model) : (completion as IDataObject);
	return [binary ? { json, binary } : { json }];
}

/** The paid call, its text passed on to a streaming workflow as it arrives. */
async function complete(
	context: IExecuteFunctions,
	client: RelayClient,
	request: ChatRequest,
	itemIndex: number,
	signal: AbortSignal,
	settings: RunSettings,
): Promise<ChatCompletion> {
	const stream = workflowStream(context, itemIndex);
	try {
		stream?.send('begin');
		const response = await client.chat(request.body, {
			signal,
			onDelta: stream ? (delta: ChatDelta) => forwardContent(stream, delta) : undefined,
		});
		// An answer that was not streamed reaches a streaming workflow in one piece.
		if (stream && !stream.sentContent) {
			const content = response.body.choices[0]?.message?.content;
			if (typeof content === 'string' && content) stream.send('item', content);
		}
		stream?.send('end');
		return response.body;
	} catch (caught) {
		const error = toNodeError(context.getNode(), caught, itemIndex, settings);
		// A failing node gets n8n's own error chunk (its description); an error item under Continue
		// On Fail does not: it gets the same text from here.
		if (context.continueOnFail()) stream?.send('error', error.description ?? error.message);
		throw error;
	} finally {
		await stream?.flush();
	}
}

interface WorkflowStream {
	send(type: ChunkType, content?: string): void;
	flush(): Promise<void>;
	sentContent: boolean;
}

function forwardContent(stream: WorkflowStream, delta: ChatDelta): void {
	// Several answers (n > 1) would interleave into nonsense: the first one is the reply.
	if (delta.choiceIndex !== 0 || !delta.content) return;
	stream.sentContent = true;
	stream.send('item', delta.content);
}

/**
 * n8n's streaming mode (chat trigger or webhook answering "streaming"): text goes to the caller as
 * it arrives. Older n8n versions have no isStreaming / sendChunk; the node then just returns items.
 */
function workflowStream(context: IExecuteFunctions, itemIndex: number): WorkflowStream | undefined {
	if (typeof context.sendChunk !== 'function') return undefined;
	// A tool answers the agent, not the person at the other end: the agent's own reply is what streams.
	if (!answersStreamingCaller(context) || runsAsTool(context)) return undefined;
	let queue: Promise<void> = Promise.resolve();
	const stream: WorkflowStream = {
		sentContent: false,
		// Chunks are sent in order, and a failing chunk hook never fails the item.
		send(type, content) {
			queue = queue
				.then(() => context.sendChunk(type, itemIndex, content))
				.catch((error: unknown) => {
					context.logger.warn(`DeerAPI Chat: could not pass a ${type} chunk on to the stream`, {
						error: error instanceof Error ? error.message : String(error),
					});
				});
		},
		flush: async () => await queue,
	};
	return stream;
}
