import { execFileSync } from 'node:child_process';

import { startSandbox, type Sandbox } from '../../sandbox';
import { post } from './http';

const SPEECH = '/v1/audio/speech';
const TRANSCRIPTIONS = '/v1/audio/transcriptions';
const TRANSLATIONS = '/v1/audio/translations';

function hasFfprobe(): boolean {
	try {
		execFileSync('ffprobe', ['-version'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

describe('sandbox audio', () => {
	let sandbox: Sandbox;
	const speech = (body: Record<string, unknown>) => post(sandbox, SPEECH, body);

	async function upload(
		path: string,
		file: { bytes: Buffer; name: string; type: string } | undefined,
		fields: Array<[string, string]>,
	): Promise<{ status: number; contentType: string | null; text: string; json?: any }> {
		const form = new FormData();
		for (const [name, value] of fields) form.append(name, value);
		if (file) form.append('file', new Blob([file.bytes], { type: file.type }), file.name);
		const response = await fetch(`${sandbox.url}${path}`, {
			method: 'POST',
			headers: { authorization: `Bearer ${sandbox.apiKey}` },
			body: form,
		});
		const text = await response.text();
		let json: unknown;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { status: response.status, contentType: response.headers.get('content-type'), text, json };
	}

	async function speak(text: string, format: string): Promise<Buffer> {
		const reply = await speech({ model: 'tts-1', input: text, voice: 'alloy', response_format: format });
		expect(reply.status).toBe(200);
		return reply.body;
	}

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.close());

	describe('speech', () => {
		it('answers a WAV tone: RIFF header for 24 kHz 16-bit mono, samples that are not silent', async () => {
			const reply = await speech({ model: 'tts-1', input: 'Hello there', voice: 'alloy', response_format: 'wav' });
			expect(reply.status).toBe(200);
			expect(reply.headers['content-type']).toBe('audio/wav');
			const wav = reply.body;
			expect(wav.toString('latin1', 0, 4)).toBe('RIFF');
			expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
			expect(wav.toString('latin1', 8, 16)).toBe('WAVEfmt ');
			expect(wav.readUInt16LE(20)).toBe(1);
			expect(wav.readUInt16LE(22)).toBe(1);
			expect(wav.readUInt32LE(24)).toBe(24000);
			expect(wav.readUInt16LE(34)).toBe(16);
			const data = wav.indexOf('data', 36, 'latin1');
			const size = wav.readUInt32LE(data + 4);
			expect(data + 8 + size).toBe(wav.length);
			let peak = 0;
			for (let i = data + 8; i < wav.length; i += 2) peak = Math.max(peak, Math.abs(wav.readInt16LE(i)));
			expect(peak).toBeGreaterThan(4000);
		});

		it.each([
			['mp3', 'audio/mpeg', (b: Buffer) => b.toString('latin1', 0, 3) === 'ID3'],
			['opus', 'audio/opus', (b: Buffer) => b.toString('latin1', 0, 4) === 'OggS' && b.toString('latin1', 28, 36) === 'OpusHead'],
			['aac', 'audio/aac', (b: Buffer) => b.toString('latin1', 0, 3) === 'ID3' && b.includes(Buffer.from([0xff, 0xf1]))],
			['flac', 'audio/flac', (b: Buffer) => b.toString('latin1', 0, 4) === 'fLaC'],
			['pcm', 'audio/pcm', (b: Buffer) => b.length % 2 === 0 && b.length > 1000],
		])('answers %s as %s with that format\'s header', async (format, contentType, header) => {
			const reply = await speech({ model: 'gpt-4o-mini-tts', input: 'A short line', voice: 'coral', response_format: format, instructions: 'cheerful' });
			expect(reply.status).toBe(200);
			expect(reply.headers['content-type']).toBe(contentType);
			expect(header(reply.body)).toBe(true);
		});

		it('answers mp3 by default, longer audio for longer text and shorter at higher speed', async () => {
			const short = await speech({ model: 'tts-1', input: 'Hi', voice: 'alloy' });
			expect(short.headers['content-type']).toBe('audio/mpeg');
			const long = await speech({ model: 'tts-1', input: 'A much longer sentence to read aloud', voice: 'alloy', response_format: 'pcm' });
			const fast = await speech({ model: 'tts-1', input: 'A much longer sentence to read aloud', voice: 'alloy', response_format: 'pcm', speed: 2 });
			expect(long.body.length).toBeGreaterThan(fast.body.length);
		});

		(hasFfprobe() ? it : it.skip)('makes files ffprobe decodes, in every format', async () => {
			for (const [format, codec] of [['mp3', 'mp3'], ['opus', 'opus'], ['aac', 'aac'], ['flac', 'flac'], ['wav', 'pcm_s16le']]) {
				const bytes = await speak('Decodable', format);
				const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', '-i', 'pipe:0'], { input: bytes }).toString().trim();
				expect(`${format}: ${out}`).toBe(`${format}: ${codec}`);
			}
		});

		it.each([
			[{ input: 'x', voice: 'alloy' }, 'model'],
			[{ model: 'tts-1', voice: 'alloy' }, 'input'],
			[{ model: 'tts-1', input: 'x'.repeat(4097), voice: 'alloy' }, 'input'],
			[{ model: 'tts-1', input: 'x' }, 'voice'],
			[{ model: 'tts-1', input: 'x', voice: 'robot' }, 'voice'],
			[{ model: 'tts-1', input: 'x', voice: 'alloy', response_format: 'ogg' }, 'response_format'],
			[{ model: 'tts-1', input: 'x', voice: 'alloy', speed: 5 }, 'speed'],
			[{ model: 'tts-1', input: 'x', voice: 'alloy', instructions: 'whisper' }, 'instructions'],
		])('rejects %j naming %s', async (body, param) => {
			const reply = await speech(body);
			expect(reply.status).toBe(400);
			expect(reply.json.error.param).toBe(param);
		});

		it('takes exactly 4096 characters', async () => {
			expect((await speech({ model: 'tts-1', input: 'x'.repeat(4096), voice: 'alloy', response_format: 'pcm' })).status).toBe(200);
		});
	});

	describe('transcriptions and translations', () => {
		it('reads the multipart, gives back the spoken text and names the file size and type', async () => {
			const wav = await speak('The blue kettle is on sale', 'wav');
			const reply = await upload(TRANSCRIPTIONS, { bytes: wav, name: 'clip.wav', type: 'audio/wav' }, [['model', 'whisper-1'], ['language', 'en'], ['prompt', 'kettles']]);
			expect(reply.status).toBe(200);
			expect(reply.json.text).toBe(`The blue kettle is on sale [sandbox heard ${wav.length} bytes of audio/wav in clip.wav]`);
			const recorded = sandbox.lastRequest(TRANSCRIPTIONS)!;
			expect(recorded.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
			expect(recorded.form!.fields).toEqual({ model: ['whisper-1'], language: ['en'], prompt: ['kettles'] });
			expect(recorded.form!.files).toHaveLength(1);
			expect(recorded.form!.files[0]).toMatchObject({ name: 'file', fileName: 'clip.wav', contentType: 'audio/wav' });
			expect(recorded.form!.files[0].bytes.equals(wav)).toBe(true);
		});

		it.each([
			['mp3', 'audio/mpeg'],
			['opus', 'audio/ogg'],
			['flac', 'audio/flac'],
			['aac', 'audio/aac'],
		])('tells %s uploads by their bytes (%s), whatever the part says', async (format, type) => {
			const bytes = await speak('Words', format);
			const reply = await upload(TRANSCRIPTIONS, { bytes, name: 'upload.bin', type: 'application/octet-stream' }, [['model', 'whisper-1']]);
			expect(reply.status).toBe(200);
			expect(reply.json.text).toContain(`bytes of ${type} in upload.bin]`);
			if (format !== 'aac') expect(reply.json.text).toMatch(/^Words /);
		});

		it('answers each response format', async () => {
			const wav = await speak('Cheap tea', 'wav');
			const file = { bytes: wav, name: 'tea.wav', type: 'audio/wav' };
			const heard = `[sandbox heard ${wav.length} bytes of audio/wav in tea.wav]`;
			const text = await upload(TRANSCRIPTIONS, file, [['model', 'whisper-1'], ['response_format', 'text']]);
			expect(text.contentType).toMatch(/^text\/plain/);
			expect(text.text).toBe(`Cheap tea ${heard}\n`);
			const srt = await upload(TRANSCRIPTIONS, file, [['model', 'whisper-1'], ['response_format', 'srt']]);
			expect(srt.text).toMatch(new RegExp(`^1\\n00:00:00,000 --> 00:00:00,\\d{3}\\nCheap tea \\[sandbox heard`));
			const vtt = await upload(TRANSCRIPTIONS, file, [['model', 'whisper-1'], ['response_format', 'vtt']]);
			expect(vtt.contentType).toMatch(/^text\/vtt/);
			expect(vtt.text).toMatch(/^WEBVTT\n\n00:00:00\.000 --> 00:00:00\.\d{3}\nCheap tea /);
			const verbose = await upload(TRANSCRIPTIONS, file, [
				['model', 'whisper-1'],
				['response_format', 'verbose_json'],
				['timestamp_granularities[]', 'word'],
				['timestamp_granularities[]', 'segment'],
			]);
			expect(verbose.json).toMatchObject({ task: 'transcribe', language: 'english', text: `Cheap tea ${heard}` });
			expect(verbose.json.duration).toBeCloseTo(0.54, 2);
			expect(verbose.json.segments).toHaveLength(1);
			expect(verbose.json.words[0]).toEqual({ word: 'Cheap', start: 0, end: expect.any(Number) });
			const segmentsOnly = await upload(TRANSCRIPTIONS, file, [['model', 'whisper-1'], ['response_format', 'verbose_json']]);
			expect(segmentsOnly.json.words).toBeUndefined();
			expect(segmentsOnly.json.segments).toHaveLength(1);
		});

		it('translates to English', async () => {
			const wav = await speak('Guten Tag', 'wav');
			const reply = await upload(TRANSLATIONS, { bytes: wav, name: 'de.wav', type: 'audio/wav' }, [['model', 'whisper-1']]);
			expect(reply.status).toBe(200);
			expect(reply.json.text).toMatch(/^English: Guten Tag \[sandbox heard \d+ bytes of audio\/wav in de\.wav\]$/);
		});

		it('rejects what OpenAI rejects, naming the parameter', async () => {
			const wav = await speak('x', 'wav');
			const file = { bytes: wav, name: 'x.wav', type: 'audio/wav' };
			const cases: Array<[typeof file | undefined, Array<[string, string]>, string, number]> = [
				[file, [], 'model', 400],
				[undefined, [['model', 'whisper-1']], 'file', 400],
				[{ bytes: Buffer.from('<html>not audio</html>'), name: 'x.mp3', type: 'audio/mpeg' }, [['model', 'whisper-1']], 'file', 400],
				[file, [['model', 'whisper-1'], ['response_format', 'docx']], 'response_format', 400],
				[file, [['model', 'gpt-4o-transcribe'], ['response_format', 'srt']], 'response_format', 400],
				[file, [['model', 'whisper-1'], ['timestamp_granularities[]', 'word']], 'timestamp_granularities', 400],
				[file, [['model', 'whisper-1'], ['temperature', '3']], 'temperature', 400],
				[file, [['model', 'whisper-1'], ['language', 'English']], 'language', 400],
				[{ bytes: Buffer.concat([wav, Buffer.alloc(25 * 1024 * 1024)]), name: 'big.wav', type: 'audio/wav' }, [['model', 'whisper-1']], 'file', 413],
			];
			for (const [upl, fields, param, status] of cases) {
				const reply = await upload(TRANSCRIPTIONS, upl, fields);
				expect(`${param}: ${reply.status} ${reply.json?.error?.param}`).toBe(`${param}: ${status} ${param}`);
			}
			const json = await post(sandbox, TRANSCRIPTIONS, { model: 'whisper-1' });
			expect(json.status).toBe(400);
			expect(json.json.error.message).toMatch(/multipart\/form-data/);
		});
	});
});
