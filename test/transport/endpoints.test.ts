/**
 * The client's endpoints beyond chat and models, each against a real loopback server: what the
 * server received (path, headers, JSON or multipart parts) and what the caller gets back.
 */
import {
	RelayApiError,
	RelayClient,
	RelayRedirectError,
	RelayResponseError,
	type MultipartBody,
} from '../../nodes/shared/transport';
import { failure, formParts, sendJson, startLoopback, type Loopback } from './loopback';

const KEY = 'sk-loopback-key';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7]);

let server: Loopback | undefined;
afterEach(async () => {
	await server?.close();
	server = undefined;
});

function client(url: string) {
	return new RelayClient({ baseUrl: url, apiKey: KEY, retryInitialDelayMs: 5, retryMaxDelayMs: 10 });
}

const editForm: MultipartBody = {
	fields: [
		{ name: 'model', value: 'gpt-image-1' },
		{ name: 'prompt', value: '给小鹿戴上围巾' },
		{ name: 'n', value: '2' },
	],
	files: [
		{ name: 'image[]', bytes: PNG, fileName: 'deer.png', contentType: 'image/png' },
		{ name: 'image[]', bytes: JPEG, fileName: 'snow.jpg', contentType: 'image/jpeg' },
		{ name: 'mask', bytes: PNG, fileName: 'mask.png', contentType: 'image/png' },
	],
};

describe('editImages: POST /v1/images/edits as multipart/form-data', () => {
	const b64 = Buffer.alloc(4000, 7).toString('base64');

	it('sends every field and file part (repeated image[] included) with names, file names, types and bytes', async () => {
		server = await startLoopback((_request, res) => sendJson(res, 200, { created: 1, data: [{ b64_json: b64 }] }));
		const response = await client(server.url).editImages(editForm);
		const [request] = server.requests;
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/v1/images/edits');
		expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
		expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
		expect(await formParts(request)).toEqual([
			{ name: 'model', value: 'gpt-image-1' },
			{ name: 'prompt', value: '给小鹿戴上围巾' },
			{ name: 'n', value: '2' },
			{ name: 'image[]', fileName: 'deer.png', type: 'image/png', bytes: PNG },
			{ name: 'image[]', fileName: 'snow.jpg', type: 'image/jpeg', bytes: JPEG },
			{ name: 'mask', fileName: 'mask.png', type: 'image/png', bytes: PNG },
		]);
		// Decoded from the body bytes, as for generations.
		expect(response.body.data[0].b64_json_bytes).toEqual(Buffer.alloc(4000, 7));
	});

	it('sends the whole form again on a retry', async () => {
		server = await startLoopback((_request, res, index) =>
			index === 0 ? sendJson(res, 503, { error: { message: 'busy' } }) : sendJson(res, 200, { data: [{ url: 'https://x/y.png' }] }),
		);
		const response = await client(server.url).editImages(editForm);
		expect(response.attempts).toBe(2);
		expect(server.requests).toHaveLength(2);
		const [first, second] = await Promise.all(server.requests.map(formParts));
		expect(second).toEqual(first);
		expect(second.filter((part) => part.name === 'image[]').map((part) => part.bytes)).toEqual([PNG, JPEG]);
	});

	it('a 200 without a "data" array is an error quoting the body; new-api\'s message is the relay error', async () => {
		server = await startLoopback((_request, res, index) =>
			sendJson(res, 200, index === 0 ? { created: 1 } : { success: false, message: '该令牌已过期 token expired' }),
		);
		const shape = (await failure(client(server.url).editImages(editForm))) as RelayResponseError;
		expect(shape).toBeInstanceOf(RelayResponseError);
		expect(shape.kind).toBe('response');
		expect(shape.message).toBe('The image answer has no "data" array: it sent {"created":1}');
		const relay = (await failure(client(server.url).editImages(editForm))) as RelayApiError;
		expect(relay).toBeInstanceOf(RelayApiError);
		expect(relay.status).toBe(200);
		expect(relay.relayMessage).toBe('该令牌已过期 token expired');
	});
});

describe('embeddings: POST /v1/embeddings', () => {
	it('sends the JSON body and returns the checked data array', async () => {
		const answer = { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, -0.2] }], model: 'text-embedding-3-small' };
		server = await startLoopback((_request, res) => sendJson(res, 200, answer));
		const body = { model: 'text-embedding-3-small', input: ['鹿', 'deer'], dimensions: 2 };
		const response = await client(server.url).embeddings(body);
		expect(server.requests[0].path).toBe('/v1/embeddings');
		expect(server.requests[0].headers['content-type']).toBe('application/json');
		expect(JSON.parse(server.requests[0].body.toString('utf8'))).toEqual(body);
		expect(response.body).toEqual(answer);
	});

	it('an entry without an embedding is an error, not a silent hole', async () => {
		server = await startLoopback((_request, res) => sendJson(res, 200, { data: [{ index: 0, embedding: [1] }, { index: 1 }] }));
		const error = await failure(client(server.url).embeddings({ model: 'm', input: ['a', 'b'] }));
		expect(error).toBeInstanceOf(RelayResponseError);
		expect(error.message).toBe('Embedding 2 of the answer has no "embedding" list: it sent {"data":[{"index":1}]}');
	});
});

