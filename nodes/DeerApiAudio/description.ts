import type { INodeProperties } from 'n8n-workflow';

import { maxRetriesOption, timeoutOption } from '../shared/n8n/client';
import { extraBodyOption, modelLocator } from '../shared/n8n/parameters';
import { maxConcurrencyOption } from '../shared/n8n/runner';

export type Operation = 'textToSpeech' | 'transcribe' | 'translate';

export const DEFAULT_SPEECH_MODEL = 'tts-1';
export const DEFAULT_TRANSCRIPTION_MODEL = 'whisper-1';
export const DEFAULT_BINARY_PROPERTY = 'data';
export const VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse'];
export const SPEECH_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;
export const TRANSCRIPT_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt'] as const;
export type SpeechFormat = (typeof SPEECH_FORMATS)[number];
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

const speech = { operation: ['textToSpeech'] };
const listening = { operation: ['transcribe', 'translate'] };

export const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'textToSpeech',
		options: [
			{
				name: 'Text to Speech',
				value: 'textToSpeech',
				action: 'Generate speech from text',
				description: 'POST /v1/audio/speech: read a text aloud (tts-1, tts-1-hd, gpt-4o-mini-tts) into an audio file',
			},
			{
				name: 'Transcribe',
				value: 'transcribe',
				action: 'Transcribe a recording',
				description: 'POST /v1/audio/transcriptions: the text of a recording in its own language (whisper-1, gpt-4o-transcribe)',
			},
			{
				name: 'Translate to English',
				value: 'translate',
				action: 'Translate a recording',
				description: 'POST /v1/audio/translations: the English text of a recording in any language (whisper-1)',
			},
		],
	},
	{
		...modelLocator({ searchMethod: 'searchAudioModels', defaultId: DEFAULT_SPEECH_MODEL, placeholder: 'e.g. gpt-4o-mini-tts' }),
		displayOptions: { show: speech },
	},
	{
		...modelLocator({
			searchMethod: 'searchAudioModels',
			defaultId: DEFAULT_TRANSCRIPTION_MODEL,
			placeholder: 'e.g. gpt-4o-transcribe',
		}),
		displayOptions: { show: listening },
	},
	{
		displayName: 'Text',
		name: 'input',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.description }}',
		typeOptions: { rows: 4 },
		description: 'The text to read aloud, at most 4096 characters for OpenAI\'s speech models',
		displayOptions: { show: speech },
	},
	{
		displayName: 'Voice',
		name: 'voice',
		type: 'options',
		default: 'alloy',
		options: VOICES.map((voice) => ({ name: voice[0].toUpperCase() + voice.slice(1), value: voice })),
		description: 'The voice to read with. Ballad and verse are for gpt-4o-mini-tts. An expression may name a voice of another relay model.',
		displayOptions: { show: speech },
	},
	{
		displayName: 'Input Data Field Name',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: DEFAULT_BINARY_PROPERTY,
		hint: 'The name of the input binary field holding the recording',
		description: 'The recording to send: FLAC, MP3, MP4 / M4A, MPEG, OGG / Opus, WAV or WebM, at most 25 MB',
		displayOptions: { show: listening },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: speech },
		options: [
			extraBodyOption,
			{
				displayName: 'Instructions',
				name: 'instructions',
				type: 'string',
				default: '',
				typeOptions: { rows: 2 },
				placeholder: 'e.g. Speak in a cheerful, friendly tone',
				description: 'How to speak: tone, accent, pace. Only gpt-4o-mini-tts takes it; tts-1 models reject it.',
			},
			maxConcurrencyOption,
			maxRetriesOption,
			{
				displayName: 'Put Output in Field',
				name: 'binaryPropertyOutput',
				type: 'string',
				default: DEFAULT_BINARY_PROPERTY,
				hint: 'The name of the output binary field to put the audio file in',
			},
			{
				displayName: 'Response Format',
				name: 'responseFormat',
				type: 'options',
				default: 'mp3',
				options: [
					{ name: 'AAC', value: 'aac', description: 'For digital audio compression, preferred by YouTube, Android, iOS' },
					{ name: 'FLAC', value: 'flac', description: 'Lossless' },
					{ name: 'MP3', value: 'mp3', description: 'The default' },
					{ name: 'Opus', value: 'opus', description: 'In an Ogg file, for streaming and low latency' },
					{ name: 'PCM', value: 'pcm', description: 'Raw 24 kHz 16-bit mono samples, no header' },
					{ name: 'WAV', value: 'wav', description: 'Uncompressed, low latency to decode' },
				],
				description: 'The audio format. The output file\'s MIME type and extension come from the bytes the relay sends.',
			},
			{
				displayName: 'Speed',
				name: 'speed',
				type: 'number',
				default: 1,
				typeOptions: { minValue: 0.25, maxValue: 4, numberPrecision: 2 },
				description: 'How fast to speak, from 0.25 to 4',
			},
			timeoutOption,
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: listening },
		options: [
			extraBodyOption,
			{
				displayName: 'Language',
				name: 'language',
				type: 'string',
				default: '',
				placeholder: 'e.g. en',
				description: 'The language of the recording as an ISO-639-1 code (en, zh, de, ...): better accuracy and speed. Not sent for translations.',
				displayOptions: { show: { '/operation': ['transcribe'] } },
			},
			maxConcurrencyOption,
			maxRetriesOption,
			{
				displayName: 'Prompt',
				name: 'prompt',
				type: 'string',
				default: '',
				typeOptions: { rows: 2 },
				description: 'Text that guides the style or spells names and terms the recording uses; in the recording\'s language (English for translations)',
			},
			{
				displayName: 'Put Subtitles in Field',
				name: 'binaryPropertyOutput',
				type: 'string',
				default: DEFAULT_BINARY_PROPERTY,
				hint: 'For SRT and VTT: the output binary field the subtitle file goes in',
			},
			{
				displayName: 'Response Format',
				name: 'responseFormat',
				type: 'options',
				default: 'json',
				options: [
					{ name: 'JSON', value: 'json', description: 'The text' },
					{ name: 'SRT', value: 'srt', description: 'Subtitles, as text and as an .srt file (whisper-1)' },
					{ name: 'Text', value: 'text', description: 'The text, as the relay writes it' },
					{ name: 'Verbose JSON', value: 'verbose_json', description: 'The text with language, duration, segments and words (whisper-1)' },
					{ name: 'VTT', value: 'vtt', description: 'WebVTT subtitles, as text and as a .vtt file (whisper-1)' },
				],
				description: 'What the relay answers. gpt-4o-transcribe models take JSON and Text only.',
			},
			{
				displayName: 'Temperature',
				name: 'temperature',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
				description: 'Sampling temperature from 0 to 1: higher is more random. 0 lets the model choose.',
			},
			{
				displayName: 'Timestamp Granularities',
				name: 'timestampGranularities',
				type: 'multiOptions',
				default: [],
				options: [
					{ name: 'Segment', value: 'segment' },
					{ name: 'Word', value: 'word' },
				],
				description: 'Timestamps to add, with Response Format "Verbose JSON" only (sent as timestamp_granularities[])',
			},
			timeoutOption,
		],
	},
];
