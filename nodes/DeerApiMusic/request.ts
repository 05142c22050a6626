import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { invalidParameter } from '../shared/n8n/errors';
import { mergeExtraBody, readMaxDownloadBytes, readRequiredText, readText } from '../shared/n8n/parameters';
import { readTaskId, readTaskWait, type TaskItemRequest } from '../shared/n8n/tasks';
import type { SunoSubmit } from '../shared/transport';
import {
	DEFAULT_AUDIO_PROPERTY,
	DEFAULT_COVER_PROPERTY,
	DEFAULT_MODEL_VERSION,
	type Operation,
	type SongMode,
} from './description';

/** Where a finished song's files go. */
export interface SongFiles {
	downloadAudio: boolean;
	audioProperty: string;
	downloadCover: boolean;
	coverProperty: string;
	coverSize: 'large' | 'small';
	maxDownloadBytes: number;
}

/** Everything one item asks for, read and checked before anything is sent. */
export interface MusicRequest extends TaskItemRequest {
	operation: Operation;
	/** Generate Song / Lyrics: what is submitted. */
	submit?: SunoSubmit;
	/** Get: the task to look up. */
	taskId?: string;
	files: SongFiles;
}

export function readMusicRequest(context: IExecuteFunctions, itemIndex: number): MusicRequest {
	const operation = context.getNodeParameter('operation', itemIndex, 'generateSong') as Operation;
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const wait = readTaskWait(context, itemIndex);
	const files = readSongFiles(context, itemIndex, options);
	if (operation === 'get') return { operation, taskId: readId(context, itemIndex, 'taskId', 'Task ID'), wait, files };
	const body = operation === 'generateLyrics' ? readLyricsBody(context, itemIndex) : readSongBody(context, itemIndex);
	const submit: SunoSubmit = {
		action: operation === 'generateLyrics' ? 'lyrics' : 'music',
		body: mergeExtraBody(context, itemIndex, body, options.extraBody),
	};
	return { operation, submit, wait, files };
}

function required(context: IExecuteFunctions, itemIndex: number, name: string, field: string, hint: string): string {
	return readRequiredText(context, itemIndex, name, field, hint).trim();
}

/** A task or clip id of an earlier run. */
function readId(context: IExecuteFunctions, itemIndex: number, name: string, field: string): string {
	return readTaskId(context, itemIndex, `Enter the "${name === 'continueClipId' ? 'clipId' : 'taskId'}" of an earlier run.`, name, field);
}

function readSongBody(context: IExecuteFunctions, itemIndex: number): IDataObject {
	const node = context.getNode();
	const mode = context.getNodeParameter('songMode', itemIndex, 'inspiration') as SongMode;
	const mv = readText(context, itemIndex, 'modelVersion').trim() || DEFAULT_MODEL_VERSION;
	const instrumental = mode !== 'continue' && context.getNodeParameter('instrumental', itemIndex, false) === true;
	const body: IDataObject = {};
	if (mode === 'inspiration') {
		body.gpt_description_prompt = required(context, itemIndex, 'description', 'Song Description', 'Say what the song is about and how it should sound.');
	} else {
		const lyrics = readText(context, itemIndex, 'lyrics');
		const title = readText(context, itemIndex, 'title').trim();
		const tags = readText(context, itemIndex, 'tags').trim();
		if (mode === 'continue') {
			body.continue_clip_id = readId(context, itemIndex, 'continueClipId', 'Clip ID');
			body.task_id = readId(context, itemIndex, 'continueTaskId', 'Task ID');
			const at = context.getNodeParameter('continueAt', itemIndex, 0) as unknown;
			if (typeof at !== 'number' || !Number.isFinite(at) || at < 0) {
				throw invalidParameter(node, itemIndex, 'Continue At (Seconds)', `must be a number of seconds from 0, got ${JSON.stringify(at)}`);
			}
			body.continue_at = at;
		} else if (!lyrics.trim() && !instrumental) {
			throw invalidParameter(node, itemIndex, 'Lyrics', 'is empty', 'Write the lyrics, turn on Instrumental, or make the song From a Description.');
		} else if (instrumental && !tags) {
			throw invalidParameter(node, itemIndex, 'Style Tags', 'is empty', 'An instrumental from lyrics mode is made from its style: enter tags such as "lo-fi, piano, rain".');
		}
		if (lyrics.trim()) body.prompt = lyrics;
		if (title) body.title = title;
		if (tags) body.tags = tags;
	}
	if (instrumental) body.make_instrumental = true;
	body.mv = mv;
	return body;
}

function readLyricsBody(context: IExecuteFunctions, itemIndex: number): IDataObject {
	return { prompt: required(context, itemIndex, 'lyricsPrompt', 'Description', 'Say what the lyrics should be about.') };
}

function readSongFiles(context: IExecuteFunctions, itemIndex: number, options: IDataObject): SongFiles {
	const field = (name: string, fallback: string, label: string) => {
		const value = typeof options[name] === 'string' ? (options[name] as string).trim() : fallback;
		if (!value) throw invalidParameter(context.getNode(), itemIndex, label, 'is empty', `Enter a binary field name such as "${fallback}".`);
		return value;
	};
	const files: SongFiles = {
		downloadAudio: options.downloadAudio !== false,
		audioProperty: field('binaryPropertyOutput', DEFAULT_AUDIO_PROPERTY, 'Put Audio in Field'),
		downloadCover: options.downloadCover === true,
		coverProperty: field('coverPropertyOutput', DEFAULT_COVER_PROPERTY, 'Put Cover in Field'),
		coverSize: options.coverSize === 'small' ? 'small' : 'large',
		maxDownloadBytes: readMaxDownloadBytes(context, itemIndex, options),
	};
	if (files.downloadAudio && files.downloadCover && files.audioProperty === files.coverProperty) {
		throw invalidParameter(context.getNode(), itemIndex, 'Put Cover in Field', `is "${files.coverProperty}", the field the audio goes in`, 'Give the cover its own field, e.g. "cover".');
	}
	return files;
}