describe('speech: POST /v1/audio/speech', () => {
	it('returns the audio bytes and their content type', async () => {
		const mp3 = Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0xff, 0xfb]);
		server = await startLoopback((_request, res) => {
			res.writeHead(200, { 'content-type': 'audio/mpeg' });
			res.end(mp3);
		});
		const response = await client(server.url).speech({ model: 'tts-1', input: 'hello', voice: 'alloy' });
		expect(server.requests[0].path).toBe('/v1/audio/speech');
		expect(JSON.parse(server.requests[0].body.toString('utf8'))).toEqual({ model: 'tts-1', input: 'hello', voice: 'alloy' });
		expect(response.body).toEqual({ bytes: mp3, contentType: 'audio/mpeg' });
	});

	it('a JSON error body on a 200 is the relay error, not audio', async () => {
		server = await startLoopback((_request, res) => sendJson(res, 200, { error: { message: '当前分组上游负载已饱和', type: 'new_api_error' } }));
		const error = (await failure(client(server.url).speech({ model: 'tts-1', input: 'x', voice: 'alloy' }))) as RelayApiError;
		expect(error).toBeInstanceOf(RelayApiError);
		expect(error.status).toBe(200);
		expect(error.relayMessage).toBe('当前分组上游负载已饱和');
	});

	it('a JSON body without an error where audio was asked is a "json" answer error', async () => {
		server = await startLoopback((_request, res) => sendJson(res, 200, { ok: true }));
		const error = (await failure(client(server.url).speech({ model: 'tts-1', input: 'x', voice: 'alloy' }))) as RelayResponseError;
		expect(error.kind).toBe('json');
		expect(error.message).toBe('The answer is JSON instead of mp3 audio: it sent {"ok":true}');
	});
});

describe('transcribe and translate: multipart in, JSON or text out', () => {
	const audioForm: MultipartBody = {
		fields: [
			{ name: 'model', value: 'whisper-1' },
			{ name: 'response_format', value: 'json' },
		],
		files: [{ name: 'file', bytes: Buffer.from('RIFF....WAVEfmt '), fileName: 'note.wav', contentType: 'audio/wav' }],
	};

	it('transcribe with expect json: the file part as sent, the JSON answer', async () => {
		server = await startLoopback((_request, res) => sendJson(res, 200, { text: '你好', language: 'zh' }));
		const response = await client(server.url).transcribe(audioForm, { expect: 'json' });
		expect(server.requests[0].path).toBe('/v1/audio/transcriptions');
		expect(await formParts(server.requests[0])).toEqual([
			{ name: 'model', value: 'whisper-1' },
			{ name: 'response_format', value: 'json' },
			{ name: 'file', fileName: 'note.wav', type: 'audio/wav', bytes: Buffer.from('RIFF....WAVEfmt ') },
		]);
		expect(response.body).toEqual({ json: { text: '你好', language: 'zh' } });
	});

	it('translate with expect text: the text as sent (srt here)', async () => {
		const srt = '1\n00:00:00,000 --> 00:00:01,000\nHello\n';
		server = await startLoopback((_request, res) => {
			res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
			res.end(srt);
		});
		const response = await client(server.url).translate(audioForm, { expect: 'text' });
		expect(server.requests[0].path).toBe('/v1/audio/translations');
		expect(response.body).toEqual({ text: srt });
	});

	it('expect text, but a JSON error came on a 200: the relay error', async () => {
		server = await startLoopback((_request, res) => sendJson(res, 200, { success: false, message: 'quota exhausted' }));
		const error = (await failure(client(server.url).transcribe(audioForm, { expect: 'text' }))) as RelayApiError;
		expect(error).toBeInstanceOf(RelayApiError);
		expect(error.relayMessage).toBe('quota exhausted');
	});

	it('expect json, but the answer has no text: an error quoting it', async () => {
		server = await startLoopback((_request, res) => sendJson(res, 200, {}));
		const error = await failure(client(server.url).transcribe(audioForm));
		expect(error.message).toBe('The transcription has no "text": it sent {}');
	});
});

describe('redirects on API calls', () => {
	it('are not followed: the error says where they point and which Base URL that is; the key goes nowhere else', async () => {
		const target = await startLoopback((_request, res) => sendJson(res, 200, { data: [] }));
		try {
			server = await startLoopback((_request, res) => {
				res.writeHead(301, { location: `${target.url}/v1/models` });
				res.end();
			});
			const error = (await failure(client(server.url).listModels())) as RelayRedirectError;
			expect(error).toBeInstanceOf(RelayRedirectError);
			expect(error.kind).toBe('redirect');
			expect(error.status).toBe(301);
			expect(error.location).toBe(`${target.url}/v1/models`);
			expect(error.message).toBe(
				`The relay answered 301 Moved Permanently: it redirects to ${target.url}/v1/models. Set the Base URL to ${target.url}/v1`,
			);
			expect(server.requests).toHaveLength(1);
			expect(target.requests).toHaveLength(0);
		} finally {
			await target.close();
		}
	});

	it('a redirect without a Location says so', async () => {
		server = await startLoopback((_request, res) => {
			res.writeHead(308);
			res.end();
		});
		const error = await failure(client(server.url).chat({ model: 'm', messages: [] }));
		expect(error.message).toBe('The relay answered 308 Permanent Redirect (a redirect) without saying where to');
	});
});
