/**
 * POST /v1/audio/speech (JSON in, audio bytes out) and POST /v1/audio/transcriptions |
 * translations (multipart in, text out), with OpenAI's rules: speech input up to 4096
 * characters, the voices, formats and speed range; uploads up to 25 MB in an audio container,
 * the response formats, timestamp granularities for verbose_json only, and the gpt-4o
 * transcribe models' json / text only.
 *
 * A transcript is the text the file's metadata carries (the speech route puts it there), then
 * "[sandbox heard <size> bytes of <type> in <file name>]", so tests see what arrived.
 */
import { unavailableModel } from './chat';
import {
	encodeSpeech,
	readUpload,
	SPEECH_CONTENT_TYPES,
	SPEECH_FORMATS,
	speechSeconds,
	type SpeechFormat,
	type UploadInfo,
} from './audio-bytes';
import { relayError } from './relay-errors';
import { json, raw, type RouteResult } from './responses';
import type { RouteContext } from './state';
import type { RecordedForm } from './types';

export const MAX_SPEECH_INPUT = 4096;
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
const VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse'];
const TRANSCRIPT_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt'];
const UPLOAD_MIME: Record<UploadInfo['format'], string> = {
	wav: 'audio/wav',
	flac: 'audio/flac',
	mp3: 'audio/mpeg',
	aac: 'audio/aac',
	ogg: 'audio/ogg',
	mp4: 'audio/mp4',
	webm: 'audio/webm',
};
/** What verbose_json calls the languages a test is likely to send; other codes come back as given. */
const LANGUAGE_NAMES: Record<string, string> = { en: 'english', zh: 'chinese', de: 'german', fr: 'french', es: 'spanish', ja: 'japanese' };
const ACCEPTED_EXTENSIONS = ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm'];

function isObject(value: unknown): value is Record<string, any> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string, param: string, ctx: RouteContext, code = 'invalid_value'): RouteResult {
	return json(400, relayError(`${message} (request id: ${ctx.requestId})`, 'invalid_request_error', code, param));
}

export function handleSpeech(body: unknown, ctx: RouteContext): RouteResult {
	if (!isObject(body)) return invalid('request body must be a JSON object', '', ctx, 'invalid_request');
	const { model, input, voice } = body;
	if (typeof model !== 'string' || model === '') return invalid('field model is required', 'model', ctx, 'invalid_request');
	if (model.startsWith('unavailable-')) return unavailableModel(model, ctx.requestId);
	if (typeof input !== 'string' || input === '') return invalid("Missing required parameter: 'input'.", 'input', ctx, 'missing_required_parameter');
	if (input.length > MAX_SPEECH_INPUT) {
		return invalid(
			`[{'type': 'string_too_long', 'loc': ('body', 'input'), 'msg': 'String should have at most ${MAX_SPEECH_INPUT} characters'}]`,
			'input',
			ctx,
			'string_too_long',
		);
	}
	if (typeof voice !== 'string' || voice === '') return invalid("Missing required parameter: 'voice'.", 'voice', ctx, 'missing_required_parameter');
	if (!VOICES.includes(voice)) {
		return invalid(`Invalid value: '${voice}'. Supported values are: ${VOICES.map((v) => `'${v}'`).join(', ')}.`, 'voice', ctx);
	}
	const format = (body.response_format ?? 'mp3') as SpeechFormat;
	if (!SPEECH_FORMATS.includes(format)) {
		return invalid(`Invalid value: '${String(format)}'. Supported values are: ${SPEECH_FORMATS.map((f) => `'${f}'`).join(', ')}.`, 'response_format', ctx);
	}
	const speed = body.speed ?? 1;
	if (typeof speed !== 'number' || speed < 0.25 || speed > 4) {
		return invalid(`Invalid 'speed': expected a number from 0.25 to 4, got ${JSON.stringify(speed)}.`, 'speed', ctx);
	}
	if (body.instructions !== undefined && /^tts-1/.test(model)) {
		return invalid(`'instructions' is not supported by ${model}; use gpt-4o-mini-tts.`, 'instructions', ctx, 'unsupported_parameter');
	}
	const bytes = encodeSpeech(format, input, speechSeconds(input, speed));
	return raw(200, SPEECH_CONTENT_TYPES[format], bytes);
}

export type TranscriptionTask = 'transcribe' | 'translate';

function field(form: RecordedForm, name: string): string | undefined {
	return form.fields[name]?.[0];
}

