/**
 * DeerAPI Music as real n8n workflows against the sandbox's Suno: Generate Song (from a
 * description, from lyrics, instrumental, continuing a clip), Generate Lyrics and Get; the bodies
 * sent, one item per clip with its audio (MIME type from the bytes) and cover, streaming clips not
 * done, failed tasks and clips, `code: 1` relays, many tasks side by side, validation before the
 * first submit, Continue On Fail.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DeerApiMusic } from '../../../nodes/DeerApiMusic/DeerApiMusic.node';
import type { RecordedRequest } from '../../../sandbox';
import type { WorkflowRunResult } from '../../../harness/workflow';
import { everythingVisible } from '../image-generate/helpers';
import { useRelayNode } from '../relay-node';

const NODE = 'Music';
const API_KEY = 'sk-music-node-test-94be17';
const SUBMIT_MUSIC = '/suno/submit/music';
const SUBMIT_LYRICS = '/suno/submit/lyrics';
/** Sandbox tasks last this long unless their words say TASK_MS=...; polls come every half second. */
const TASK_MS = 300;
const FAST = { pollIntervalSeconds: 0.5 };
const LONG = 'TASK_MS=60000';

const { ctx, run } = useRelayNode({
	nodeType: 'n8n-nodes-deerapi-relay.deerApiMusic',
	node: new DeerApiMusic(),
	nodeName: NODE,
	apiKey: API_KEY,
});
beforeAll(() => ctx.sandbox.setSunoTaskMs(TASK_MS));
afterEach(() => ctx.sandbox.setSunoCode('success'));

const requests = (path: string) => ctx.sandbox.requests.filter((request) => request.path === path);
const song = (parameters: IDataObject, options?: Parameters<typeof run>[1]) =>
	run({ operation: 'generateSong', ...FAST, ...parameters }, options);

async function served(url: unknown): Promise<Buffer> {
	return Buffer.from(await (await fetch(String(url))).arrayBuffer());
}

function downloadsOf(url: unknown): RecordedRequest[] {
	return requests(new URL(String(url)).pathname);
}

function errorOf(result: WorkflowRunResult): Error & { description?: string; context?: IDataObject } {
	expect(result.status).toBe('error');
	return result.error as Error & { description?: string; context?: IDataObject };
}

