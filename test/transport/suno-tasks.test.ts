/**
 * The Suno task kind on the task engine, against the sandbox over real sockets: what is sent, how
 * every stage reads, a song done only when every clip is complete, failures of a task and of a
 * clip with the relay's reason, lyrics, `code: 1`, codes that are errors, and the batch fetch for
 * relays without the single one.
 */
import {
	RelayApiError,
	RelayClient,
	RelayTaskError,
	sunoDetails,
	sunoTaskKind,
	TaskScheduler,
	type TaskSnapshot,
} from '../../nodes/shared/transport';
import { startSandbox, type Sandbox } from '../../sandbox';

const LONG = 60_000;

let sandbox: Sandbox;
let client: RelayClient;

beforeAll(async () => {
	sandbox = await startSandbox({ sunoTaskMs: LONG });
	// The base URL as users paste it, with /v1: the task routes are beside it.
	client = new RelayClient({ apiKey: sandbox.apiKey, baseUrl: `${sandbox.url}/v1/` });
});
afterAll(() => sandbox.close());
beforeEach(() => {
	sandbox.clearRequests();
	sandbox.clearFaults();
	sandbox.setSunoCode('success');
});

const song = (body: Record<string, unknown>) => sunoTaskKind.submit(client, { action: 'music', body }, {});
const poll = (id: string) => sunoTaskKind.poll(client, id, {});
const wait = (snapshot: TaskSnapshot, maxWaitMs = 5000) =>
	new TaskScheduler(client).wait(sunoTaskKind, snapshot, { pollIntervalMs: 20, maxWaitMs });

