/** File types from bytes and the links of media answers, on real files from the sandbox. */
import { sniffImageType, sniffMediaType } from '../../nodes/shared/transport/file-types';
import { findMediaUrls } from '../../nodes/shared/transport/media-links';
import { encodeImage, videoClip } from '../../sandbox';

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
