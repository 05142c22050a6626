/** File types from bytes and the links of media answers, on real files from the sandbox. */
import { findMediaUrls, sniffImageType, sniffMediaType } from '../../nodes/shared/media';
import { encodeImage, videoClip } from '../../sandbox';
import { encodeSpeech } from '../../sandbox/audio-bytes';

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

test('audio by its bytes, through audio.ts: MP3, WAV, M4A; an MP4 or WebM that does not say it holds only sound stays a video', () => {
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
