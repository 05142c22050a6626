import { startSandbox, videoClip, type Sandbox } from '../../sandbox';
import { assembled, get, pathOf, post, stream } from './http';

const CHAT = '/v1/chat/completions';

describe('sandbox chat video models (veo3-chat)', () => {
	let sandbox: Sandbox;
	const ask = (text: string, model = 'veo3-chat') =>
		post(sandbox, CHAT, { model, messages: [{ role: 'user', content: text }] });

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.close());

	it('lists veo3-chat', async () => {
		const reply = await get(sandbox, '/v1/models');
		expect(reply.json.data.map((model: { id: string }) => model.id)).toContain('veo3-chat');
	});

	it('answers with progress lines and a watch and a download link to a real MP4 it serves', async () => {
		const reply = await ask('a cat surfing');
		const content: string = reply.json.choices[0].message.content;
		expect(content).toContain('> 🏃 Progress');
		expect(content).toContain('> ✅ Video generated successfully');
		const links = [...content.matchAll(/\[[^\]]*\]\(([^)]+)\)/g)].map((match) => match[1]);
		// The progress link, then the same file twice.
		expect(links).toHaveLength(3);
		expect(links[0]).toMatch(/\/files\/progress\//);
		expect(links[1]).toBe(links[2]);
		expect(links[1]).toMatch(/\/files\/gen\/\w+\.mp4$/);

		const file = await get(sandbox, pathOf(links[1]), { auth: false });
		expect(file.status).toBe(200);
		expect(file.headers['content-type']).toBe('video/mp4');
		expect(file.body.equals(videoClip('mp4'))).toBe(true);
		expect(file.body.toString('latin1', 4, 12)).toBe('ftypisom');
	});

	it.each([
		['WEBM', /\.webm$/, 'video/webm', (bytes: Buffer) => bytes.readUInt32BE(0) === 0x1a45dfa3],
		['QUICKTIME', /\.mov$/, 'video/quicktime', (bytes: Buffer) => bytes.toString('latin1', 4, 10) === 'ftypqt'],
		['NO_EXTENSION', /\/gen\/\w+$/, 'application/octet-stream', (bytes: Buffer) => bytes.toString('latin1', 4, 8) === 'ftyp'],
	])('variant %s', async (word, path, contentType, matches) => {
		const content: string = (await ask(`a cat ${word}`)).json.choices[0].message.content;
		const url = /\[⏬ Download video\]\(([^)]+)\)/.exec(content)![1];
		expect(url).toMatch(path);
		const file = await get(sandbox, pathOf(url), { auth: false });
		expect(file.headers['content-type']).toBe(contentType);
		expect(matches(file.body)).toBe(true);
	});

	it('answers a bare URL for BARE_URL, and the same Markdown when streamed', async () => {
		const bare: string = (await ask('a cat BARE_URL')).json.choices[0].message.content;
		expect(bare).toMatch(/Your video is ready: http:\/\/127\.0\.0\.1:\d+\/files\/gen\/\w+\.mp4$/);

		const streamed = await stream(sandbox, CHAT, {
			model: 'veo3-chat',
			stream: true,
			messages: [{ role: 'user', content: 'a dog' }],
		});
		expect(streamed.done).toBe(true);
		expect(assembled(streamed.data)).toMatch(/\[⏬ Download video\]\(http:\/\/127\.0\.0\.1:\d+\/files\/gen\/\w+\.mp4\)$/);
	});
});
