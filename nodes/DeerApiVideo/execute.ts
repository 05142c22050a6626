import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { openFirstMedia, type MediaSource } from '../shared/transport/media-download';
import { mediaToBinary } from '../shared/n8n/binary';
import { runNode } from '../shared/n8n/runner';
import { taskOperation } from '../shared/n8n/tasks';
import {
	videoContentEndpoint,
	videoDetails,
	videoTaskKind,
	type RelayClient,
	type TaskOutcome,
} from '../shared/transport';
import { readVideoRequest, type VideoRequest } from './request';

const video = taskOperation<VideoRequest>({
	read: async ({ context, client, itemIndex, signal }) => await readVideoRequest(context, client, itemIndex, signal),
	kind: (request) => videoTaskKind(request.format),
	start: async (request, { client, signal }) =>
		request.submit ? await videoTaskKind(request.format).submit(client, request.submit, { signal }) : request.taskId!,
	output: async (request, outcome, { context, client, signal }) => [await videoItem(context, client, request, outcome, signal)],
});

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runNode(this, video);
}

/** One item per task: what the relay said of it, and the video as binary once it is done. */
async function videoItem(
	context: IExecuteFunctions,
	client: RelayClient,
	request: VideoRequest,
	outcome: TaskOutcome,
	signal: AbortSignal,
): Promise<INodeExecutionData> {
	const { snapshot } = outcome;
	const details = videoDetails(snapshot);
	const json: IDataObject = {
		taskId: snapshot.id,
		status: snapshot.status,
		relayStatus: snapshot.relayStatus ?? null,
		done: outcome.done,
		timedOut: outcome.timedOut,
		progress: snapshot.progress ?? (outcome.done ? 100 : null),
		model: details.model ?? request.model ?? null,
	};
	if (request.prompt !== undefined) json.prompt = request.prompt;
	for (const key of ['seconds', 'size', 'url', 'expiresAt', 'createdAt', 'completedAt', 'usage'] as const) {
		if (details[key] !== undefined) json[key] = details[key] as IDataObject[keyof IDataObject];
	}
	json.apiFormat = request.format;
	if (outcome.lastPollError) json.lastPollError = outcome.lastPollError.message;
	if (!outcome.done || !request.download) return { json };

	const video = await openFirstMedia(client, videoSources(request, snapshot.id, details.url), {
		signal,
		maxBytes: request.maxDownloadBytes,
		kinds: ['video'],
	});
	const binary = await mediaToBinary(context, video, snapshot.id);
	json.mimeType = video.mimeType;
	json.fileSize = video.bytesRead();
	json.fileName = binary.fileName ?? null;
	return { json, binary: { [request.binaryProperty]: binary } };
}

/**
 * Where the finished video is, in the order to try: OpenAI Videos from the relay's content route
 * (with the key), then the link in the object; new-api from the task's link (without the key),
 * then the content route.
 */
function videoSources(request: VideoRequest, taskId: string, link: string | undefined): MediaSource[] {
	const content: MediaSource = { endpoint: videoContentEndpoint(taskId) };
	const linked: MediaSource[] = link ? [{ url: link }] : [];
	return request.format === 'openai' ? [content, ...linked] : [...linked, content];
}
