import type {
	ChunkType,
	IBinaryKeyData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
} from 'n8n-workflow';

import { findImageUrls } from '../shared/images';
import { classifyModel } from '../shared/models';
import { downloadImages } from '../shared/n8n/chat-images';
import { getRelayClient } from '../shared/n8n/client';
import { toNodeError } from '../shared/n8n/errors';
import { runPerItem } from '../shared/n8n/items';
import { readConcurrency, readMaxDownloadBytes, readModel, readTuning } from '../shared/n8n/parameters';
import type { ChatCompletion, ChatDelta, RelayClient } from '../shared/transport';
import {
	DEFAULT_IMAGE_DOWNLOAD_TIMEOUT_S,
	DEFAULT_IMAGE_PROPERTY_PREFIX,
} from './description';
import { buildMessages } from './messages';
import { simplifiedJson, summarizeChoice } from './output';
import { buildRequestBody, type ChatOptions } from './request';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	if (this.getInputData().length === 0) return [[]];
	const options = this.getNodeParameter('options', 0, {}) as ChatOptions;
	let client: RelayClient;
	try {
		client = await getRelayClient(this, readTuning(options as IDataObject));
	} catch (error) {
		throw toNodeError(this.getNode(), error, 0);
	}
	return await runPerItem(
		this,
		async (itemIndex, signal) => await chatItem(this, client, itemIndex, signal),
		readConcurrency(options as IDataObject),
	);
}

async function chatItem(
	context: IExecuteFunctions,
	client: RelayClient,
	itemIndex: number,
	signal: AbortSignal,
): Promise<INodeExecutionData[]> {
	const model = readModel(context, itemIndex);
	const options = context.getNodeParameter('options', itemIndex, {}) as ChatOptions;
	const simplify = context.getNodeParameter('simplify', itemIndex, true) as boolean;
	const messages = await buildMessages(context, itemIndex);
	const body = buildRequestBody(context, itemIndex, model, messages, options);

	const stream = workflowStream(context, itemIndex);
	let completion: ChatCompletion;
	try {
		stream?.send('begin');
		const response = await client.chat(body, {
			signal,
			onDelta: stream ? (delta: ChatDelta) => forwardContent(stream, delta) : undefined,
		});
		completion = response.body;
		// An answer that was not streamed reaches a streaming workflow in one piece.
		if (stream && !stream.sentContent) {
			const content = completion.choices[0]?.message?.content;
			if (typeof content === 'string' && content) stream.send('item', content);
		}
		stream?.send('end');
	} catch (caught) {
		const error = toNodeError(context.getNode(), caught, itemIndex);
		// A failing node gets n8n's own error chunk; an error item under Continue On Fail does not.
		if (context.continueOnFail()) stream?.send('error', error.message);
		throw error;
	} finally {
		await stream?.flush();
	}

	const format = (body.response_format as IDataObject | undefined)?.type;
	// A text model's answer may link to web pages; only an image model's links are its pictures.
	const links = classifyModel({ id: model }) === 'image';
	const choices = completion.choices.map((choice) =>
		summarizeChoice(context.getNode(), itemIndex, choice, {
			// Raw output is the body as sent, whatever is in it.
			parseJson: simplify && (format === 'json_object' || format === 'json_schema'),
			imagesOf: (answer) => findImageUrls(answer.message?.content, { links }),
		}),
	);
	const imageUrls = choices.flatMap((choice) => (choice.images as string[] | undefined) ?? []);

	let binary: IBinaryKeyData | undefined;
	if (imageUrls.length && options.downloadImages !== false) {
		const downloaded = await downloadImages(context, client, imageUrls, {
			propertyPrefix: options.imagePropertyPrefix?.trim() || DEFAULT_IMAGE_PROPERTY_PREFIX,
			fileBaseName: 'image',
			signal,
			itemIndex,
			maxBytes: readMaxDownloadBytes(context, itemIndex, options),
			timeoutMs: (options.imageDownloadTimeout ?? DEFAULT_IMAGE_DOWNLOAD_TIMEOUT_S) * 1000,
		});
		binary = downloaded.binary;
	}

	const json = simplify ? simplifiedJson(completion, choices, model) : (completion as IDataObject);
	return [binary ? { json, binary } : { json }];
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
	if (typeof context.isStreaming !== 'function' || typeof context.sendChunk !== 'function') return undefined;
	if (!context.isStreaming()) return undefined;
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
