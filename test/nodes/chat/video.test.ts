/**
 * Chat-form video models (DeerAPI's veo3-chat): the video links of the reply become binary data
 * with the MIME type from the bytes, through the same extraction and download path as images.
 */
import { startSandbox, videoClip, type Sandbox } from '../../../sandbox';
import { byId, NODE, nodeError, runChat, userMessage } from './helpers';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.clearRequests());

const files = () => sandbox.requests.filter((request) => request.path.startsWith('/files/'));

describe('chat video models', () => {
	it('a veo3-chat reply becomes a video/mp4 binary: the watch and download links are one video, progress links ignored', async () => {
		const result = await runChat(sandbox, { parameters: { model: byId('veo3-chat'), messages: userMessage('A cat surfing') } });
		const [item] = result.output(NODE);
		expect(item.json.content).toContain('> ✅ Video generated successfully');
		const videos = item.json.videos as string[];
		expect(videos).toEqual([expect.stringMatching(new RegExp(`^${sandbox.url}/files/gen/\\w+\\.mp4$`))]);
		expect(item.json).not.toHaveProperty('images');

		expect(Object.keys(item.binary ?? {})).toEqual(['video_0']);
		expect(item.binary!.video_0).toMatchObject({ mimeType: 'video/mp4', fileName: 'video-0.mp4', fileExtension: 'mp4' });
		expect((await result.binary(NODE, 0, 'video_0')).equals(videoClip('mp4'))).toBe(true);
		expect(files().map((request) => request.path)).toEqual([new URL(videos[0]).pathname]);
		expect(files()[0].headers.authorization).toBeUndefined();
	});

	it.each([
		['WEBM', 'video/webm', 'video-0.webm', 'webm'],
		['QUICKTIME', 'video/quicktime', 'video-0.mov', 'mov'],
		// Served as application/octet-stream from a link without an extension: the bytes say MP4.
		['NO_EXTENSION', 'video/mp4', 'video-0.mp4', 'mp4'],
		['BARE_URL', 'video/mp4', 'video-0.mp4', 'mp4'],
	] as const)('%s: %s from the bytes', async (word, mimeType, fileName, format) => {
		const result = await runChat(sandbox, {
			parameters: { model: byId('veo3-chat'), messages: userMessage(`A cat ${word}`), stream: false },
		});
		const [item] = result.output(NODE);
		expect(item.json.videos).toHaveLength(1);
		expect(item.binary!.video_0).toMatchObject({ mimeType, fileName });
		expect((await result.binary(NODE, 0, 'video_0')).equals(videoClip(format === 'webm' ? 'webm' : format === 'mov' ? 'mov' : 'mp4'))).toBe(
			true,
		);
	});

	it('lists the video but downloads nothing when Download Images and Videos is off; a chosen prefix names the field', async () => {
		const off = await runChat(sandbox, {
			parameters: { model: byId('veo3-chat'), messages: userMessage('A fox'), options: { downloadImages: false } },
		});
		expect(off.output(NODE)[0].json.videos).toHaveLength(1);
		expect(off.output(NODE)[0].binary).toBeUndefined();
		expect(files()).toHaveLength(0);

		const prefixed = await runChat(sandbox, {
			parameters: { model: byId('veo3-chat'), messages: userMessage('A fox'), options: { imagePropertyPrefix: 'clip' } },
		});
		expect(Object.keys(prefixed.output(NODE)[0].binary ?? {})).toEqual(['clip0']);
	});

	it('a video over Max Download Size fails the item, naming the link', async () => {
		const result = await runChat(sandbox, {
			parameters: { model: byId('veo3-chat'), messages: userMessage('A fox'), options: { maxDownloadMb: 0.001 } },
		});
		const error = nodeError(result);
		expect(error.message).toMatch(new RegExp(`^Could not download the video at ${sandbox.url}/files/gen/\\w+\\.mp4: .*larger than the limit of 1 KB`));
		expect(error.context?.itemIndex).toBe(0);
	});

	it("a text model's link to a video file is not downloaded", async () => {
		const link = `${sandbox.url}/files/gen/whatever.mp4`;
		const result = await runChat(sandbox, { parameters: { messages: userMessage(`Watch ${link}`) } });
		expect(result.output(NODE)[0].json).not.toHaveProperty('videos');
		expect(files()).toHaveLength(0);
	});
});
