import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { sniffAudioType, type MediaType } from '../shared/transport/file-types';
import { MAX_AUDIO_UPLOAD_BYTES, TRANSCRIBABLE } from './formats';
import { readInputFile } from '../shared/n8n/binary';
import { invalidParameter } from '../shared/n8n/errors';
import { mergeExtraBody, readModel, readRequiredText, readText, textOf } from '../shared/n8n/parameters';
import type { MultipartBody } from '../shared/transport';
import {
	DEFAULT_BINARY_PROPERTY,
	SPEECH_FORMATS,
	TRANSCRIPT_FORMATS,
	VOICES,
	type SpeechFormat,
	type TranscriptFormat,
} from './description';

/** OpenAI's speech models read at most 4096 characters; a relay's other models have their own limits. */
const SPEECH_INPUT_LIMITS: Array<[RegExp, number]> = [[/^(tts-1|gpt-4o(-mini)?-tts)/i, 4096]];

export interface SpeechRequest {
	model: string;
	format: SpeechFormat;
	body: IDataObject;
	binaryProperty: string;
}

export interface TranscriptionRequest {
	model: string;
	format: TranscriptFormat;
	/** The form's text fields; the file is read again when its request goes (see transcriptionForm). */
	fields: MultipartBody['fields'];
	/** The input binary field holding the recording, checked to be audio the API takes. */
	inputProperty: string;
	/** What the answer is: JSON (json, verbose_json) or text (text, srt, vtt). */
	expect: 'json' | 'text';
	/** The name the recording is sent under (extension from its bytes), also the subtitle file's base. */
	fileName: string;
	/** The recording's MIME type, from its bytes. */
	contentType: string;
	binaryProperty: string;
}

function outputField(context: IExecuteFunctions, itemIndex: number, options: IDataObject, field: string): string {
	const value = options.binaryPropertyOutput === undefined ? DEFAULT_BINARY_PROPERTY : textOf(options.binaryPropertyOutput).trim();
	if (!value) {
		throw invalidParameter(context.getNode(), itemIndex, field, 'is empty', 'Enter a binary field name such as "data".');
	}
	return value;
}

/** The speech limit of a model in characters, when we know it. */
export function speechInputLimit(model: string): number | undefined {
	return SPEECH_INPUT_LIMITS.find(([pattern]) => pattern.test(model))?.[1];
}

export function readSpeechRequest(context: IExecuteFunctions, itemIndex: number): SpeechRequest {
	const node = context.getNode();
	const model = readModel(context, itemIndex);
	const input = readRequiredText(context, itemIndex, 'input', 'Text', 'Enter the text to read aloud.');
	const limit = speechInputLimit(model);
	const length = [...input].length;
	if (limit !== undefined && length > limit) {
		throw invalidParameter(
			node,
			itemIndex,
			'Text',
			`is ${length} characters long; ${model} reads at most ${limit}`,
			'Split the text into parts (e.g. by paragraph) and send one item per part.',
		);
	}
	const voice = readText(context, itemIndex, 'voice', 'alloy').trim();
	if (!voice) throw invalidParameter(node, itemIndex, 'Voice', 'is empty', `OpenAI's voices: ${VOICES.join(', ')}.`);

	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const format = (options.responseFormat ?? 'mp3') as SpeechFormat;
	if (!SPEECH_FORMATS.includes(format)) {
		throw invalidParameter(node, itemIndex, 'Response Format', `"${String(format)}" is not one of ${SPEECH_FORMATS.join(', ')}`);
	}
	const body: IDataObject = { model, input, voice };
	// mp3 is the API's default: leaving it out keeps the request minimal for relays that are strict.
	if (options.responseFormat !== undefined) body.response_format = format;
	if (options.speed !== undefined) {
		const speed = options.speed;
		if (typeof speed !== 'number' || !(speed >= 0.25 && speed <= 4)) {
			throw invalidParameter(node, itemIndex, 'Speed', `must be from 0.25 to 4, got ${String(speed)}`);
		}
		body.speed = speed;
	}
	const instructions = textOf(options.instructions).trim();
	if (instructions) {
		if (/^tts-1/i.test(model)) {
			throw invalidParameter(node, itemIndex, 'Instructions', `${model} does not take instructions`, 'Use gpt-4o-mini-tts, or remove the option.');
		}
		body.instructions = instructions;
	}
	return {
		model,
		format,
		body: mergeExtraBody(context, itemIndex, body, options.extraBody),
		binaryProperty: outputField(context, itemIndex, options, 'Put Output in Field'),
	};
}

/** The extension OpenAI reads the upload's format from: it takes .ogg, not .opus. */
function uploadExtension(type: MediaType): string {
	return type.extension === 'opus' ? 'ogg' : type.extension;
}

