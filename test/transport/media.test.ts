/** File types from bytes (images, videos, audio) and the links of media answers, on real files from the sandbox. */
import { sniffAudioType, sniffImageType, sniffMediaType } from '../../nodes/shared/transport/file-types';
import { findMediaUrls } from '../../nodes/shared/transport/media-links';
import { encodeImage, videoClip } from '../../sandbox';
import { encodeSpeech, SPEECH_FORMATS } from '../../sandbox/audio-bytes';

const iso = (brand: string) => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from(`ftyp${brand}\0\0\0\0isom`, 'latin1')]);

test('videos by their bytes: MP4, QuickTime, WebM; ISO still images are not videos', () => {
	expect(sniffMediaType(videoClip('mp4'))).toEqual({ kind: 'video', mimeType: 'video/mp4', extension: 'mp4' });
	expect(sniffMediaType(videoClip('mov'))).toEqual({ kind: 'video', mimeType: 'video/quicktime', extension: 'mov' });
	expect(sniffMediaType(videoClip('webm'))).toEqual({ kind: 'video', mimeType: 'video/webm', extension: 'webm' });
	expect(sniffMediaType(iso('mp42'))?.mimeType).toBe('video/mp4');
	expect(sniffMediaType(iso('avif'))).toEqual({ kind: 'image', mimeType: 'image/avif', extension: 'avif' });
	expect(sniffMediaType(iso('heic'))).toBeUndefined();
	// Image callers never get a video.
	expect(sniffImageType(videoClip('mp4'))).toBeUndefined();
	expect(sniffImageType(encodeImage('png', { width: 2, height: 2, rgb: [0, 0, 0] }))?.kind).toBe('image');
});

test('audio by its bytes, MP3, WAV, M4A; an MP4 or WebM that does not say it holds only sound stays a video', () => {
	const speech = (format: string) => {
		const bytes = encodeSpeech(format as never, 'la', 0.5);
		return sniffMediaType(bytes);
	};
	expect(speech('mp3')).toEqual({ kind: 'audio', mimeType: 'audio/mpeg', extension: 'mp3' });
	expect(speech('wav')).toEqual({ kind: 'audio', mimeType: 'audio/wav', extension: 'wav' });
	expect(speech('flac')?.kind).toBe('audio');
	expect(sniffMediaType(iso('M4A '))).toEqual({ kind: 'audio', mimeType: 'audio/mp4', extension: 'm4a' });
	expect(sniffMediaType(videoClip('mp4'))?.kind).toBe('video');
	expect(sniffMediaType(videoClip('webm'))?.kind).toBe('video');
	// A JPEG's FF D8 FF is no MPEG frame.
	expect(sniffMediaType(encodeImage('jpeg', { width: 2, height: 2, rgb: [0, 0, 0] }))?.kind).toBe('image');
	expect(sniffImageType(encodeSpeech('mp3', 'la', 0.5))).toBeUndefined();
});

test('the links of a video reply: watch and download are one file, progress and quoted lines are skipped', () => {
	const reply = [
		'> 🏃 Progress 12%...[100%](https://relay.example/progress/1)',
		'[▶️ Watch online](https://cdn.example/v/abc) | [⏬ Download video](https://cdn.example/v/abc)',
		'Also at https://cdn.example/v/abc.mp4.',
	].join('\n\n');
	expect(findMediaUrls(reply)).toEqual(['https://cdn.example/v/abc', 'https://cdn.example/v/abc.mp4']);
	expect(findMediaUrls(reply, { links: false })).toEqual([]);
	expect(findMediaUrls('![cover](data:video/mp4;base64,AAAA)')).toEqual(['data:video/mp4;base64,AAAA']);
});

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
