/**
 * DeerAPI Audio as real n8n workflows against the sandbox: Text to Speech (the JSON sent, the
 * audio bytes and their MIME type and extension), Transcribe and Translate (the multipart the
 * sandbox parsed, each response format, subtitles as files), validation before sending,
 * Continue On Fail and cancel.
 */
import { NodeApiError, type INodeExecutionData } from 'n8n-workflow';

import { DeerApiAudio } from '../../../nodes/DeerApiAudio/DeerApiAudio.node';
import { toBinaryData } from '../../../harness/workflow';
import { everythingVisible, model } from '../image-generate/helpers';
import { useRelayNode } from '../relay-node';

const SPEECH = '/v1/audio/speech';
const TRANSCRIPTIONS = '/v1/audio/transcriptions';
const TRANSLATIONS = '/v1/audio/translations';
const NODE = 'Audio';
const API_KEY = 'sk-audio-node-test-2c8d41';
const { ctx, run } = useRelayNode({
	nodeType: 'n8n-nodes-deerapi-relay.deerApiAudio',
	node: new DeerApiAudio(),
	nodeName: NODE,
	apiKey: API_KEY,
});

const requests = (path: string) => ctx.sandbox.requests.filter((request) => request.path === path);

/** The sandbox's speech for a text, asked directly: a recording to transcribe. */
async function recording(text: string, format = 'mp3'): Promise<Buffer> {
	const response = await fetch(`${ctx.sandbox.url}${SPEECH}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'tts-1', input: text, voice: 'alloy', response_format: format }),
	});
	return Buffer.from(await response.arrayBuffer());
}

async function audioItem(bytes: Buffer, fileName: string, mimeType: string, field = 'data'): Promise<INodeExecutionData> {
	return { json: {}, binary: { [field]: await toBinaryData(bytes, fileName, mimeType) } };
}

describe('Text to Speech', () => {
	test('defaults: sends model, input and voice; emits the mp3 as binary with MIME type and extension from the bytes', async () => {
		const result = await run({ operation: 'textToSpeech', input: 'Our new kettle boils in two minutes' });
		const sent = requests(SPEECH);
		expect(sent).toHaveLength(1);
		expect(sent[0].body).toEqual({ model: 'tts-1', input: 'Our new kettle boils in two minutes', voice: 'alloy' });
		const [item] = result.output(NODE);
		const bytes = await result.binary(NODE, 0);
		expect(bytes.equals(await recording('Our new kettle boils in two minutes'))).toBe(true);
		expect(item.json).toEqual({
			model: 'tts-1',
			voice: 'alloy',
			format: 'mp3',
			mimeType: 'audio/mpeg',
			fileName: 'speech.mp3',
			fileSize: bytes.length,
		});
		expect(item.binary!.data).toMatchObject({ mimeType: 'audio/mpeg', fileName: 'speech.mp3', fileExtension: 'mp3' });
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(everythingVisible(result)).not.toContain(API_KEY);
	});

	test.each([
		['opus', 'audio/ogg', 'opus'],
		['aac', 'audio/aac', 'aac'],
		['flac', 'audio/flac', 'flac'],
		['wav', 'audio/wav', 'wav'],
	])('%s: every option sent; the file is %s .%s', async (format, mimeType, extension) => {
		const result = await run({
			operation: 'textToSpeech',
			model: model('gpt-4o-mini-tts'),
			input: 'Hello',
			voice: 'coral',
			options: { responseFormat: format, speed: 1.5, instructions: 'Cheerful', binaryPropertyOutput: 'audio' },
		});
		expect(requests(SPEECH)[0].body).toEqual({
			model: 'gpt-4o-mini-tts',
			input: 'Hello',
			voice: 'coral',
			response_format: format,
			speed: 1.5,
			instructions: 'Cheerful',
		});
		const [item] = result.output(NODE);
		expect(item.binary!.audio).toMatchObject({ mimeType, fileName: `speech.${extension}`, fileExtension: extension });
		expect(item.json).toMatchObject({ format: extension, mimeType, voice: 'coral', model: 'gpt-4o-mini-tts' });
		expect(item.json.note).toBeUndefined();
	});

	test('pcm is audio/L16 with a note on what the raw samples are', async () => {
		const result = await run({ operation: 'textToSpeech', input: 'Raw', options: { responseFormat: 'pcm' } });
		const [item] = result.output(NODE);
		expect(item.json).toMatchObject({
			format: 'pcm',
			mimeType: 'audio/L16;rate=24000;channels=1',
			note: 'Raw PCM: 24 kHz, 16-bit signed little-endian, mono, no header',
		});
		expect(item.binary!.data.fileName).toBe('speech.pcm');
		expect((await result.binary(NODE, 0)).length % 2).toBe(0);
	});

	test('the MIME type follows the bytes, not the label: WAV bytes labelled audio/mpeg are a .wav', async () => {
		const wav = await recording('x', 'wav');
		ctx.sandbox.fault({ path: SPEECH, status: 200, body: wav, headers: { 'content-type': 'audio/mpeg' } });
		const result = await run({ operation: 'textToSpeech', input: 'x' });
		const [item] = result.output(NODE);
		expect(item.json).toMatchObject({ format: 'wav', mimeType: 'audio/wav' });
	});

	test('text over the model limit fails before sending, naming the limit', async () => {
		const result = await run({ operation: 'textToSpeech', input: '語'.repeat(4097) });
		expect(result.status).toBe('error');
		expect(result.error!.message).toBe('Text: is 4097 characters long; tts-1 reads at most 4096');
		expect(requests(SPEECH)).toHaveLength(0);
		const exactly = await run({ operation: 'textToSpeech', input: '語'.repeat(4096), options: { responseFormat: 'pcm' } });
		expect(exactly.status).toBe('success');
	});

	test('an invalid item fails the node before any item is sent; under Continue On Fail it fails alone', async () => {
		const input = [{ json: { t: 'one' } }, { json: { t: '' } }, { json: { t: 'three' } }];
		const failed = await run({ operation: 'textToSpeech', input: '={{ $json.t }}' }, { input });
		expect(failed.error!.message).toBe('Text: is empty');
		expect((failed.error as unknown as { context: { itemIndex: number } }).context.itemIndex).toBe(1);
		expect(requests(SPEECH)).toHaveLength(0);

		const result = await run({ operation: 'textToSpeech', input: '={{ $json.t }}' }, { input, continueOnFail: true });
		const output = result.output(NODE);
		expect(output.map((item) => item.json.error ?? item.json.fileName)).toEqual(['speech.mp3', 'Text: is empty', 'speech.mp3']);
		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));
		expect(requests(SPEECH).map((request) => request.body.input)).toEqual(['one', 'three']);
	});

	test('Instructions with tts-1 fail before sending', async () => {
		const result = await run({ operation: 'textToSpeech', input: 'x', options: { instructions: 'whisper' } });
		expect(result.error!.message).toBe('Instructions: tts-1 does not take instructions');
		expect(requests(SPEECH)).toHaveLength(0);
	});

	test('a JSON error on a 200 is an error, not an audio file', async () => {
		ctx.sandbox.fault({ path: SPEECH, status: 200, body: { error: { message: 'upstream quota exhausted', type: 'upstream_error' } } });
		const result = await run({ operation: 'textToSpeech', input: 'x' });
		expect(result.status).toBe('error');
		expect(result.error!.message).toMatch(/upstream quota exhausted/);
	});

	test('cancelling the execution aborts the request in flight', async () => {
		ctx.sandbox.fault({ path: SPEECH, latencyMs: 5000 });
		const controller = new AbortController();
		const started = Date.now();
		setTimeout(() => controller.abort(), 200);
		const result = await run({ operation: 'textToSpeech', input: 'x' }, { run: { signal: controller.signal } });
		expect(result.status).toBe('canceled');
		expect(Date.now() - started).toBeLessThan(3000);
	});
});

describe('Transcribe and Translate', () => {
	test('defaults: the multipart carries the model and the file, named and typed by its bytes', async () => {
		const mp3 = await recording('The blue kettle is on sale');
		const input = [await audioItem(mp3, 'voice-note.bin', 'application/octet-stream')];
		const result = await run({ operation: 'transcribe' }, { input });
		const [sent] = requests(TRANSCRIPTIONS);
		expect(sent.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
		expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);
		expect(sent.form!.fields).toEqual({ model: ['whisper-1'] });
		expect(sent.form!.files).toHaveLength(1);
		expect(sent.form!.files[0]).toMatchObject({ name: 'file', fileName: 'voice-note.mp3', contentType: 'audio/mpeg' });
		expect(sent.form!.files[0].bytes.equals(mp3)).toBe(true);
		const [item] = result.output(NODE);
		expect(item.json).toEqual({
			text: `The blue kettle is on sale [sandbox heard ${mp3.length} bytes of audio/mpeg in voice-note.mp3]`,
			usage: { type: 'duration', seconds: 1 },
			model: 'whisper-1',
		});
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(everythingVisible(result)).not.toContain(API_KEY);
	});

	test('every option goes into the form; verbose_json gives segments and words', async () => {
		const wav = await recording('Cheap tea today', 'wav');
		const input = [await audioItem(wav, 'tea.wav', 'audio/wav', 'rec')];
		const result = await run(
			{
				operation: 'transcribe',
				binaryPropertyName: 'rec',
				options: {
					language: 'EN',
					prompt: 'tea, kettle',
					responseFormat: 'verbose_json',
					temperature: 0.2,
					timestampGranularities: ['word', 'segment'],
					extraBody: '{"chunking_strategy": "auto"}',
				},
			},
			{ input },
		);
		const [sent] = requests(TRANSCRIPTIONS);
		expect(sent.form!.fields).toEqual({
			model: ['whisper-1'],
			language: ['en'],
			prompt: ['tea, kettle'],
			response_format: ['verbose_json'],
			temperature: ['0.2'],
			'timestamp_granularities[]': ['word', 'segment'],
			chunking_strategy: ['auto'],
		});
		const [item] = result.output(NODE);
		expect(item.json).toMatchObject({ task: 'transcribe', language: 'english', text: expect.stringMatching(/^Cheap tea today \[/), model: 'whisper-1' });
		expect(item.json.duration).toBeCloseTo(0.9, 2);
		expect(item.json.segments).toHaveLength(1);
		expect((item.json.words as Array<{ word: string }>)[0].word).toBe('Cheap');
	});

	test('text: the transcript without the trailing newline', async () => {
		const input = [await audioItem(await recording('Plain words', 'flac'), 'a.flac', 'audio/flac')];
		const result = await run({ operation: 'transcribe', options: { responseFormat: 'text' } }, { input });
		expect(result.output(NODE)[0].json.text).toMatch(/^Plain words \[sandbox heard \d+ bytes of audio\/flac in a\.flac\]$/);
	});

	test.each([
		['srt', 'application/x-subrip', /^1\n00:00:00,000 --> /],
		['vtt', 'text/vtt', /^WEBVTT\n\n00:00:00\.000 --> /],
	])('%s: the subtitles as text and as a file named after the recording', async (format, mimeType, start) => {
		const input = [await audioItem(await recording('Subtitle me', 'opus'), 'clip.opus', 'audio/opus')];
		const result = await run({ operation: 'transcribe', options: { responseFormat: format, binaryPropertyOutput: 'subtitles' } }, { input });
		expect(requests(TRANSCRIPTIONS)[0].form!.files[0]).toMatchObject({ fileName: 'clip.ogg', contentType: 'audio/ogg' });
		const [item] = result.output(NODE);
		expect(item.json.text).toMatch(start);
		expect(item.json.text).toContain('Subtitle me [sandbox heard');
		expect(item.json.format).toBe(format);
		expect(item.binary!.subtitles).toMatchObject({ mimeType, fileName: `clip.${format}`, fileExtension: format });
		expect((await result.binary(NODE, 0, 'subtitles')).toString('utf8')).toBe(item.json.text);
	});

	test('Translate to English posts to /translations without a language', async () => {
		const input = [await audioItem(await recording('Guten Morgen', 'wav'), 'de.wav', 'audio/wav')];
		const result = await run({ operation: 'translate', options: { prompt: 'greetings' } }, { input });
		expect(requests(TRANSCRIPTIONS)).toHaveLength(0);
		const [sent] = requests(TRANSLATIONS);
		expect(sent.form!.fields).toEqual({ model: ['whisper-1'], prompt: ['greetings'] });
		expect(result.output(NODE)[0].json.text).toMatch(/^English: Guten Morgen \[sandbox heard/);
	});

	test.each([
		['no such field', async () => [{ json: {} }], 'Input Data Field Name: the input item has no binary field "data"'],
		[
			'not audio',
			async () => [await audioItem(Buffer.from('<html><body>Login</body></html>'), 'a.mp3', 'audio/mpeg')],
			'Input Data Field Name: the binary field "data" is not a recording the API takes (audio/mpeg, a.mp3)',
		],
		[
			'AAC',
			async () => [await audioItem(await recording('x', 'aac'), 'a.aac', 'audio/aac')],
			'Input Data Field Name: the binary field "data" is AAC, which the API does not take (audio/aac, a.aac)',
		],
		[
			'over 25 MB',
			async () => {
				const wav = await recording('x', 'wav');
				// One byte over the limit.
				return [await audioItem(Buffer.concat([wav, Buffer.alloc(25 * 1024 * 1024 + 1 - wav.length)]), 'big.wav', 'audio/wav')];
			},
			'Input Data Field Name: the recording "big.wav" is 26214401 bytes (25.0 MB); the API takes at most 25 MB (26214400 bytes)',
		],
	])('%s fails before sending, naming the field', async (_, input, message) => {
		const result = await run({ operation: 'transcribe' }, { input: await input() });
		expect(result.status).toBe('error');
		expect(result.error!.message).toBe(message);
		expect(requests(TRANSCRIPTIONS)).toHaveLength(0);
	});

	test.each([
		[{ timestampGranularities: ['word'] }, 'Timestamp Granularities: need Response Format "Verbose JSON", got "json"'],
		[{ language: 'English' }, 'Language: "English" is not an ISO-639-1 code'],
	])('options %j fail before sending', async (options, message) => {
		const input = [await audioItem(await recording('x', 'wav'), 'a.wav', 'audio/wav')];
		const result = await run({ operation: 'transcribe', options }, { input });
		expect(result.error!.message).toBe(message);
		expect(requests(TRANSCRIPTIONS)).toHaveLength(0);
	});

	test('a relay rejection names the status; under Continue On Fail the other items go on', async () => {
		const wav = await recording('Fine', 'wav');
		const input = [await audioItem(wav, 'a.wav', 'audio/wav'), { json: {} }, await audioItem(wav, 'c.wav', 'audio/wav')];
		const result = await run(
			{ operation: 'transcribe', model: model('gpt-4o-transcribe'), options: { responseFormat: 'srt' } },
			{ input, continueOnFail: true },
		);
		const output = result.output(NODE);
		expect(output[0].json).toMatchObject({ httpCode: '400', error: expect.stringContaining("response_format 'srt' is not compatible") });
		expect(output[1].json.error).toBe('Input Data Field Name: the input item has no binary field "data"');
		expect(output[2].json.httpCode).toBe('400');
		expect(requests(TRANSCRIPTIONS)).toHaveLength(2);
		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));
	});

	test('many items: each request carries its own item\'s recording, each transcript goes back to its item', async () => {
		const texts = ['First note', 'Second note', 'Third note'];
		const recordings = await Promise.all(texts.map((text) => recording(text, 'wav')));
		const input = await Promise.all(recordings.map((wav, i) => audioItem(wav, `note-${i}.wav`, 'audio/wav')));
		const result = await run({ operation: 'transcribe', options: { maxConcurrency: 3 } }, { input });
		const sent = requests(TRANSCRIPTIONS);
		expect(sent).toHaveLength(3);
		for (const request of sent) {
			const i = Number(/note-(\d)\.wav/.exec(request.form!.files[0].fileName)![1]);
			expect(request.form!.files[0].bytes.equals(recordings[i])).toBe(true);
		}
		expect(result.output(NODE).map((item) => [item.pairedItem, String(item.json.text).split(' [')[0]])).toEqual(
			texts.map((text, item) => [{ item }, text]),
		);
	});

	test('a 503 is retried with the same multipart, file included', async () => {
		ctx.sandbox.fault({ path: TRANSCRIPTIONS, status: 503, headers: { 'retry-after-ms': '10' } });
		const wav = await recording('Again', 'wav');
		const result = await run({ operation: 'transcribe' }, { input: [await audioItem(wav, 'a.wav', 'audio/wav')] });
		const sent = requests(TRANSCRIPTIONS);
		expect(sent).toHaveLength(2);
		expect(sent[1].form!.files[0].bytes.equals(wav)).toBe(true);
		expect(result.output(NODE)[0].json.text).toMatch(/^Again /);
	});

	test('cancelling the execution aborts the upload in flight', async () => {
		ctx.sandbox.fault({ path: TRANSCRIPTIONS, latencyMs: 5000 });
		const controller = new AbortController();
		const started = Date.now();
		setTimeout(() => controller.abort(), 200);
		const input = [await audioItem(await recording('x', 'wav'), 'a.wav', 'audio/wav')];
		const result = await run({ operation: 'transcribe' }, { input, run: { signal: controller.signal } });
		expect(result.status).toBe('canceled');
		expect(Date.now() - started).toBeLessThan(3000);
	});
});

describe('odd relay answers', () => {
	test('speech: new-api\'s {"success": false, "message"} on a 200 is the relay\'s error text', async () => {
		ctx.sandbox.fault({ path: SPEECH, status: 200, body: { success: false, message: '该令牌已过期 token expired' } });
		const result = await run({ operation: 'textToSpeech', input: 'x' });
		expect(result.error!.message).toBe('The relay answered 200 with an error: 该令牌已过期 token expired');
	});

	test('speech: bytes that are no audio on a 200 are an answer error naming the format, with the request id', async () => {
		ctx.sandbox.fault({ path: SPEECH, status: 200, body: Buffer.from('not really audio at all'), headers: { 'content-type': 'audio/mpeg' } });
		const result = await run({ operation: 'textToSpeech', input: 'x' });
		expect(result.error!.message).toBe('The relay\'s answer is not mp3 audio: it starts with "not really audio at all"');
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect((result.error as NodeApiError).httpCode).toBe('200');
		expect((result.error as NodeApiError).description).toMatch(/^Is this a speech model\? Check the model ID\. Request ID: /);
	});

	const LOGIN_PAGE =
		'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Sign in - Corporate Proxy</title></head>' +
		'<body><h1>Authentication required</h1><form><input name="user"></form></body></html>\n';

	// Named the way every JSON endpoint names them: an HTML page by its title, nothing as empty,
	// with the Base URL hint; never as the first bytes of a file that is not audio.
	test.each([
		[
			'a proxy\'s login page',
			{ body: LOGIN_PAGE, headers: { 'content-type': 'text/html; charset=utf-8' } },
			'mp3',
			'The relay answered 200 but the body is not mp3 audio: The relay (or a proxy in front of it) answered HTTP 200 with an HTML page: "Sign in - Corporate Proxy"',
		],
		[
			'a login page labelled as audio',
			{ body: LOGIN_PAGE, headers: { 'content-type': 'audio/ogg' } },
			'opus',
			'The relay answered 200 but the body is not opus audio: The relay (or a proxy in front of it) answered HTTP 200 with an HTML page: "Sign in - Corporate Proxy"',
		],
		[
			'an HTML page without a title',
			{ body: '<html><body>Please log in</body></html>', headers: { 'content-type': 'text/html' } },
			'mp3',
			'The relay answered 200 but the body is not mp3 audio: The relay (or a proxy in front of it) answered HTTP 200 with an HTML page: "Please log in"',
		],
		[
			'an empty body',
			{ body: '', headers: { 'content-type': 'audio/mpeg' } },
			'mp3',
			'The relay answered 200 but the body is not mp3 audio: The relay answered HTTP 200 with an empty body',
		],
		[
			'an empty body for PCM (which has no header to check)',
			{ body: '', headers: { 'content-type': 'audio/pcm' } },
			'pcm',
			'The relay answered 200 but the body is not pcm audio: The relay answered HTTP 200 with an empty body',
		],
		[
			'plain text',
			{ body: 'upstream busy, try again later', headers: { 'content-type': 'text/plain; charset=utf-8' } },
			'wav',
			'The relay answered 200 but the body is not wav audio: upstream busy, try again later',
		],
	])('speech: %s on a 200 is named as such, with the Base URL hint', async (_name, fault, format, message) => {
		ctx.sandbox.fault({ path: SPEECH, status: 200, ...fault });
		const result = await run({ operation: 'textToSpeech', input: 'x', options: { responseFormat: format } });
		const error = result.error as Error & { description?: string; httpCode?: string; context?: { itemIndex?: number } };
		expect(error.constructor.name).toBe('NodeApiError');
		expect(error.message).toBe(message);
		expect(error.httpCode).toBe('200');
		expect(error.description).toMatch(/^Check the Base URL: it may point to a web page or a proxy instead of the relay API\. Request ID: \w+/);
		expect(error.context?.itemIndex).toBe(0);
	});

	test('transcribe as text: a login page on a 200 is not the transcript', async () => {
		ctx.sandbox.fault({ path: TRANSCRIPTIONS, status: 200, body: LOGIN_PAGE, headers: { 'content-type': 'text/html' } });
		const input = [await audioItem(await recording('x', 'wav'), 'a.wav', 'audio/wav')];
		const result = await run({ operation: 'transcribe', options: { responseFormat: 'text' } }, { input });
		expect(result.error!.message).toBe(
			'The relay answered 200 but the body is not a transcript: The relay (or a proxy in front of it) answered HTTP 200 with an HTML page: "Sign in - Corporate Proxy"',
		);
	});

	test('transcribe: a 200 JSON without "text" is an error quoting it', async () => {
		ctx.sandbox.fault({ path: TRANSCRIPTIONS, status: 200, body: { result: 'ok' } });
		const input = [await audioItem(await recording('x', 'wav'), 'a.wav', 'audio/wav')];
		const result = await run({ operation: 'transcribe' }, { input });
		expect(result.status).toBe('error');
		expect(result.error!.message).toContain('{"result":"ok"}');
	});
});