describe('Generate Song', () => {
	test('a description an expression gives as an object is sent as its JSON text, as every text parameter is', async () => {
		await song({ description: '={{ { "product": "Summit Flask" } }}' });
		expect(requests(SUBMIT_MUSIC)[0].body.gpt_description_prompt).toBe('{"product":"Summit Flask"}');
	});

	test('from a description: one submit; one item per clip, paired to its input, with its fields and its MP3', async () => {
		const result = await song({ description: 'A jingle for the Summit Flask' });
		const [submit] = requests(SUBMIT_MUSIC);
		expect(submit.body).toEqual({ gpt_description_prompt: 'A jingle for the Summit Flask', mv: 'chirp-v4' });
		expect(submit.headers.authorization).toBe(`Bearer ${API_KEY}`);

		const items = result.output(NODE);
		expect(items).toHaveLength(2);
		const taskId = items[0].json.taskId as string;
		expect(requests(`/suno/fetch/${taskId}`).length).toBeGreaterThanOrEqual(1);
		items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(item.json).toEqual({
				taskId,
				action: 'music',
				status: 'completed',
				relayStatus: 'complete',
				done: true,
				timedOut: false,
				progress: 100,
				clipId: expect.stringMatching(/^[0-9a-f-]{36}$/),
				clip: index + 1,
				clips: 2,
				taskStatus: 'SUCCESS',
				title: 'Jingle Summit Flask',
				tags: expect.any(String),
				duration: 24 + 4 * index,
				lyrics: expect.stringContaining('[Chorus]'),
				model: 'chirp-v4',
				description: 'A jingle for the Summit Flask',
				audioUrl: expect.stringMatching(/\/files\/suno\/.+\.mp3$/),
				imageUrl: expect.any(String),
				imageLargeUrl: expect.any(String),
				videoUrl: expect.stringMatching(/\.mp4$/),
				createdAt: expect.any(String),
				mimeType: 'audio/mpeg',
				fileName: `jingle-summit-flask-${index + 1}.mp3`,
				fileSize: expect.any(Number),
			});
			expect(Object.keys(item.binary!)).toEqual(['data']);
			expect(item.binary!.data).toMatchObject({ mimeType: 'audio/mpeg', fileName: `jingle-summit-flask-${index + 1}.mp3`, fileExtension: 'mp3' });
		});
		expect(items[0].json.clipId).not.toBe(items[1].json.clipId);
		for (const [index, item] of items.entries()) {
			const bytes = await result.binary(NODE, index);
			expect(bytes.equals(await served(item.json.audioUrl))).toBe(true);
			expect(item.json.fileSize).toBe(bytes.length);
			// The file link is a CDN's, not the relay API: no key goes there.
			expect(downloadsOf(item.json.audioUrl).map((request) => request.headers.authorization)).toEqual([undefined]);
		}
		expect(everythingVisible(result)).not.toContain(API_KEY);
	});

	test('from lyrics: lyrics, title, style tags and model version sent; the cover as a second binary field, large or small', async () => {
		const lyrics = '[Verse]\nKettle on the stove\n[Chorus]\nSun in every cup';
		const result = await song({
			songMode: 'custom',
			lyrics,
			title: 'Sun Cup',
			tags: 'bossa nova, warm',
			modelVersion: 'chirp-v3-5',
			options: { downloadCover: true },
		});
		expect(requests(SUBMIT_MUSIC)[0].body).toEqual({ prompt: lyrics, title: 'Sun Cup', tags: 'bossa nova, warm', mv: 'chirp-v3-5' });
		const [first] = result.output(NODE);
		expect(first.json).toMatchObject({ title: 'Sun Cup', tags: 'bossa nova, warm', lyrics, model: 'chirp-v3-5', coverMimeType: 'image/jpeg' });
		expect(first.json.description).toBeUndefined();
		expect(first.binary!.cover).toMatchObject({ mimeType: 'image/jpeg', fileName: 'sun-cup-1-cover.jpg' });
		const cover = await result.binary(NODE, 0, 'cover');
		expect(cover.equals(await served(first.json.imageLargeUrl))).toBe(true);
		expect(first.json.coverFileSize).toBe(cover.length);

		ctx.sandbox.clearRequests();
		const small = await song({
			songMode: 'custom',
			lyrics,
			options: { downloadCover: true, coverSize: 'small', coverPropertyOutput: 'art', binaryPropertyOutput: 'song' },
		});
		const [item] = small.output(NODE);
		expect(Object.keys(item.binary!).sort()).toEqual(['art', 'song']);
		expect((await small.binary(NODE, 0, 'art')).equals(await served(item.json.imageUrl))).toBe(true);
		expect(downloadsOf(item.json.imageLargeUrl)).toHaveLength(0);
	});

	test('instrumental: make_instrumental from a description; from lyrics it needs style tags instead of lyrics', async () => {
		const result = await song({ description: 'calm piano for a product tour', instrumental: true });
		expect(requests(SUBMIT_MUSIC)[0].body).toEqual({ gpt_description_prompt: 'calm piano for a product tour', make_instrumental: true, mv: 'chirp-v4' });
		expect(result.output(NODE)[0].json.lyrics).toBe('');

		ctx.sandbox.clearRequests();
		const custom = await song({ songMode: 'custom', instrumental: true, tags: 'lo-fi, rain' });
		expect(requests(SUBMIT_MUSIC)[0].body).toEqual({ tags: 'lo-fi, rain', make_instrumental: true, mv: 'chirp-v4' });
		expect(custom.output(NODE)).toHaveLength(2);
	});

	test('every item is read and checked before the first submit; under Continue On Fail a bad item fails alone', async () => {
		const input = [{ json: { lyrics: 'la la', tags: '' } }, { json: { lyrics: '', tags: '' } }, { json: { lyrics: 'da da', tags: 'x' } }];
		const parameters = { songMode: 'custom', lyrics: '={{ $json.lyrics }}', tags: '={{ $json.tags }}' };
		const failed = await song(parameters, { input });
		const error = errorOf(failed);
		expect(error.message).toBe('Lyrics: is empty');
		expect(error.description).toBe('Write the lyrics, turn on Instrumental, or make the song From a Description.');
		expect(error.context!.itemIndex).toBe(1);
		expect(requests(SUBMIT_MUSIC)).toHaveLength(0);

		const instrumental = await song({ ...parameters, instrumental: true }, { input: [{ json: { lyrics: '', tags: ' ' } }] });
		expect(errorOf(instrumental).message).toBe('Style Tags: is empty');
		expect(requests(SUBMIT_MUSIC)).toHaveLength(0);

		const result = await song(parameters, { input, continueOnFail: true });
		const items = result.output(NODE);
		expect(items.map((item) => [item.pairedItem, item.json.error ?? item.json.clip])).toEqual([
			[{ item: 0 }, 1],
			[{ item: 0 }, 2],
			[{ item: 1 }, 'Lyrics: is empty'],
			[{ item: 2 }, 1],
			[{ item: 2 }, 2],
		]);
		expect(requests(SUBMIT_MUSIC)).toHaveLength(2);
	});

	test('continue a clip: clip, task and time sent; the continuation comes back as a new task', async () => {
		const [origin] = (await song({ description: 'rainy city funk' })).output(NODE);
		ctx.sandbox.clearRequests();
		const result = await song({
			songMode: 'continue',
			continueClipId: '={{ $json.clipId }}',
			continueTaskId: '={{ $json.taskId }}',
			continueAt: 10,
			title: 'Rainy City Funk (Extended)',
		}, { input: [{ json: { clipId: origin.json.clipId, taskId: origin.json.taskId } }] });
		expect(requests(SUBMIT_MUSIC)[0].body).toEqual({
			continue_clip_id: origin.json.clipId,
			task_id: origin.json.taskId,
			continue_at: 10,
			title: 'Rainy City Funk (Extended)',
			mv: 'chirp-v4',
		});
		const items = result.output(NODE);
		expect(items[0].json.taskId).not.toBe(origin.json.taskId);
		expect(items.map((item) => [item.json.title, item.json.duration])).toEqual([
			['Rainy City Funk (Extended)', 34],
			['Rainy City Funk (Extended)', 38],
		]);

		const bad = await song({ songMode: 'continue', continueClipId: 'clip 1', continueTaskId: 'task_1', continueAt: 5 });
		expect(errorOf(bad).message).toBe('Clip ID: "clip 1" is not an ID (it holds spaces or slashes)');
		const early = await song({ songMode: 'continue', continueClipId: 'c1', continueTaskId: 'task_1', continueAt: -1 });
		expect(errorOf(early).message).toBe('Continue At (Seconds): must be a number of seconds from 0, got -1');
		expect(requests(SUBMIT_MUSIC)).toHaveLength(1);
	});

	test('the MIME type and extension come from the bytes: WAV served as audio/mpeg is a .wav', async () => {
		const speech = await fetch(`${ctx.sandbox.url}/v1/audio/speech`, {
			method: 'POST',
			headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'tts-1', input: 'la', voice: 'alloy', response_format: 'wav' }),
		});
		const wav = Buffer.from(await speech.arrayBuffer());
		ctx.sandbox.fault({ path: /^\/files\/suno\/[^/]+\.mp3$/, status: 200, body: wav, headers: { 'content-type': 'audio/mpeg' }, times: 2 });
		const result = await song({ description: 'wav in disguise' });
		const [item] = result.output(NODE);
		expect(item.json).toMatchObject({ mimeType: 'audio/wav', fileName: 'wav-disguise-1.wav' });
		expect(item.binary!.data).toMatchObject({ mimeType: 'audio/wav', fileExtension: 'wav' });
	});

	test('a link that is not audio fails the item, naming the link', async () => {
		ctx.sandbox.fault({ path: /^\/files\/suno\/[^/]+\.mp3$/, status: 200, body: '<html><title>Login</title></html>', headers: { 'content-type': 'audio/mpeg' } });
		const result = await song({ description: 'login page' });
		expect(errorOf(result).message).toMatch(/^Could not download the audio at http:\/\/127\.0\.0\.1:\d+\/files\/suno\/.+\.mp3: it is an HTML page \("Login"\), not audio$/);
	});
});

