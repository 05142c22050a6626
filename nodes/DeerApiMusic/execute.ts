import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { MediaKind } from '../shared/transport/file-types';
import { openMedia } from '../shared/transport/media-download';
import { mediaToBinary } from '../shared/n8n/binary';
import { runNode } from '../shared/n8n/runner';
import { taskOperation } from '../shared/n8n/tasks';
import { sunoDetails, sunoTaskKind, type RelayClient, type SunoClip, type TaskOutcome } from '../shared/transport';
import { readMusicRequest, type MusicRequest, type SongFiles } from './request';

const music = taskOperation<MusicRequest>({
	read: ({ context, itemIndex }) => readMusicRequest(context, itemIndex),
	kind: () => sunoTaskKind,
	start: async (request, { client, signal }) => (request.submit ? await sunoTaskKind.submit(client, request.submit, { signal }) : request.taskId!),
	output: async (request, outcome, { context, client, signal }) => await musicItems(context, client, request, outcome, signal),
});

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runNode(this, music);
}

/**
 * The items of one task: a lyrics task gives one item with its text; a song task one item per
 * clip, each with its audio (and cover) as binary once the whole task is done; a task without
 * clips yet (not waited for, or still queued) one item saying so.
 */
async function musicItems(
	context: IExecuteFunctions,
	client: RelayClient,
	request: MusicRequest,
	outcome: TaskOutcome,
	signal: AbortSignal,
): Promise<INodeExecutionData[]> {
	const { snapshot } = outcome;
	const details = sunoDetails(snapshot);
	const lyricsTask = details.action === undefined ? request.operation === 'generateLyrics' : details.action === 'LYRICS';
	const task: IDataObject = {
		taskId: snapshot.id,
		action: lyricsTask ? 'lyrics' : 'music',
		status: snapshot.status,
		relayStatus: snapshot.relayStatus ?? null,
		done: outcome.done,
		timedOut: outcome.timedOut,
		progress: snapshot.progress ?? (outcome.done ? 100 : null),
	};
	if (outcome.lastPollError) task.lastPollError = outcome.lastPollError.message;
	if (lyricsTask) {
		return [{ json: { ...task, title: details.lyrics?.title ?? null, text: details.lyrics?.text ?? null } }];
	}
	if (details.clips.length === 0) return [{ json: { ...task, clips: 0 } }];
	const items: INodeExecutionData[] = [];
	// One clip after the other: the request slot the runner gave this task is one download at a time.
	for (const clip of details.clips) items.push(await clipItem(context, client, request.files, task, clip, details.clips.length, outcome, signal));
	return items;
}

async function clipItem(
	context: IExecuteFunctions,
	client: RelayClient,
	files: SongFiles,
	task: IDataObject,
	clip: SunoClip,
	clipCount: number,
	outcome: TaskOutcome,
	signal: AbortSignal,
): Promise<INodeExecutionData> {
	const json: IDataObject = {
		...task,
		clipId: clip.id,
		clip: clip.index + 1,
		clips: clipCount,
		taskStatus: task.relayStatus,
		status: clip.status,
		relayStatus: clip.relayStatus ?? null,
		done: clip.done,
		// Complete clips of a task that is not are not unfinished: only the others timed out.
		timedOut: outcome.timedOut && !clip.done,
		title: clip.title ?? null,
		tags: clip.tags ?? null,
		duration: clip.duration ?? null,
		lyrics: clip.lyrics ?? null,
		model: clip.model ?? null,
	};
	for (const key of ['description', 'audioUrl', 'imageUrl', 'imageLargeUrl', 'videoUrl', 'createdAt'] as const) {
		if (clip[key] !== undefined) json[key] = clip[key];
	}
	// Files only once every clip is complete: a streaming clip's link is a live stream, not the song.
	if (!outcome.done) return { json };

	const binary: Record<string, IBinaryData> = {};
	const baseName = fileBaseName(clip);
	if (files.downloadAudio && clip.audioUrl) {
		const audio = await download(context, client, clip.audioUrl, 'audio', baseName, files, signal);
		binary[files.audioProperty] = audio.binary;
		Object.assign(json, { mimeType: audio.mimeType, fileName: audio.binary.fileName ?? null, fileSize: audio.fileSize });
	}
	const coverUrl = files.coverSize === 'large' ? (clip.imageLargeUrl ?? clip.imageUrl) : (clip.imageUrl ?? clip.imageLargeUrl);
	if (files.downloadCover && coverUrl) {
		const cover = await download(context, client, coverUrl, 'image', `${baseName}-cover`, files, signal);
		binary[files.coverProperty] = cover.binary;
		Object.assign(json, { coverMimeType: cover.mimeType, coverFileName: cover.binary.fileName ?? null, coverFileSize: cover.fileSize });
	}
	return Object.keys(binary).length ? { json, binary } : { json };
}

/** A clip's file, streamed into n8n's binary data without the key, its type read from its bytes. */
async function download(
	context: IExecuteFunctions,
	client: RelayClient,
	url: string,
	kind: MediaKind,
	baseName: string,
	files: SongFiles,
	signal: AbortSignal,
): Promise<{ binary: IBinaryData; mimeType: string; fileSize: number }> {
	const media = await openMedia(client, { url }, { signal, maxBytes: files.maxDownloadBytes, kinds: [kind] });
	const binary = await mediaToBinary(context, media, baseName);
	return { binary, mimeType: media.mimeType, fileSize: media.bytesRead() };
}

/** "Summit Flask Jingle" clip 2 -> "summit-flask-jingle-2"; a clip without a title goes by its id. */
function fileBaseName(clip: SunoClip): string {
	const title = (clip.title ?? '')
		.normalize('NFKD')
		.replace(/[^\p{L}\p{N}]+/gu, '-')
		.replace(/^-+|-+$/g, '')
		.toLowerCase()
		.slice(0, 60);
	return title ? `${title}-${clip.index + 1}` : clip.id || `clip-${clip.index + 1}`;
}
