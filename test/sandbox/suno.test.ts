/**
 * The sandbox's Suno tasks over raw HTTP: submit answers, every stage of a song task (submitted,
 * queued, streaming with a partial live link, the first clip complete before the second, done),
 * the files behind the links, custom and instrumental songs, continuations, lyrics, failures of
 * a task and of a clip, fetching several, and the relays that answer `code: 1`.
 */
import { startSandbox, type Sandbox } from '../../sandbox';
import { get, pathOf, post, type Reply } from './http';

const MUSIC = '/suno/submit/music';
const LYRICS = '/suno/submit/lyrics';
const LONG = 10_000;

describe('sandbox Suno', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.close());
	afterEach(() => sandbox.setSunoCode('success'));

	async function submit(path: string, body: Record<string, unknown>): Promise<string> {
		const reply = await post(sandbox, path, { sandbox_task_ms: LONG, ...body });
		expect(reply.status).toBe(200);
		expect(reply.json).toEqual({ code: 'success', message: '', data: expect.stringMatching(/^task_[A-Za-z0-9]{32}$/) });
		return reply.json.data as string;
	}

	async function task(id: string): Promise<any> {
		const reply = await get(sandbox, `/suno/fetch/${id}`);
		expect(reply.status).toBe(200);
		expect(reply.json.code).toBe('success');
		return reply.json.data;
	}

	const advance = (ms: number) => sandbox.advanceSunoTasks(ms);

	async function file(url: string): Promise<Reply> {
		const reply = await get(sandbox, pathOf(url), { auth: false });
		expect(reply.status).toBe(200);
		return reply;
	}

	/** MPEG-1 Layer III frames of 417 bytes after an ID3v2 tag: the seconds they play. */
	function mp3Seconds(bytes: Buffer): number {
		const tagSize = ((bytes[6] & 0x7f) << 21) | ((bytes[7] & 0x7f) << 14) | ((bytes[8] & 0x7f) << 7) | (bytes[9] & 0x7f);
		const frames = (bytes.length - 10 - tagSize) / 417;
		return (frames * 1152) / 44_100;
	}

	test('an inspiration song task through every stage: two clips, streaming, then complete one after the other', async () => {
		const id = await submit(MUSIC, { gpt_description_prompt: 'a jingle for a solar kettle', mv: 'chirp-v4' });

		let state = await task(id);
		expect(state).toMatchObject({ task_id: id, action: 'MUSIC', status: 'SUBMITTED', progress: '0%', fail_reason: '', finish_time: 0 });
		expect(Math.abs(state.submit_time - Date.now() / 1000)).toBeLessThan(5);
		expect(state.data).toHaveLength(2);
		expect(state.data.map((clip: any) => clip.status)).toEqual(['submitted', 'submitted']);
		expect(state.data[0].id).not.toBe(state.data[1].id);
		expect(state.data[0]).toMatchObject({ audio_url: '', image_url: null, model_name: 'chirp-v4', metadata: { duration: null } });

		advance(0.2 * LONG);
		state = await task(id);
		expect(state.status).toBe('QUEUED');
		expect(state.data.map((clip: any) => clip.status)).toEqual(['queued', 'queued']);

		advance(0.2 * LONG);
		state = await task(id);
		expect(state).toMatchObject({ status: 'IN_PROGRESS', progress: '40%' });
		expect(state.data.map((clip: any) => clip.status)).toEqual(['streaming', 'streaming']);
		const streaming = state.data[0];
		expect(streaming.title).toBe('Jingle Solar Kettle');
		expect(streaming.audio_url).toMatch(/\/files\/suno\/stream\//);
		expect(streaming.metadata.duration).toBeNull();
		const live = await file(streaming.audio_url);
		expect(live.headers['content-type']).toBe('audio/mpeg');
		expect(mp3Seconds(live.body)).toBeLessThan(10);

		advance(0.5 * LONG);
		state = await task(id);
		expect(state.status).toBe('IN_PROGRESS');
		expect(state.data.map((clip: any) => clip.status)).toEqual(['complete', 'streaming']);
		expect(state.data[0].audio_url).toMatch(/\/files\/suno\/[0-9a-f-]{36}\.mp3$/);

		advance(0.1 * LONG);
		state = await task(id);
		expect(state).toMatchObject({ status: 'SUCCESS', progress: '100%', fail_reason: '' });
		expect(state.finish_time).toBeGreaterThanOrEqual(state.submit_time);
		expect(state.data.map((clip: any) => clip.status)).toEqual(['complete', 'complete']);
		const [first, second] = state.data;
		expect(first).toMatchObject({
			title: 'Jingle Solar Kettle',
			model_name: 'chirp-v4',
			major_model_version: 'v4',
			metadata: { duration: 24, gpt_description_prompt: 'a jingle for a solar kettle', type: 'gen' },
		});
		expect(first.metadata.tags).toMatch(/^\w+ [\w -]+$/);
		expect(first.metadata.prompt).toContain('[Chorus]');
		expect(second.metadata.duration).toBe(28);

		const audio = await file(first.audio_url);
		expect(audio.headers['content-type']).toBe('audio/mpeg');
		expect(audio.body.subarray(0, 3).toString('latin1')).toBe('ID3');
		expect(audio.body.includes(Buffer.from('Jingle Solar Kettle'))).toBe(true);
		expect(mp3Seconds(audio.body)).toBeCloseTo(24, 0);
		const cover = await file(first.image_url);
		expect(cover.headers['content-type']).toBe('image/jpeg');
		expect(cover.body.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
		expect((await file(first.image_large_url)).body.length).toBeGreaterThan(0);
		const video = await file(first.video_url);
		expect(video.body.toString('latin1', 4, 8)).toBe('ftyp');
	});

	test('custom mode keeps lyrics, title and tags; instrumental has no lyrics; mv defaults to chirp-v3-0 as new-api sets it', async () => {
		const lyrics = '[Verse]\nKettle on the stove\n[Chorus]\nSun in every cup';
		const custom = await submit(MUSIC, { prompt: lyrics, title: 'Sun Cup', tags: 'bossa nova, warm', sandbox_task_ms: 0 });
		const [clip] = (await task(custom)).data;
		expect(clip).toMatchObject({ title: 'Sun Cup', status: 'complete', model_name: 'chirp-v3-0' });
		expect(clip.metadata).toMatchObject({ prompt: lyrics, tags: 'bossa nova, warm', gpt_description_prompt: null });

		const instrumental = await submit(MUSIC, { gpt_description_prompt: 'calm piano', make_instrumental: true, sandbox_task_ms: 0 });
		expect((await task(instrumental)).data[0].metadata.prompt).toBe('');

		const nothing = await post(sandbox, MUSIC, { mv: 'chirp-v4' });
		expect(nothing.status).toBe(400);
		expect(nothing.json).toEqual({ code: 'invalid_request', message: expect.stringContaining('gpt_description_prompt'), data: null });
	});

	test('continue: a finished clip from a point in time; new-api refuses without the task id, before success, out of range', async () => {
		const origin = await submit(MUSIC, { gpt_description_prompt: 'rainy city funk' });
		const clipId = (await task(origin)).data[0].id;
		const early = await post(sandbox, MUSIC, { continue_clip_id: clipId, continue_at: 10, task_id: origin });
		expect(early.json).toMatchObject({ code: 'invalid_request', message: 'task status is not success' });
		advance(LONG);

		const noTask = await post(sandbox, MUSIC, { continue_clip_id: clipId, continue_at: 10 });
		expect(noTask.status).toBe(400);
		expect(noTask.json.message).toBe('task id is empty');
		const unknown = await post(sandbox, MUSIC, { continue_clip_id: clipId, continue_at: 10, task_id: 'task_nope' });
		expect(unknown.json).toMatchObject({ code: 'task_origin_not_exist' });
		const tooFar = await post(sandbox, MUSIC, { continue_clip_id: clipId, continue_at: 99, task_id: origin });
		expect(tooFar.json.message).toBe('continue_at must be a number of seconds from 0 to 24, got 99');

		const next = await submit(MUSIC, { continue_clip_id: clipId, continue_at: 10, task_id: origin, sandbox_task_ms: 0 });
		const [clip] = (await task(next)).data;
		expect(clip.title).toBe('Rainy City Funk');
		expect(clip.metadata.duration).toBe(34);
		expect(clip.metadata.history).toEqual([{ id: clipId, continue_at: 10, type: 'gen', source: 'web' }]);
	});

	test('a lyrics task: running, then {text, title}; an empty prompt is refused', async () => {
		const id = await submit(LYRICS, { prompt: 'a song about a brave little kettle' });
		let state = await task(id);
		expect(state).toMatchObject({ action: 'LYRICS', status: 'SUBMITTED', data: { status: 'running', text: '' } });
		advance(0.5 * LONG);
		expect((await task(id)).status).toBe('IN_PROGRESS');
		advance(0.5 * LONG);
		state = await task(id);
		expect(state).toMatchObject({ status: 'SUCCESS', progress: '100%' });
		expect(state.data).toEqual({ id, status: 'complete', title: 'Brave Little Kettle', text: expect.stringContaining('[Verse]') });
		expect(state.data.text).toContain('brave little kettle');

		const empty = await post(sandbox, LYRICS, { prompt: ' ' });
		expect(empty.status).toBe(400);
		expect(empty.json).toEqual({ code: 'invalid_request', message: 'prompt_empty', data: null });
	});

	test('FAIL_TASK fails the task with a reason and its clips with the same error message', async () => {
		const id = await submit(MUSIC, { gpt_description_prompt: 'FAIL_TASK anthem' });
		advance(0.15 * LONG);
		const state = await task(id);
		expect(state).toMatchObject({ status: 'FAILURE', progress: '100%' });
		expect(state.fail_reason).toMatch(/moderation/);
		expect(state.finish_time).toBeGreaterThan(0);
		expect(state.data.map((clip: any) => [clip.status, clip.metadata.error_message])).toEqual([
			['error', state.fail_reason],
			['error', state.fail_reason],
		]);
		const lyrics = await submit(LYRICS, { prompt: 'FAIL_TASK words', sandbox_task_ms: 0 });
		expect((await task(lyrics)).status).toBe('FAILURE');
	});

	test('FAIL_CLIP: the task says SUCCESS, the second clip is an error with its reason', async () => {
		const id = await submit(MUSIC, { gpt_description_prompt: 'FAIL_CLIP waltz', sandbox_task_ms: 0 });
		const state = await task(id);
		expect(state.status).toBe('SUCCESS');
		expect(state.data.map((clip: any) => clip.status)).toEqual(['complete', 'error']);
		expect(state.data[1].metadata.error_message).toMatch(/Audio generation failed/);
		expect(state.data[1].audio_url).toBe('');
	});

	test('EARLY_SUCCESS: the task says SUCCESS while the second clip still streams', async () => {
		const id = await submit(MUSIC, { gpt_description_prompt: 'EARLY_SUCCESS march' });
		advance(0.9 * LONG);
		const state = await task(id);
		expect(state.status).toBe('SUCCESS');
		expect(state.data.map((clip: any) => clip.status)).toEqual(['complete', 'streaming']);
	});

	test('POST /suno/fetch answers the known tasks of the ids in its own order, filtered by action', async () => {
		const song = await submit(MUSIC, { gpt_description_prompt: 'one' });
		const words = await submit(LYRICS, { prompt: 'two' });
		const reply = await post(sandbox, '/suno/fetch', { ids: [song, 'task_unknown', words] });
		expect(reply.json.code).toBe('success');
		expect(reply.json.data.map((entry: any) => entry.task_id)).toEqual([words, song]);
		const lyricsOnly = await post(sandbox, '/suno/fetch', { ids: [song, words], action: 'LYRICS' });
		expect(lyricsOnly.json.data.map((entry: any) => entry.task_id)).toEqual([words]);
		expect((await post(sandbox, '/suno/fetch', {})).json.data).toEqual([]);
		expect((await post(sandbox, '/suno/fetch', { ids: 'x' })).status).toBe(400);
	});

	test('unknown ids, actions, keys and paths answer as new-api does; a base URL prefix is kept', async () => {
		const missing = await get(sandbox, '/suno/fetch/task_missing');
		expect(missing.status).toBe(400);
		expect(missing.json).toEqual({ code: 'task_not_exist', message: 'task_not_exist', data: null });
		expect((await post(sandbox, '/suno/submit/video', { prompt: 'x' })).json.message).toBe('invalid_action');
		const noKey = await post(sandbox, MUSIC, { gpt_description_prompt: 'x' }, { auth: false });
		expect(noKey.status).toBe(401);
		expect(noKey.json.error.code).toBe('invalid_api_key');
		const prefixed = await post(sandbox, `/relay${MUSIC}`, { gpt_description_prompt: 'prefixed', sandbox_task_ms: 0 });
		expect(prefixed.json.code).toBe('success');
		expect((await get(sandbox, `/relay/suno/fetch/${prefixed.json.data}`)).json.data.status).toBe('SUCCESS');
	});

	test('task length: body sandbox_task_ms, else header x-sandbox-task-ms, else TASK_MS= in its words, else the sandbox default', async () => {
		const byHeader = await post(sandbox, MUSIC, { gpt_description_prompt: 'x' }, { headers: { 'x-sandbox-task-ms': '0' } });
		expect((await task(byHeader.json.data)).status).toBe('SUCCESS');
		const byWords = await post(sandbox, MUSIC, { gpt_description_prompt: 'a tune TASK_MS=0' });
		expect((await task(byWords.json.data)).status).toBe('SUCCESS');
		const wordsAndBody = await post(sandbox, LYRICS, { prompt: 'x TASK_MS=0', sandbox_task_ms: LONG });
		expect((await task(wordsAndBody.json.data)).status).toBe('SUBMITTED');
		sandbox.setSunoTaskMs(0);
		try {
			const byDefault = await post(sandbox, LYRICS, { prompt: 'x' });
			expect((await task(byDefault.json.data)).status).toBe('SUCCESS');
		} finally {
			sandbox.setSunoTaskMs(3000);
		}
		const byDefault = await post(sandbox, LYRICS, { prompt: 'x' });
		expect((await task(byDefault.json.data)).status).toBe('SUBMITTED');
	});

	test('code: 1 relays answer submits and fetches with code 1', async () => {
		sandbox.setSunoCode(1);
		const submitted = await post(sandbox, LYRICS, { prompt: 'x', sandbox_task_ms: 0 });
		expect(submitted.json).toEqual({ code: 1, message: 'success', data: expect.stringMatching(/^task_/) });
		const fetched = await get(sandbox, `/suno/fetch/${submitted.json.data}`);
		expect(fetched.json).toMatchObject({ code: 1, data: { status: 'SUCCESS' } });
	});
});