describe('Generate Lyrics', () => {
	test('a description to one item with the title and the lyrics as text', async () => {
		const result = await run({ operation: 'generateLyrics', lyricsPrompt: 'a brave little kettle', ...FAST });
		expect(requests(SUBMIT_LYRICS)[0].body).toEqual({ prompt: 'a brave little kettle' });
		const [item] = result.output(NODE);
		expect(item.json).toEqual({
			taskId: expect.stringMatching(/^task_/),
			action: 'lyrics',
			status: 'completed',
			relayStatus: 'SUCCESS',
			done: true,
			timedOut: false,
			progress: 100,
			title: 'Brave Little Kettle',
			text: expect.stringContaining('brave little kettle'),
		});
		expect(item.binary).toBeUndefined();

		const empty = await run({ operation: 'generateLyrics', lyricsPrompt: '  ', ...FAST });
		expect(errorOf(empty).message).toBe('Description: is empty');
	});
});

describe('Get', () => {
	test('a task not waited for, then looked up: a clip still streaming is unfinished though the task says SUCCESS; then the files', async () => {
		const submitted = await song({ description: `EARLY_SUCCESS march ${LONG}`, waitForCompletion: false });
		const [pending] = submitted.output(NODE);
		expect(pending.json).toEqual({
			taskId: expect.stringMatching(/^task_/),
			action: 'music',
			status: 'queued',
			relayStatus: null,
			done: false,
			timedOut: false,
			progress: null,
			clips: 0,
		});
		const taskId = pending.json.taskId as string;
		expect(requests(`/suno/fetch/${taskId}`)).toHaveLength(0);

		ctx.sandbox.advanceSunoTasks(0.9 * 60_000);
		const early = await run({ operation: 'get', taskId, waitForCompletion: false });
		expect(early.output(NODE).map((item) => [item.json.clip, item.json.taskStatus, item.json.relayStatus, item.json.status, item.json.done])).toEqual([
			[1, 'SUCCESS', 'complete', 'completed', true],
			[2, 'SUCCESS', 'streaming', 'in_progress', false],
		]);
		for (const item of early.output(NODE)) {
			expect(item.binary).toBeUndefined();
			expect(item.json.timedOut).toBe(false);
		}
		expect(requests('/files/suno/stream/' + String(early.output(NODE)[1].json.clipId))).toHaveLength(0);

		ctx.sandbox.advanceSunoTasks(0.1 * 60_000);
		const done = await run({ operation: 'get', taskId, ...FAST });
		expect(done.output(NODE).map((item) => [item.json.done, item.binary?.data?.mimeType])).toEqual([
			[true, 'audio/mpeg'],
			[true, 'audio/mpeg'],
		]);
	});

	test('a lyrics task; an id that cannot be one fails before asking; an unknown one is the relay\'s error', async () => {
		const [lyrics] = (await run({ operation: 'generateLyrics', lyricsPrompt: 'waltz', waitForCompletion: false })).output(NODE);
		expect(lyrics.json).toMatchObject({ action: 'lyrics', done: false, title: null, text: null });
		const [got] = (await run({ operation: 'get', taskId: lyrics.json.taskId, ...FAST })).output(NODE);
		expect(got.json).toMatchObject({ action: 'lyrics', done: true, title: 'Waltz' });

		ctx.sandbox.clearRequests();
		const bad = await run({ operation: 'get', taskId: 'task 1/2' });
		expect(errorOf(bad).message).toBe('Task ID: "task 1/2" is not an ID (it holds spaces or slashes)');
		expect(ctx.sandbox.requests).toHaveLength(0);

		const unknown = await run({ operation: 'get', taskId: 'task_unknown' });
		const error = errorOf(unknown);
		expect(error.message).toBe('400 Bad Request: task_not_exist');
		expect((error as unknown as { httpCode: string }).httpCode).toBe('400');
	});
});

