import type { INodeProperties } from 'n8n-workflow';

import { maxRetriesOption, timeoutOption } from '../shared/n8n/client';
import { extraBodyOption, maxDownloadSizeOption } from '../shared/n8n/parameters';
import { maxConcurrencyOption } from '../shared/n8n/runner';
import { taskWaitProperties } from '../shared/n8n/tasks';

export type Operation = 'generateSong' | 'generateLyrics' | 'get';
export type SongMode = 'inspiration' | 'custom' | 'continue';

export const DEFAULT_AUDIO_PROPERTY = 'data';
export const DEFAULT_COVER_PROPERTY = 'cover';
export const DEFAULT_MODEL_VERSION = 'chirp-v4';

const song = { operation: ['generateSong'] };
const songIn = (...songMode: SongMode[]) => ({ operation: ['generateSong'], songMode });

/** Suno's model versions as relays name them (`mv`); an expression may name another. */
export const MODEL_VERSIONS = [
	{ name: 'Suno V3', value: 'chirp-v3-0', description: 'Chirp-v3-0' },
	{ name: 'Suno V3.5', value: 'chirp-v3-5', description: 'Chirp-v3-5' },
	{ name: 'Suno V4', value: 'chirp-v4', description: 'Chirp-v4' },
	{ name: 'Suno V4.5', value: 'chirp-auk', description: 'Chirp-auk' },
	{ name: 'Suno V4.5+', value: 'chirp-bluejay', description: 'Chirp-bluejay' },
	{ name: 'Suno V5', value: 'chirp-crow', description: 'Chirp-crow' },
];

const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'generateSong',
	options: [
		{
			name: 'Generate Song',
			value: 'generateSong',
			action: 'Generate a song',
			description: 'POST /suno/submit/music: a song from a description or your own lyrics, or the continuation of a clip; two clips per task, as audio files',
		},
		{
			name: 'Generate Lyrics',
			value: 'generateLyrics',
			action: 'Generate lyrics',
			description: 'POST /suno/submit/lyrics: lyrics and a title from a description, as text',
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get a music task',
			description: 'GET /suno/fetch: the state of a song or lyrics task by its ID, optionally waiting for it',
		},
	],
};

const songProperties: INodeProperties[] = [
	{
		displayName: 'Mode',
		name: 'songMode',
		type: 'options',
		noDataExpression: true,
		default: 'inspiration',
		options: [
			{ name: 'From a Description', value: 'inspiration', description: 'Suno writes the lyrics and picks the style (inspiration mode)' },
			{ name: 'From Lyrics', value: 'custom', description: 'Your lyrics, title and style tags (custom mode)' },
			{ name: 'Continue a Clip', value: 'continue', description: 'Extend an earlier clip from a point in time' },
		],
		displayOptions: { show: song },
	},
	{
		displayName: 'Song Description',
		name: 'description',
		type: 'string',
		required: true,
		default: '',
		typeOptions: { rows: 3 },
		placeholder: 'e.g. A cheerful 30-second jingle for {{ $json.product }}, acoustic guitar and whistling',
		description: 'What the song is about and how it should sound; Suno writes lyrics and style from it (gpt_description_prompt)',
		displayOptions: { show: songIn('inspiration') },
	},
	{
		displayName: 'Lyrics',
		name: 'lyrics',
		type: 'string',
		default: '',
		typeOptions: { rows: 6 },
		placeholder: '[Verse]\nMorning light on the kitchen table...\n[Chorus]\n...',
		description:
			'The words to sing, with [Verse], [Chorus] and [Bridge] tags where you want them (prompt). From Lyrics: required unless Instrumental is on. Continue a Clip: the words of the continuation, or empty.',
		displayOptions: { show: songIn('custom', 'continue') },
	},
	{
		displayName: 'Clip ID',
		name: 'continueClipId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.clipId }}',
		description: 'The clip to continue (continue_clip_id): the clipId of a song this node made',
		displayOptions: { show: songIn('continue') },
	},
	{
		displayName: 'Task ID',
		name: 'continueTaskId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.taskId }}',
		description: 'The task the clip came from (task_id); the relay needs it to find the clip',
		displayOptions: { show: songIn('continue') },
	},
	{
		displayName: 'Continue At (Seconds)',
		name: 'continueAt',
		type: 'number',
		required: true,
		default: 0,
		typeOptions: { minValue: 0, numberPrecision: 2 },
		description: 'Where in the clip the continuation starts (continue_at), at most its duration',
		displayOptions: { show: songIn('continue') },
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		placeholder: 'e.g. Morning Kettle',
		description: 'The song title (title)',
		displayOptions: { show: songIn('custom', 'continue') },
	},
	{
		displayName: 'Style Tags',
		name: 'tags',
		type: 'string',
		default: '',
		placeholder: 'e.g. upbeat pop, female vocals, 120 bpm',
		description: 'Genre, mood, instruments and voice, comma-separated (tags). Required for an instrumental from lyrics mode.',
		displayOptions: { show: songIn('custom', 'continue') },
	},
	{
		displayName: 'Instrumental',
		name: 'instrumental',
		type: 'boolean',
		default: false,
		description: 'Whether to make music without vocals (make_instrumental)',
		displayOptions: { show: songIn('inspiration', 'custom') },
	},
	{
		displayName: 'Model Version',
		name: 'modelVersion',
		type: 'options',
		default: DEFAULT_MODEL_VERSION,
		options: MODEL_VERSIONS,
		description: 'The Suno model (mv). Relays offer different versions; an expression may name any other.',
		displayOptions: { show: song },
	},
];

