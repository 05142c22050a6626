import { paddedClip, startSandbox, taggedClip, videoClip, VIDEO_FAIL_REASON, type Sandbox } from '../../sandbox';
import { get, post } from './http';

/** A multipart submit as OpenAI's SDK sends it, through the platform's FormData. */
async function submitForm(sandbox: Sandbox, fields: Record<string, string>, files: Array<{ name: string; bytes: Buffer; type: string }> = []) {
	const form = new FormData();
	for (const [name, value] of Object.entries(fields)) form.append(name, value);
	for (const file of files) form.append(file.name, new Blob([file.bytes], { type: file.type }), 'frame.png');
	const answer = await fetch(`${sandbox.url}/v1/videos`, { method: 'POST', headers: { authorization: `Bearer ${sandbox.apiKey}` }, body: form });
	return { status: answer.status, json: (await answer.json()) as any };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sandbox video tasks', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ videoTaskMs: 300 });
	});
	afterAll(() => sandbox.close());

	it('OpenAI Videos: a video object queued, then in progress with progress, then completed with a link; the content route refuses until then', async () => {
		const submitted = await submitForm(sandbox, { model: 'veo3-fast', prompt: 'a deer in the snow', seconds: '8', size: '1280x720' });
		expect(submitted.status).toBe(200);
		const video = submitted.json;
		expect(video).toMatchObject({ object: 'video', model: 'veo3-fast', status: 'queued', progress: 0, seconds: '8', size: '1280x720', error: null, completed_at: null });
		expect(video.id).toMatch(/^video_[0-9a-f]{24}$/);
		expect(video.task_id).toBe(video.id);

		const early = await get(sandbox, `/v1/videos/${video.id}/content`);
		expect(early.status).toBe(400);
		expect(early.json.error.message).toMatch(/^Task is not completed yet, current status: (queued|in_progress)$/);

		await sleep(120);
		const running = (await get(sandbox, `/v1/videos/${video.id}`)).json;
		expect(running.status).toBe('in_progress');
		expect(running.progress).toBeGreaterThan(0);
		expect(running.progress).toBeLessThan(100);

		await sleep(220);
		const done = (await get(sandbox, `/v1/videos/${video.id}`)).json;
		expect(done).toMatchObject({ status: 'completed', progress: 100, metadata: { url: `${sandbox.url}/files/videos/${video.id}.mp4` } });
		expect(done.expires_at).toBeGreaterThan(done.completed_at);

		const content = await get(sandbox, `/v1/videos/${video.id}/content`);
		expect(content.status).toBe(200);
		expect(content.headers['content-type']).toBe('video/mp4');
		// The test clip with the task id in a trailing free box: every task's video differs.
		expect(content.body.equals(taggedClip(video.id))).toBe(true);
		expect(content.body.subarray(0, videoClip('mp4').length).equals(videoClip('mp4'))).toBe(true);
		expect(content.body.toString('latin1', videoClip('mp4').length + 4)).toBe(`free${video.id}`);
		const viaLink = await get(sandbox, `/files/videos/${video.id}.mp4`, { auth: false });
		expect(viaLink.body.equals(taggedClip(video.id))).toBe(true);
		expect(sandbox.videoTasks().map((task) => task.id)).toEqual([video.id]);
	});

	it('unknown ids are 404 on every route; no key is 401', async () => {
		expect((await get(sandbox, '/v1/videos/video_nope')).status).toBe(404);
		expect((await get(sandbox, '/v1/videos/video_nope/content')).status).toBe(404);
		expect((await get(sandbox, '/v1/video/generations/task_nope')).status).toBe(404);
		expect((await get(sandbox, '/v1/videos/video_nope', { auth: false })).status).toBe(401);
	});

	it('new-api shape A: submit {task_id, status}, then the task row in a wrapper, upper-case statuses, progress as "NN%", result_url', async () => {
		const submitted = await post(sandbox, '/v1/video/generations', { model: 'kling-v1', prompt: 'a deer TASK_MS=200', duration: 5 });
		expect(submitted.json).toEqual({ task_id: expect.stringMatching(/^task_[A-Za-z0-9]{32}$/), status: 'submitted' });
		const id = submitted.json.task_id;
		await sleep(60);
		const running = (await get(sandbox, `/v1/video/generations/${id}`)).json;
		expect(running).toMatchObject({ code: 'success', data: { task_id: id, status: 'IN_PROGRESS', result_url: '', fail_reason: '' } });
		expect(running.data.progress).toMatch(/^\d+%$/);
		await sleep(180);
		const done = (await get(sandbox, `/v1/video/generations/${id}`)).json;
		expect(done.data).toMatchObject({ status: 'SUCCESS', progress: '100%', result_url: `${sandbox.url}/files/videos/${id}.mp4`, data: { model: 'kling-v1', duration: 5 } });
		// One task table behind both routes.
		expect((await get(sandbox, `/v1/videos/${id}`)).json).toMatchObject({ id, status: 'completed' });
	});

	it.each([
		['SHAPE_B', { code: 'success', data: { status: 'succeeded', format: 'mp4' } }, { code: 'success', data: { status: 'processing' } }],
		['SHAPE_C', { status: 'succeeded', format: 'mp4', progress: 100 }, { status: 'processing' }],
	])('new-api %s', async (token, done, running) => {
		const submitted = await post(sandbox, '/v1/video/generations', { model: 'veo3', prompt: `a deer ${token} TASK_MS=150` });
		const id = submitted.json.task_id ?? submitted.json.id;
		await sleep(40);
		expect((await get(sandbox, `/v1/video/generations/${id}`)).json).toMatchObject(running);
		await sleep(150);
		const answer = (await get(sandbox, `/v1/video/generations/${id}`)).json;
		expect(answer).toMatchObject(done);
		expect(JSON.stringify(answer)).toContain(`/files/videos/${id}.mp4`);
	});

	it('a failed task says why in every shape', async () => {
		const openai = (await submitForm(sandbox, { model: 'veo3', prompt: 'FAIL_TASK TASK_MS=50' })).json;
		const a = (await post(sandbox, '/v1/video/generations', { model: 'veo3', prompt: 'FAIL_TASK TASK_MS=50' })).json;
		const b = (await post(sandbox, '/v1/video/generations', { model: 'veo3', prompt: 'FAIL_TASK SHAPE_B TASK_MS=50' })).json;
		await sleep(80);
		expect((await get(sandbox, `/v1/videos/${openai.id}`)).json).toMatchObject({ status: 'failed', error: { code: 'content_policy_violation', message: VIDEO_FAIL_REASON } });
		expect((await get(sandbox, `/v1/video/generations/${a.task_id}`)).json.data).toMatchObject({ status: 'FAILURE', fail_reason: VIDEO_FAIL_REASON });
		expect((await get(sandbox, `/v1/video/generations/${b.id}`)).json.data).toMatchObject({ status: 'failed', error: VIDEO_FAIL_REASON });
		expect((await get(sandbox, `/v1/videos/${openai.id}/content`)).status).toBe(400);
	});

	it('status casing, the link in fail_reason, no link, a failing content route', async () => {
		const title = (await submitForm(sandbox, { model: 'veo3', prompt: 'STATUS_CASE=Title TASK_MS=0' })).json;
		expect(title.status).toBe('Completed');
		const old = (await post(sandbox, '/v1/video/generations', { model: 'kling-v1', prompt: 'LINK_IN_FAIL_REASON TASK_MS=0' })).json;
		expect((await get(sandbox, `/v1/video/generations/${old.task_id}`)).json.data).toMatchObject({ status: 'SUCCESS', result_url: '', fail_reason: expect.stringContaining('/files/videos/') });
		const noLink = (await submitForm(sandbox, { model: 'veo3', prompt: 'NO_LINK TASK_MS=0' })).json;
		expect(noLink.metadata).toBeUndefined();
		const broken = (await submitForm(sandbox, { model: 'veo3', prompt: 'CONTENT_FAILS TASK_MS=0' })).json;
		expect((await get(sandbox, `/v1/videos/${broken.id}/content`)).status).toBe(502);
		expect((await get(sandbox, `/files/videos/${broken.id}.mp4`, { auth: false })).status).toBe(200);
	});

	it('links expire: 403 from the CDN after LINK_TTL_MS', async () => {
		const video = (await submitForm(sandbox, { model: 'veo3', prompt: 'LINK_TTL_MS=50 TASK_MS=0' })).json;
		expect((await get(sandbox, `/files/videos/${video.id}.mp4`, { auth: false })).status).toBe(200);
		await sleep(80);
		const expired = await get(sandbox, `/files/videos/${video.id}.mp4`, { auth: false });
		expect(expired.status).toBe(403);
		expect(expired.text).toContain('Request has expired');
	});

	it('big videos (VIDEO_BYTES) are real MP4s padded with a free box; WEBM serves a WebM labelled video/mp4', async () => {
		const big = (await submitForm(sandbox, { model: 'veo3', prompt: 'VIDEO_BYTES=3000000 TASK_MS=0' })).json;
		const bytes = (await get(sandbox, `/v1/videos/${big.id}/content`)).body;
		expect(bytes.length).toBe(3_000_000);
		expect(bytes.equals(paddedClip(3_000_000))).toBe(true);
		expect(bytes.subarray(0, videoClip('mp4').length).equals(videoClip('mp4'))).toBe(true);
		expect(bytes.toString('latin1', videoClip('mp4').length + 4, videoClip('mp4').length + 8)).toBe('free');
		const webm = (await submitForm(sandbox, { model: 'veo3', prompt: 'WEBM TASK_MS=0' })).json;
		const reply = await get(sandbox, `/files/videos/${webm.id}.mp4`, { auth: false });
		expect(reply.headers['content-type']).toBe('video/mp4');
		expect(reply.body.equals(videoClip('webm'))).toBe(true);
	});

	it('input_reference files and image fields are checked to be images; bad fields are 400', async () => {
		const notImage = await submitForm(sandbox, { model: 'veo3', prompt: 'a deer' }, [{ name: 'input_reference', bytes: Buffer.from('<html>login</html>'), type: 'image/png' }]);
		expect(notImage.status).toBe(400);
		expect(notImage.json.error.message).toContain('is not an image');
		expect((await submitForm(sandbox, { model: 'veo3', prompt: ' ' })).status).toBe(400);
		expect((await submitForm(sandbox, { model: 'veo3', prompt: 'x', seconds: 'eight' })).status).toBe(400);
		expect((await submitForm(sandbox, { model: 'unavailable-video', prompt: 'x' })).status).toBe(503);
		const json = await post(sandbox, '/v1/video/generations', { model: 'veo3', prompt: 'x', image: 'https://example.com/a.png', metadata: { image_tail: 'data:image/png;base64,AAAA' } });
		expect(json.status).toBe(400);
	});

	it('the sandbox-wide task length can be changed between runs', async () => {
		sandbox.setVideoTaskMs(0);
		const video = (await submitForm(sandbox, { model: 'veo3', prompt: 'instant' })).json;
		expect(video.status).toBe('completed');
		sandbox.setVideoTaskMs(300);
	});
});