describe('failures', () => {
	test("a failed task is an error naming the relay's reason; under Continue On Fail an error item while the others go on", async () => {
		const input = [{ json: { d: 'FAIL_TASK anthem' } }, { json: { d: 'a fine song' } }];
		const failed = await song({ description: '={{ $json.d }}' }, { input });
		const error = errorOf(failed);
		expect(error.message).toMatch(
			/^The music task task_\w+ failed: Song description rejected by moderation: it names a blocked phrase \(FAIL_TASK\) \(status FAILURE\)$/,
		);
		expect(error.context!.itemIndex).toBe(0);

		const result = await song({ description: '={{ $json.d }}' }, { input, continueOnFail: true });
		const items = result.output(NODE);
		expect(items.map((item) => [item.pairedItem, item.json.error ? 'error' : item.json.clip])).toEqual([
			[{ item: 0 }, 'error'],
			[{ item: 1 }, 1],
			[{ item: 1 }, 2],
		]);
		expect(items[0].json.error).toMatch(/Song description rejected by moderation/);
	});

	test("a failed clip fails the item with that clip's reason", async () => {
		const result = await song({ description: 'FAIL_CLIP waltz' });
		expect(errorOf(result).message).toMatch(
			/^The music task task_\w+ failed: clip 2 of 2 \([0-9a-f-]{36}\) ended in error: Audio generation failed for this clip, credits refunded \(FAIL_CLIP\)/,
		);
	});

	test('a wait that ends first: unfinished clips with timedOut; On Timeout can make it an error', async () => {
		const result = await song({ description: `slow ${LONG}`, maxWaitMinutes: 0.05, pollIntervalSeconds: 1 });
		const items = result.output(NODE);
		expect(items.map((item) => [item.json.done, item.json.timedOut, item.binary])).toEqual([
			[false, true, undefined],
			[false, true, undefined],
		]);
		const failed = await song({ description: `slow ${LONG}`, maxWaitMinutes: 0.05, pollIntervalSeconds: 1, onTimeout: 'error' });
		expect(errorOf(failed).message).toMatch(/^The music task task_\w+ did not finish within 3(\.\d)? s \(last status: /);
	}, 20_000);
});

test('stopping the execution stops the waiting and aborts the polls in flight at once', async () => {
	ctx.sandbox.fault({ path: /^\/suno\/fetch\/task_/, method: 'GET', latencyMs: 30_000, times: 10 });
	const controller = new AbortController();
	const input = [{ json: {} }, { json: {} }];
	const running = song({ description: `long ${LONG}` }, { input, run: { signal: controller.signal } });
	const polls = () => ctx.sandbox.requests.filter((request) => request.path.startsWith('/suno/fetch/'));
	const deadline = Date.now() + 5000;
	while (polls().length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
	expect(polls()).toHaveLength(2);
	const stoppedAt = Date.now();
	controller.abort();
	const result = await running;
	expect(result.status).toBe('canceled');
	expect(Date.now() - stoppedAt).toBeLessThan(1500);
	expect(requests(SUBMIT_MUSIC)).toHaveLength(2);
});

test('relays that answer code: 1 work the same', async () => {
	ctx.sandbox.setSunoCode(1);
	const result = await song({ description: 'code one' });
	expect(result.output(NODE).map((item) => item.json.done)).toEqual([true, true]);
});

test('many items: every task submitted at once, waited for side by side; clips in input order, each paired', async () => {
	const input = ['one', 'two', 'three'].map((word) => ({ json: { d: `${word} TASK_MS=1500` } }));
	const started = Date.now();
	const result = await song({ description: '={{ $json.d }}' }, { input });
	const elapsed = Date.now() - started;
	const submits = requests(SUBMIT_MUSIC);
	expect(submits.map((request) => request.body.gpt_description_prompt)).toEqual(input.map((item) => item.json.d));
	// All submitted before the first could finish, so all end about when one does.
	expect(Math.max(...submits.map((r) => r.receivedAt)) - Math.min(...submits.map((r) => r.receivedAt))).toBeLessThan(1000);
	expect(elapsed).toBeLessThan(3 * 1500);
	const items: INodeExecutionData[] = result.output(NODE);
	expect(items.map((item) => [item.pairedItem, item.json.title])).toEqual([
		[{ item: 0 }, 'One'],
		[{ item: 0 }, 'One'],
		[{ item: 1 }, 'Two'],
		[{ item: 1 }, 'Two'],
		[{ item: 2 }, 'Three'],
		[{ item: 2 }, 'Three'],
	]);
});