const lyricsProperties: INodeProperties[] = [
	{
		displayName: 'Description',
		name: 'lyricsPrompt',
		type: 'string',
		required: true,
		default: '',
		typeOptions: { rows: 3 },
		placeholder: 'e.g. A short, catchy song about {{ $json.product }} for a summer ad',
		description: 'What the lyrics should be about (prompt)',
		displayOptions: { show: { operation: ['generateLyrics'] } },
	},
];

const getProperties: INodeProperties[] = [
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.taskId }}',
		description: 'The ID of a song or lyrics task (from this node, or another tool using the same key)',
		displayOptions: { show: { operation: ['get'] } },
	},
];

/** Options of the operations that may fetch a song's files (Generate Song, Get). */
const fileOptions: INodeProperties[] = [
	{
		displayName: 'Download Audio',
		name: 'downloadAudio',
		type: 'boolean',
		default: true,
		description: 'Whether to download each finished clip\'s audio into the item\'s binary data (else only its link is output)',
	},
	{
		displayName: 'Put Audio in Field',
		name: 'binaryPropertyOutput',
		type: 'string',
		default: DEFAULT_AUDIO_PROPERTY,
		hint: 'The name of the output binary field to put each clip\'s audio file in',
	},
	{
		displayName: 'Download Cover Image',
		name: 'downloadCover',
		type: 'boolean',
		default: false,
		description: 'Whether to download each finished clip\'s cover image too, into a second binary field',
	},
	{
		displayName: 'Put Cover in Field',
		name: 'coverPropertyOutput',
		type: 'string',
		default: DEFAULT_COVER_PROPERTY,
		hint: 'The name of the output binary field for the cover image',
	},
	{
		displayName: 'Cover Size',
		name: 'coverSize',
		type: 'options',
		default: 'large',
		options: [
			{ name: 'Large', value: 'large', description: 'The image_large_url link, about 1024 px' },
			{ name: 'Small', value: 'small', description: 'The image_url link, about 400 px' },
		],
		description: 'Which of the relay\'s two cover links to download',
	},
	maxDownloadSizeOption,
];

const byName = (a: INodeProperties, b: INodeProperties) => a.displayName.localeCompare(b.displayName);

function optionsFor(operation: Operation, options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: [operation] } },
		options: [...options, maxConcurrencyOption, maxRetriesOption, timeoutOption].sort(byName),
	};
}

export const properties: INodeProperties[] = [
	operationProperty,
	...songProperties,
	...lyricsProperties,
	...getProperties,
	...taskWaitProperties('song', { show: { operation: ['generateSong'] } }),
	...taskWaitProperties('lyrics', { show: { operation: ['generateLyrics'] } }),
	...taskWaitProperties('task', { show: { operation: ['get'] } }),
	optionsFor('generateSong', [extraBodyOption, ...fileOptions]),
	optionsFor('generateLyrics', [extraBodyOption]),
	optionsFor('get', fileOptions),
];