/** The recording's name with the extension its bytes call for. */
function uploadName(declared: string | undefined, type: MediaType): string {
	const base = (declared ?? '').replace(/\.[^./\\]*$/, '').replace(/[\\/]/g, '_').trim() || 'audio';
	return `${base}.${uploadExtension(type)}`;
}

export async function readTranscriptionRequest(
	context: IExecuteFunctions,
	itemIndex: number,
	task: 'transcribe' | 'translate',
): Promise<TranscriptionRequest> {
	const node = context.getNode();
	const model = readModel(context, itemIndex);
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const inputField = 'Input Data Field Name';
	const property = readText(context, itemIndex, 'binaryPropertyName', DEFAULT_BINARY_PROPERTY).trim();
	if (!property) throw invalidParameter(node, itemIndex, inputField, 'is empty', 'Enter the binary field holding the recording, e.g. "data".');

	const format = (options.responseFormat ?? 'json') as TranscriptFormat;
	if (!TRANSCRIPT_FORMATS.includes(format)) {
		throw invalidParameter(node, itemIndex, 'Response Format', `"${String(format)}" is not one of ${TRANSCRIPT_FORMATS.join(', ')}`);
	}
	const granularities = Array.isArray(options.timestampGranularities) ? (options.timestampGranularities as string[]) : [];
	if (granularities.length > 0 && format !== 'verbose_json') {
		throw invalidParameter(
			node,
			itemIndex,
			'Timestamp Granularities',
			`need Response Format "Verbose JSON", got "${format}"`,
			'Set Response Format to Verbose JSON, or remove the option.',
		);
	}
	const fields: MultipartBody['fields'] = [];
	const addField = (name: string, value: string) => fields.push({ name, value });
	addField('model', model);
	const language = task === 'transcribe' ? textOf(options.language).trim().toLowerCase() : '';
	if (language) {
		if (!/^[a-z]{2}$/.test(language)) {
			throw invalidParameter(node, itemIndex, 'Language', `"${String(options.language)}" is not an ISO-639-1 code`, 'Use a two-letter code such as en, zh, de or ja.');
		}
		addField('language', language);
	}
	const prompt = textOf(options.prompt).trim();
	if (prompt) addField('prompt', prompt);
	if (options.responseFormat !== undefined) addField('response_format', format);
	if (options.temperature !== undefined) {
		const temperature = options.temperature;
		if (typeof temperature !== 'number' || !(temperature >= 0 && temperature <= 1)) {
			throw invalidParameter(node, itemIndex, 'Temperature', `must be from 0 to 1, got ${String(temperature)}`);
		}
		addField('temperature', String(temperature));
	}
	for (const granularity of granularities) addField('timestamp_granularities[]', granularity);
	const extra = mergeExtraBody(context, itemIndex, {}, options.extraBody);
	for (const [name, value] of Object.entries(extra)) {
		addField(name, typeof value === 'string' ? value : JSON.stringify(value));
	}

	const { data, bytes, label } = await readInputFile(context, itemIndex, property, inputField);
	if (bytes.length > MAX_AUDIO_UPLOAD_BYTES) {
		throw invalidParameter(
			node,
			itemIndex,
			inputField,
			`the recording "${data.fileName ?? property}" is ${bytes.length} bytes (${(bytes.length / 1024 / 1024).toFixed(1)} MB); the API takes at most 25 MB (${MAX_AUDIO_UPLOAD_BYTES} bytes)`,
			'Split it, or compress it (e.g. to MP3 or Opus at a lower bitrate) first.',
		);
	}
	const type = sniffAudioType(bytes);
	if (!type || type.extension === 'aac') {
		const what = label ? ` (${label})` : '';
		throw invalidParameter(
			node,
			itemIndex,
			inputField,
			type
				? `the binary field "${property}" is AAC, which the API does not take${what}`
				: `the binary field "${property}" is not a recording the API takes${what}`,
			`The API takes ${TRANSCRIBABLE} files, told by their content.`,
		);
	}
	return {
		model,
		format,
		fields,
		inputProperty: property,
		expect: format === 'json' || format === 'verbose_json' ? 'json' : 'text',
		fileName: uploadName(data.fileName, type),
		contentType: type.mimeType,
		binaryProperty: outputField(context, itemIndex, options, 'Put Subtitles in Field'),
	};
}

/**
 * The multipart body of a checked request. The recording is read again here rather than kept
 * from the check: every item is checked before the first request, and keeping each item's file
 * (up to 25 MB) until its turn would hold them all in memory at once; this way only the requests
 * in flight hold theirs.
 */
export async function transcriptionForm(
	context: IExecuteFunctions,
	itemIndex: number,
	request: TranscriptionRequest,
): Promise<MultipartBody> {
	const { bytes } = await readInputFile(context, itemIndex, request.inputProperty, 'Input Data Field Name');
	return {
		fields: request.fields,
		files: [{ name: 'file', bytes, fileName: request.fileName, contentType: request.contentType }],
	};
}
