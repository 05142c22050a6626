/**
 * The Midjourney task kind over real sockets against the sandbox's midjourney-proxy: submits, the
 * codes 21-24, polls through the engine's scheduler, MODAL, failures, and what is read from a task.
 */
import { encodeImage, startSandbox, type Sandbox } from '../../sandbox';
import {
	describedPrompts,
	midjourneyDetails,
	midjourneyTaskKind,
	RelayAbortError,
	RelayApiError,
	RelayClient,
	RelayResponseError,
	RelayTaskError,
	TaskScheduler,
	type MidjourneySubmit,
	type TaskSnapshot,
} from '../../nodes/shared/transport';

const PNG = `data:image/png;base64,${encodeImage('png', { width: 40, height: 30, rgb: [1, 2, 3] }).toString('base64')}`;
const fast = { pollIntervalMs: 25, maxWaitMs: 10_000 };
const quickQueue = { retries: 2, initialDelayMs: 40, maxDelayMs: 100 };

describe('Midjourney task kind', () => {
	let sandbox: Sandbox;
	let client: RelayClient;
	let scheduler: TaskScheduler;

	beforeAll(async () => {
		sandbox = await startSandbox({ midjourneyTaskMs: 150 });
		client = new RelayClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey, maxRetries: 0 });
		scheduler = new TaskScheduler(client);
	});
	afterAll(() => sandbox.close());
	beforeEach(() => {
		sandbox.clearRequests();
		sandbox.clearFaults();
		sandbox.setMidjourneyTaskMs(150);
	});

	const kind = midjourneyTaskKind({ queueFull: quickQueue });
	const submit = (request: MidjourneySubmit) => kind.submit(client, request, {});
	const run = async (request: MidjourneySubmit) => await scheduler.wait(kind, await submit(request), fast);

	it('submits an imagine at the relay root (not below /v1) and waits for the grid and its buttons', async () => {
		const snapshot = await submit({ route: 'imagine', body: { prompt: 'a teapot --ar 2:1' } });
		expect(snapshot).toMatchObject({ status: 'queued', state: 'pending', id: expect.stringMatching(/^\d{16}$/) });
		expect(sandbox.lastRequest()).toMatchObject({ method: 'POST', path: '/mj/submit/imagine', body: { prompt: 'a teapot --ar 2:1' } });
		expect(sandbox.lastRequest()!.headers.authorization).toBe(`Bearer ${sandbox.apiKey}`);
		const outcome = await scheduler.wait(kind, snapshot, fast);
		expect(outcome).toMatchObject({ done: true, timedOut: false, snapshot: { id: snapshot.id, status: 'completed', state: 'done', relayStatus: 'SUCCESS', progress: 100 } });
		expect(outcome.polls).toBeGreaterThanOrEqual(1);
		const polls = sandbox.requests.filter((r) => r.method === 'GET');
		expect(new Set(polls.map((r) => r.path))).toEqual(new Set([`/mj/task/${snapshot.id}/fetch`]));

		const details = midjourneyDetails(outcome.snapshot);
		expect(details).toMatchObject({ action: 'IMAGINE', prompt: 'a teapot --ar 2:1', promptEn: 'a teapot --ar 2:1', imageWidth: 1024, imageHeight: 512, botType: 'MID_JOURNEY' });
		expect(details.imageUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/mj\/\d+\.png\?ex=/);
		expect(details.buttons.map((b) => b.label || b.emoji)).toEqual(['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4']);
		expect(details.finishTime! >= details.submitTime!).toBe(true);
		expect(details).not.toHaveProperty('failReason');
	});

	it('sends a speed as the path prefix, under a base URL with a path', async () => {
		const prefixed = new RelayClient({ baseUrl: `${sandbox.url}/openai/v1`, apiKey: sandbox.apiKey });
		for (const speed of ['relax', 'fast', 'turbo'] as const) {
			const snapshot = await kind.submit(prefixed, { route: 'imagine', body: { prompt: speed }, speed }, {});
			expect(sandbox.lastRequest()!.path).toBe(`/openai/mj-${speed}/mj/submit/imagine`);
			await kind.poll(prefixed, snapshot.id, {});
			expect(sandbox.lastRequest()!.path).toBe(`/openai/mj/task/${snapshot.id}/fetch`);
		}
	});

	it('treats codes 21 and 22 as submitted, and reads a numeric result as a string', async () => {
		for (const prompt of ['x MJ_CODE_21', 'x MJ_CODE_22', 'x MJ_NUMERIC_ID']) {
			const outcome = await run({ route: 'imagine', body: { prompt } });
			expect(outcome.done).toBe(true);
			expect(typeof outcome.snapshot.id).toBe('string');
		}
	});

	it('tries a full queue (23) again with back-off, and gives up after the retries with the relay words', async () => {
		const full = { code: 23, description: '队列已满，请稍后尝试', result: null };
		sandbox.fault({ path: '/mj/submit/imagine', status: 200, body: full, times: 2 });
		const retries: number[] = [];
		const patient = midjourneyTaskKind({ queueFull: quickQueue, onQueueFull: ({ delayMs }) => retries.push(delayMs) });
		const snapshot = await patient.submit(client, { route: 'imagine', body: { prompt: 'busy' } }, {});
		expect(snapshot.id).toMatch(/^\d+$/);
		expect(sandbox.requests.filter((r) => r.path === '/mj/submit/imagine')).toHaveLength(3);
		expect(retries).toHaveLength(2);
		expect(retries[1]).toBeGreaterThan(retries[0]);

		sandbox.clearRequests();
		const error = await patient.submit(client, { route: 'imagine', body: { prompt: 'always MJ_CODE_23' } }, {}).catch((e) => e);
		expect(error).toBeInstanceOf(RelayApiError);
		expect(error.message).toBe("The relay answered 200 with an error: Midjourney's queue is full: code 23 (队列已满，请稍后尝试)");
		expect(error).toMatchObject({ relayCode: '23', attempts: 3 });
		expect(sandbox.requests).toHaveLength(3);
	});

	it('stops retrying a full queue at once when cancelled', async () => {
		const slow = midjourneyTaskKind({ queueFull: { retries: 3, initialDelayMs: 5000, maxDelayMs: 5000 } });
		const controller = new AbortController();
		const started = Date.now();
		setTimeout(() => controller.abort(), 100);
		const error = await slow.submit(client, { route: 'imagine', body: { prompt: 'MJ_CODE_23' } }, { signal: controller.signal }).catch((e) => e);
		expect(error).toBeInstanceOf(RelayAbortError);
		expect(Date.now() - started).toBeLessThan(2000);
	});

	it('names the banned word of a 24, and quotes any other code', async () => {
		const banned = await submit({ route: 'imagine', body: { prompt: 'a bloodbath at noon' } }).catch((e) => e);
		expect(banned).toBeInstanceOf(RelayApiError);
		expect(banned.message).toBe('The relay answered 200 with an error: Midjourney refused the prompt: it contains the banned word "bloodbath" (code 24: 可能包含敏感词)');
		expect(banned).toMatchObject({ relayCode: '24', param: 'prompt', status: 200 });
		const other = await submit({ route: 'imagine', body: { prompt: 'x MJ_CODE_9' } }).catch((e) => e);
		expect(other.message).toContain('Midjourney refused the submit: code 9: Sandbox: the submit was refused with code 9');
		const badImage = await submit({ route: 'blend', body: { base64Array: [PNG] } }).catch((e) => e);
		expect(badImage.message).toContain('code 4: base64List参数错误');
	});

	it("reads new-api's HTTP 400 {code, description} refusals as the relay's message", async () => {
		const error = await submit({ route: 'action', body: { taskId: '42', customId: 'MJ::JOB::upsample::1::x' } }).catch((e) => e);
		expect(error).toBeInstanceOf(RelayApiError);
		expect(error).toMatchObject({ status: 400, relayMessage: 'task_not_found', relayCode: '4', type: 'upstream_error' });
		const poll = await kind.poll(client, '42', {}).catch((e) => e);
		expect(poll).toMatchObject({ status: 400, relayMessage: 'task_no_found' });
		const waited = await scheduler.wait(kind, '42', fast).catch((e) => e);
		expect(waited).toMatchObject({ status: 400, relayMessage: 'task_no_found' });
	});

	it('says so when a submit answer has no code or no task id, or a poll answers null', async () => {
		sandbox.fault({ path: '/mj/submit/imagine', status: 200, body: { result: '1' } });
		expect((await submit({ route: 'imagine', body: { prompt: 'x' } }).catch((e) => e)).message).toContain('The Midjourney submit answer has no "code"');
		sandbox.fault({ path: '/mj/submit/imagine', status: 200, body: { code: 1, description: 'ok', result: '' } });
		expect((await submit({ route: 'imagine', body: { prompt: 'x' } }).catch((e) => e)).message).toContain('(code 1) has no task id in "result"');
		sandbox.fault({ path: /\/fetch$/, status: 200, body: 'null' });
		const error = await kind.poll(client, '1', {}).catch((e) => e);
		expect(error).toBeInstanceOf(RelayResponseError);
		expect(error.message).toContain('The relay answered no Midjourney task (null)');
	});

	it('fails the wait with failReason on FAILURE and CANCEL', async () => {
		const failed = await run({ route: 'imagine', body: { prompt: 'MJ_FAIL' } }).catch((e) => e);
		expect(failed).toBeInstanceOf(RelayTaskError);
		expect(failed.message).toMatch(/^The Midjourney task \d+ failed: \[Invalid parameter\] Sandbox: Midjourney refused the job \(MJ_FAIL in the prompt\) \(status FAILURE\)$/);
		const cancelled = await run({ route: 'imagine', body: { prompt: 'MJ_CANCEL' } }).catch((e) => e);
		expect(cancelled).toMatchObject({ relayStatus: 'CANCEL', reason: 'failed' });
	});

	it('ends the wait at MODAL as neither done nor timed out, and waits again once the modal is answered', async () => {
		const grid = await run({ route: 'imagine', body: { prompt: 'a vase' } });
		const u1 = midjourneyDetails(grid.snapshot).buttons[0];
		const upscale = await run({ route: 'action', body: { taskId: grid.snapshot.id, customId: u1.customId } });
		const region = midjourneyDetails(upscale.snapshot).buttons.find((b) => b.label === 'Vary (Region)')!;
		const waiting = await run({ route: 'action', body: { taskId: upscale.snapshot.id, customId: region.customId } });
		expect(waiting).toMatchObject({ done: false, timedOut: false, snapshot: { status: 'needs_input', state: 'input', relayStatus: 'MODAL' } });
		const answered = await run({ route: 'modal', body: { taskId: waiting.snapshot.id, maskBase64: PNG, prompt: 'a blue vase' } });
		expect(answered).toMatchObject({ done: true, snapshot: { id: waiting.snapshot.id, relayStatus: 'SUCCESS' } });
		expect(midjourneyDetails(answered.snapshot)).toMatchObject({ action: 'INPAINT', prompt: 'a blue vase' });
	});

	it("reads describe's four prompts without their numbers", async () => {
		const outcome = await run({ route: 'describe', body: { base64: PNG } });
		const prompts = describedPrompts(midjourneyDetails(outcome.snapshot));
		expect(prompts).toHaveLength(4);
		for (const prompt of prompts) expect(prompt).toMatch(/^[a-z].* --ar 4:3$/);
		const read = (prompt: string, extra: Record<string, unknown> = {}) =>
			describedPrompts(midjourneyDetails({ id: '1', status: 'completed', state: 'done', body: { prompt, ...extra } } as TaskSnapshot));
		expect(read('1️⃣ one\n2️⃣ two\n3️⃣ three\n4️⃣ four')).toEqual(['one', 'two', 'three', 'four']);
		expect(read('1. one\n\n2. two')).toEqual(['one', 'two']);
		expect(read('', { properties: { finalPrompt: '1️⃣ a\n\n2️⃣ b' } })).toEqual(['a', 'b']);
	});

	it('reads tasks of other shapes: nulls, numbers as text, lower-case statuses, no buttons', () => {
		const snapshot = (body: Record<string, unknown>) => ({ id: '1', status: 'unknown', state: 'pending', body }) as TaskSnapshot;
		expect(
			midjourneyDetails(
				snapshot({ id: 1, imageUrl: null, imageWidth: '1024', imageHeight: null, buttons: null, failReason: null, submitTime: 0, properties: {} }),
			),
		).toEqual({ imageWidth: 1024, buttons: [] });
		expect(midjourneyDetails(snapshot({ imageUrl: 'not a link', buttons: [{ label: 'U1' }, { customId: 'MJ::x', emoji: '🔄' }] }))).toEqual({
			buttons: [{ customId: 'MJ::x', label: '', emoji: '🔄' }],
		});
	});
});