function timestamp(seconds: number, separator: ',' | '.'): string {
	const ms = Math.round(seconds * 1000);
	const pad = (n: number, width = 2) => String(n).padStart(width, '0');
	return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${separator}${pad(ms % 1000, 3)}`;
}

export function handleTranscription(form: RecordedForm | { error: string } | undefined, task: TranscriptionTask, ctx: RouteContext): RouteResult {
	if (form === undefined) return invalid('Content-Type must be multipart/form-data', '', ctx, 'invalid_request');
	if ('error' in form) return invalid(`could not parse multipart form: ${form.error}`, '', ctx, 'invalid_request');
	const model = field(form, 'model');
	if (!model) return invalid("Missing required parameter: 'model'.", 'model', ctx, 'missing_required_parameter');
	if (model.startsWith('unavailable-')) return unavailableModel(model, ctx.requestId);
	const file = form.files.find((entry) => entry.name === 'file');
	if (!file) return invalid("Missing required parameter: 'file'.", 'file', ctx, 'missing_required_parameter');
	if (file.bytes.length > MAX_UPLOAD_BYTES) {
		return json(413, relayError(`Maximum content size limit (${MAX_UPLOAD_BYTES}) exceeded (${file.bytes.length} bytes read)`, 'invalid_request_error', 'file_too_large', 'file'));
	}
	const upload = readUpload(file.bytes);
	if (!upload) {
		return invalid(`Invalid file format. Supported formats: ${JSON.stringify(ACCEPTED_EXTENSIONS)}`, 'file', ctx, 'invalid_file_format');
	}

	const format = field(form, 'response_format') ?? 'json';
	if (!TRANSCRIPT_FORMATS.includes(format)) {
		return invalid(`Invalid value: '${format}'. Supported values are: ${TRANSCRIPT_FORMATS.map((f) => `'${f}'`).join(', ')}.`, 'response_format', ctx);
	}
	if (/^gpt-4o/.test(model) && format !== 'json' && format !== 'text') {
		return invalid(`response_format '${format}' is not compatible with model '${model}'. Use 'json' or 'text'.`, 'response_format', ctx, 'unsupported_value');
	}
	const granularities = form.fields['timestamp_granularities[]'] ?? [];
	for (const granularity of granularities) {
		if (granularity !== 'word' && granularity !== 'segment') {
			return invalid(`Invalid value: '${granularity}'. Supported values are: 'word' and 'segment'.`, 'timestamp_granularities', ctx);
		}
	}
	if (granularities.length > 0 && format !== 'verbose_json') {
		return invalid("timestamp_granularities requires response_format 'verbose_json'.", 'timestamp_granularities', ctx);
	}
	const temperature = field(form, 'temperature');
	if (temperature !== undefined && !(Number(temperature) >= 0 && Number(temperature) <= 1)) {
		return invalid(`Invalid 'temperature': expected a number from 0 to 1, got '${temperature}'.`, 'temperature', ctx);
	}
	const language = task === 'transcribe' ? field(form, 'language') : undefined;
	if (language !== undefined && !/^[a-z]{2}$/.test(language)) {
		return invalid(`Invalid language '${language}'. Language parameter must be specified in ISO-639-1 format.`, 'language', ctx);
	}

	const type = UPLOAD_MIME[upload.format];
	const heard = `[sandbox heard ${file.bytes.length} bytes of ${type} in ${file.fileName || 'an unnamed file'}]`;
	const spoken = upload.spokenText?.trim();
	const words = task === 'translate' && spoken ? `English: ${spoken}` : spoken;
	const text = words ? `${words} ${heard}` : heard;
	const duration = upload.seconds ?? 1;

	if (format === 'text') return raw(200, 'text/plain; charset=utf-8', `${text}\n`);
	if (format === 'srt') return raw(200, 'text/plain; charset=utf-8', `1\n${timestamp(0, ',')} --> ${timestamp(duration, ',')}\n${text}\n\n`);
	if (format === 'vtt') return raw(200, 'text/vtt; charset=utf-8', `WEBVTT\n\n${timestamp(0, '.')} --> ${timestamp(duration, '.')}\n${text}\n\n`);
	if (format === 'json') return json(200, { text, usage: { type: 'duration', seconds: Math.ceil(duration) } });

	const answer: Record<string, unknown> = {
		task: task === 'translate' ? 'translate' : 'transcribe',
		language: task === 'translate' || language === undefined ? 'english' : LANGUAGE_NAMES[language] ?? language,
		duration,
		text,
	};
	if (granularities.length === 0 || granularities.includes('segment')) {
		answer.segments = [
			{ id: 0, seek: 0, start: 0, end: duration, text: ` ${text}`, tokens: [], temperature: Number(temperature ?? 0), avg_logprob: -0.2, compression_ratio: 1, no_speech_prob: 0.01 },
		];
	}
	if (granularities.includes('word')) {
		const parts = text.split(/\s+/).filter(Boolean);
		const step = duration / parts.length;
		answer.words = parts.map((word, i) => ({ word, start: +(i * step).toFixed(3), end: +((i + 1) * step).toFixed(3) }));
	}
	return json(200, answer);
}
