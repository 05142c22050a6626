import { sniffAudioType } from '../../../nodes/shared/transport/file-types';
import { decodeEmbedding } from '../../../nodes/DeerApiEmbeddings/vectors';
import { encodeSpeech, SPEECH_FORMATS } from '../../../sandbox/audio-bytes';

describe('sniffAudioType', () => {
	it.each([
		['mp3', 'audio/mpeg', 'mp3'],
		['opus', 'audio/ogg', 'opus'],
		['aac', 'audio/aac', 'aac'],
		['flac', 'audio/flac', 'flac'],
		['wav', 'audio/wav', 'wav'],
	])('tells %s by its bytes (ID3 tags skipped)', (format, mimeType, extension) => {
		const bytes = encodeSpeech(format as (typeof SPEECH_FORMATS)[number], 'some words', 0.3);
		expect(sniffAudioType(bytes)).toEqual({ kind: 'audio', mimeType, extension });
	});

	it('tells MP3 frames without a tag, Ogg Vorbis, M4A, MP4 and WebM', () => {
		const mp3 = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0xc4]), Buffer.alloc(40)]);
		expect(sniffAudioType(mp3)?.extension).toBe('mp3');
		const vorbis = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(24), Buffer.from('\x01vorbis'), Buffer.alloc(20)]);
		expect(sniffAudioType(vorbis)).toEqual({ kind: 'audio', mimeType: 'audio/ogg', extension: 'ogg' });
		const m4a = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypM4A '), Buffer.alloc(20)]);
		expect(sniffAudioType(m4a)).toEqual({ kind: 'audio', mimeType: 'audio/mp4', extension: 'm4a' });
		const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom'), Buffer.alloc(20)]);
		expect(sniffAudioType(mp4)).toEqual({ kind: 'audio', mimeType: 'video/mp4', extension: 'mp4' });
		const webm = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(20)]);
		expect(sniffAudioType(webm)?.extension).toBe('webm');
	});

	it('knows nothing of PCM, HTML, JSON, images or a tag with nothing after it', () => {
		expect(sniffAudioType(encodeSpeech('pcm', 'x', 0.3))).toBeUndefined();
		expect(sniffAudioType(Buffer.from('<!DOCTYPE html><html><body>Login</body></html>'))).toBeUndefined();
		expect(sniffAudioType(Buffer.from('{"error":{"message":"quota"}}'))).toBeUndefined();
		expect(sniffAudioType(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))).toBeUndefined();
		expect(sniffAudioType(Buffer.concat([Buffer.from('ID3'), Buffer.from([4, 0, 0, 0, 0, 0, 10]), Buffer.alloc(10)]))).toBeUndefined();
		expect(sniffAudioType(Buffer.alloc(4))).toBeUndefined();
	});
});

describe('decodeEmbedding', () => {
	it('passes number arrays through and decodes base64 little-endian float32', () => {
		expect(decodeEmbedding([0.25, -1])).toEqual([0.25, -1]);
		const bytes = Buffer.alloc(12);
		[0.5, -0.25, 3].forEach((value, i) => bytes.writeFloatLE(value, i * 4));
		expect(decodeEmbedding(bytes.toString('base64'))).toEqual([0.5, -0.25, 3]);
	});

	it('refuses what is neither', () => {
		expect(decodeEmbedding(['0.5'])).toBeUndefined();
		expect(decodeEmbedding('')).toBeUndefined();
		expect(decodeEmbedding(Buffer.alloc(6).toString('base64'))).toBeUndefined();
		expect(decodeEmbedding({})).toBeUndefined();
		expect(decodeEmbedding(undefined)).toBeUndefined();
	});
});