test('submit posts to /suno/submit/music beside /v1 and reads the task id; polls read every stage', async () => {
	const submitted = await song({ gpt_description_prompt: 'a jingle for a kettle', mv: 'chirp-v4' });
	expect(sandbox.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /suno/submit/music']);
	expect(sandbox.lastRequest()!.body).toEqual({ gpt_description_prompt: 'a jingle for a kettle', mv: 'chirp-v4' });
	expect(submitted).toMatchObject({ id: expect.stringMatching(/^task_/), status: 'queued', state: 'pending' });

	const stages: Array<[number, string, string, string[]]> = [
		[0, 'SUBMITTED', 'queued', ['queued', 'queued']],
		[0.2, 'QUEUED', 'queued', ['queued', 'queued']],
		[0.4, 'IN_PROGRESS', 'in_progress', ['in_progress', 'in_progress']],
		[0.9, 'IN_PROGRESS', 'in_progress', ['completed', 'in_progress']],
		[1, 'SUCCESS', 'completed', ['completed', 'completed']],
	];
	let at = 0;
	for (const [fraction, relayStatus, status, clips] of stages) {
		sandbox.advanceSunoTasks((fraction - at) * LONG);
		at = fraction;
		const snapshot = await poll(submitted.id);
		expect([snapshot.relayStatus, snapshot.status]).toEqual([relayStatus, status]);
		expect(snapshot.state).toBe(status === 'completed' ? 'done' : 'pending');
		expect(sunoDetails(snapshot).clips.map((clip) => clip.status)).toEqual(clips);
	}
	expect(sandbox.lastRequest()!.path).toBe(`/suno/fetch/${submitted.id}`);

	const done = await poll(submitted.id);
	expect(done.progress).toBe(100);
	const details = sunoDetails(done);
	expect(details.action).toBe('MUSIC');
	expect(details.clips).toHaveLength(2);
	expect(details.clips[0]).toMatchObject({
		index: 0,
		done: true,
		relayStatus: 'complete',
		title: 'Jingle Kettle',
		model: 'chirp-v4',
		duration: 24,
		description: 'a jingle for a kettle',
		audioUrl: expect.stringMatching(/\/files\/suno\/.+\.mp3$/),
		imageUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/files\/gen\//),
		imageLargeUrl: expect.any(String),
		videoUrl: expect.stringMatching(/\.mp4$/),
	});
	expect(details.clips[0].lyrics).toContain('[Chorus]');
	expect(details.clips[0].tags).toEqual(expect.any(String));
	expect(details.clips[1]).toMatchObject({ index: 1, duration: 28 });
});

test('a task that says SUCCESS while a clip still streams is not done: the wait goes on until every clip is complete', async () => {
	const long = await song({ gpt_description_prompt: 'EARLY_SUCCESS march' });
	sandbox.advanceSunoTasks(0.9 * LONG);
	const early = await poll(long.id);
	expect(early).toMatchObject({ relayStatus: 'SUCCESS', status: 'in_progress', state: 'pending' });
	expect(sunoDetails(early).clips.map((clip) => clip.relayStatus)).toEqual(['complete', 'streaming']);

	// Half a second of "SUCCESS" with a streaming clip before the task is really done.
	const submitted = await song({ gpt_description_prompt: 'EARLY_SUCCESS polka', sandbox_task_ms: 5000 });
	sandbox.advanceSunoTasks(0.9 * 5000);
	const outcome = await wait(submitted);
	expect(outcome).toMatchObject({ done: true, timedOut: false });
	expect(outcome.polls).toBeGreaterThanOrEqual(2);
	expect(sunoDetails(outcome.snapshot).clips.map((clip) => clip.relayStatus)).toEqual(['complete', 'complete']);
});

test('a wait that ends first leaves the task pending, its streaming clips not done', async () => {
	const submitted = await song({ gpt_description_prompt: 'slow song' });
	sandbox.advanceSunoTasks(0.5 * LONG);
	const outcome = await wait(submitted, 100);
	expect(outcome).toMatchObject({ done: false, timedOut: true });
	expect(sunoDetails(outcome.snapshot).clips.map((clip) => [clip.relayStatus, clip.done])).toEqual([
		['streaming', false],
		['streaming', false],
	]);
});

test("a failed task rejects with the relay's fail_reason", async () => {
	const submitted = await song({ gpt_description_prompt: 'FAIL_TASK anthem', sandbox_task_ms: 100 });
	const error = (await wait(submitted).catch((caught: unknown) => caught)) as RelayTaskError;
	expect(error).toBeInstanceOf(RelayTaskError);
	expect(error.message).toBe(
		`The music task ${submitted.id} failed: Song description rejected by moderation: it names a blocked phrase (FAIL_TASK) (status FAILURE)`,
	);
	expect(error).toMatchObject({ reason: 'failed', taskId: submitted.id, relayStatus: 'FAILURE' });
});

test('a failed clip fails the task with that clip\'s reason, though the task says SUCCESS', async () => {
	const submitted = await song({ gpt_description_prompt: 'FAIL_CLIP waltz', sandbox_task_ms: 0 });
	const snapshot = await poll(submitted.id);
	const clipId = sunoDetails(snapshot).clips[1].id;
	expect(snapshot).toMatchObject({
		state: 'failed',
		relayStatus: 'SUCCESS',
		failure: `clip 2 of 2 (${clipId}) ended in error: Audio generation failed for this clip, credits refunded (FAIL_CLIP)`,
	});
	await expect(wait(submitted)).rejects.toThrow(`The music task ${submitted.id} failed: clip 2 of 2 (${clipId}) ended in error`);
});

test('a lyrics task: submitted to /suno/submit/lyrics, done with its text and title', async () => {
	const submitted = await sunoTaskKind.submit(client, { action: 'lyrics', body: { prompt: 'a brave kettle' } }, {});
	expect(sandbox.lastRequest()!.path).toBe('/suno/submit/lyrics');
	const running = await poll(submitted.id);
	expect(running.state).toBe('pending');
	expect(sunoDetails(running)).toEqual({ action: 'LYRICS', clips: [] });
	sandbox.advanceSunoTasks(LONG);
	const outcome = await wait(submitted);
	expect(outcome.done).toBe(true);
	expect(sunoDetails(outcome.snapshot)).toEqual({
		action: 'LYRICS',
		clips: [],
		lyrics: { title: 'Brave Kettle', text: expect.stringContaining('brave kettle'), status: 'completed' },
	});
});

test('relays answering code: 1 read the same', async () => {
	sandbox.setSunoCode(1);
	const submitted = await song({ gpt_description_prompt: 'code one', sandbox_task_ms: 0 });
	const snapshot = await poll(submitted.id);
	expect(snapshot.state).toBe('done');
	expect(sunoDetails(snapshot).clips).toHaveLength(2);
});

test('any other code is the relay\'s error, in its words, even on a 200', async () => {
	sandbox.fault({ path: '/suno/submit/music', status: 200, body: { code: 'quota_not_enough', message: '用户额度不足', data: null } });
	const error = (await song({ gpt_description_prompt: 'x' }).catch((caught: unknown) => caught)) as RelayApiError;
	expect(error).toBeInstanceOf(RelayApiError);
	expect(error.message).toBe('The relay answered 200 with an error: 用户额度不足');
	expect(error.relayCode).toBe('quota_not_enough');

	sandbox.fault({ path: '/suno/submit/music', status: 200, body: { code: 0, data: null } });
	await expect(song({ gpt_description_prompt: 'x' })).rejects.toThrow('The music submit answer says code 0: it sent {"code":0,"data":null}');
	sandbox.fault({ path: '/suno/submit/music', status: 200, body: { code: 'success', data: null } });
	await expect(song({ gpt_description_prompt: 'x' })).rejects.toThrow('The music submit answer has no task id in "data"');
});

test('an unknown task is the relay\'s 400 task_not_exist, which a wait does not retry', async () => {
	const error = (await new TaskScheduler(client)
		.wait(sunoTaskKind, 'task_unknown', { pollIntervalMs: 20, maxWaitMs: 2000 })
		.catch((caught: unknown) => caught)) as RelayApiError;
	expect(error).toBeInstanceOf(RelayApiError);
	expect(error.status).toBe(400);
	expect(error.relayMessage).toBe('task_not_exist');
	expect(sandbox.requests.filter((request) => request.path === '/suno/fetch/task_unknown')).toHaveLength(1);
});

test('a relay without GET /suno/fetch/{id} (404) is asked with POST /suno/fetch {ids}', async () => {
	const submitted = await song({ gpt_description_prompt: 'batch only', sandbox_task_ms: 0 });
	const other = await song({ gpt_description_prompt: 'another', sandbox_task_ms: 0 });
	sandbox.fault({ path: `/suno/fetch/${submitted.id}`, method: 'GET', status: 404, body: { error: { message: 'Invalid URL (GET /suno/fetch/x)' } } });
	const snapshot = await poll(submitted.id);
	expect(snapshot).toMatchObject({ id: submitted.id, state: 'done' });
	expect(sunoDetails(snapshot).clips[0].description).toBe('batch only');
	const batch = sandbox.lastRequest('/suno/fetch')!;
	expect([batch.method, batch.body]).toEqual(['POST', { ids: [submitted.id] }]);
	expect(other.id).not.toBe(submitted.id);

	sandbox.fault({ path: '/suno/fetch/task_gone', method: 'GET', status: 404 });
	await expect(poll('task_gone')).rejects.toThrow('The relay knows no music task task_gone');
});
