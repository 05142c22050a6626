/**
 * The task engine (nodes/shared/transport/tasks) against a real HTTP server on loopback: a small
 * task relay whose tasks finish after a set time, and whose answers each test scripts. The kind
 * used here is the test's own (routes /v1/jobs), to keep the engine honest about being generic.
 */
import type { ServerResponse } from 'node:http';

import {
	normaliseStatus,
	readProgress,
	readVideoTask,
	RelayAbortError,
	RelayApiError,
	RelayClient,
	RelayDownloadError,
	RelayTaskError,
	TaskScheduler,
	taskTimeoutError,
	videoDetails,
	type TaskKind,
	type TaskSnapshot,
} from '../../nodes/shared/transport';
import { failure, sendJson, startLoopback, type Loopback, type Received } from './loopback';

interface Job {
	id: string;
	createdAt: number;
	lengthMs: number;
	fail?: string;
	/** Status words to use: [pending, running, done, failed]. */
	words: [string, string, string, string];
}

/** Answers the test wants for the next polls, before the task's own answer: [status, body, headers]. */
type Scripted = [number, unknown, Record<string, string>?];

let server: Loopback;
const jobs = new Map<string, Job>();
let script: Scripted[] = [];
let pollDelayMs = 0;
let inFlight = 0;
let maxInFlight = 0;
const pollTimes = new Map<string, number[]>();

function jobAnswer(job: Job): unknown {
	const elapsed = Date.now() - job.createdAt;
	const [pending, running, done, failed] = job.words;
	const finished = elapsed >= job.lengthMs;
	const status = finished ? (job.fail ? failed : done) : elapsed < job.lengthMs / 4 ? pending : running;
	return {
		id: job.id,
		status,
		progress: finished ? 100 : Math.floor((elapsed / job.lengthMs) * 100),
		...(finished && job.fail ? { error: { code: 'moderation_blocked', message: job.fail } } : {}),
	};
}

function answer(request: Received, res: ServerResponse): void {
	if (request.method === 'POST' && request.path === '/v1/jobs') {
		const body = JSON.parse(request.body.toString()) as { lengthMs: number; fail?: string; words?: Job['words'] };
		const job: Job = { id: `job_${jobs.size + 1}`, createdAt: Date.now(), lengthMs: body.lengthMs, fail: body.fail, words: body.words ?? ['queued', 'in_progress', 'completed', 'failed'] };
		jobs.set(job.id, job);
		sendJson(res, 200, jobAnswer(job));
		return;
	}
	const match = /^\/v1\/jobs\/([^/]+)$/.exec(request.path);
	if (request.method === 'GET' && match) {
		const id = decodeURIComponent(match[1]);
		pollTimes.set(id, [...(pollTimes.get(id) ?? []), Date.now()]);
		inFlight++;
		maxInFlight = Math.max(maxInFlight, inFlight);
		res.on('close', () => inFlight--);
		setTimeout(() => {
			const scripted = script.shift();
			if (scripted) return sendJson(res, scripted[0], scripted[1], scripted[2]);
			const job = jobs.get(id);
			if (!job) return sendJson(res, 404, { error: { message: `task ${id} not found`, type: 'invalid_request_error' } });
			sendJson(res, 200, jobAnswer(job));
		}, pollDelayMs);
		return;
	}
	sendJson(res, 404, { error: { message: 'no route' } });
}

/** The test's kind: a task relay at /v1/jobs, read with the video reader (any shape it knows). */
const jobKind: TaskKind<{ lengthMs: number; fail?: string; words?: Job['words'] }> = {
	name: 'job',
	async submit(client, request, options) {
		return (await client.requestJson({ method: 'POST', endpoint: 'jobs', json: request }, readVideoTask, options)).body;
	},
	async poll(client, id, options) {
		return (await client.requestJson({ method: 'GET', endpoint: `jobs/${encodeURIComponent(id)}` }, readVideoTask, options)).body;
	},
};

let client: RelayClient;
beforeAll(async () => {
	server = await startLoopback(answer);
	client = new RelayClient({ baseUrl: server.url, apiKey: 'sk-engine-test', retryInitialDelayMs: 5 });
});
afterAll(async () => await server.close());
beforeEach(() => {
	jobs.clear();
	script = [];
	pollDelayMs = 0;
	inFlight = 0;
	maxInFlight = 0;
	pollTimes.clear();
	server.requests.length = 0;
});

async function submit(lengthMs: number, extra: { fail?: string; words?: Job['words'] } = {}): Promise<TaskSnapshot> {
	return await jobKind.submit(client, { lengthMs, ...extra }, {});
}

const polls = () => server.requests.filter((request) => request.method === 'GET').length;

describe('statuses in every shape and casing', () => {
	it.each([
		['queued', 'queued'],
		['NOT_START', 'queued'],
		['SUBMITTED', 'queued'],
		['Pending', 'queued'],
		['in_progress', 'in_progress'],
		['IN_PROGRESS', 'in_progress'],
		['processing', 'in_progress'],
		['In Progress', 'in_progress'],
		['completed', 'completed'],
		['SUCCESS', 'completed'],
		['succeeded', 'completed'],
		['succeed', 'completed'],
		['Complete', 'completed'],
		['failed', 'failed'],
		['FAILURE', 'failed'],
		['cancelled', 'failed'],
		['CANCEL', 'failed'],
		['expired', 'failed'],
		['UNKNOWN', 'unknown'],
		['MODAL', 'unknown'],
		[undefined, 'unknown'],
		[42, 'unknown'],
	])('%p is %s', (word, status) => {
		expect(normaliseStatus(word)).toBe(status);
	});

	it.each([
		[45, 45],
		['45', 45],
		['45%', 45],
		['45.5 %', 45.5],
		['100%', 100],
		[150, 100],
		['', undefined],
		['half', undefined],
		[null, undefined],
	])('progress %p is %p', (value, progress) => {
		expect(readProgress(value)).toBe(progress);
	});
});

describe('waiting for one task', () => {
	it('polls at the interval until done, then resolves with the last answer', async () => {
		const scheduler = new TaskScheduler(client);
		const started = Date.now();
		const outcome = await scheduler.wait(jobKind, await submit(450), { pollIntervalMs: 100, maxWaitMs: 5000 });
		const took = Date.now() - started;
		expect(outcome).toMatchObject({ done: true, timedOut: false, failedPolls: 0 });
		expect(outcome.snapshot).toMatchObject({ id: 'job_1', status: 'completed', state: 'done', relayStatus: 'completed', progress: 100 });
		// Done at 450 ms: seen by the 5th poll (at 500 ms), or the 4th when timers ran late.
		expect(outcome.polls).toBeGreaterThanOrEqual(4);
		expect(outcome.polls).toBeLessThanOrEqual(5);
		expect(polls()).toBe(outcome.polls);
		expect(took).toBeGreaterThanOrEqual(450);
		expect(took).toBeLessThan(900);
		const times = pollTimes.get('job_1')!;
		for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(95);
		expect(scheduler.waiting).toBe(0);
	});

	it('a task that fails rejects with the relay reason, at once', async () => {
		const error = (await failure(
			new TaskScheduler(client).wait(jobKind, await submit(150, { fail: 'The prompt was flagged by the safety system' }), { pollIntervalMs: 50, maxWaitMs: 5000 }),
		)) as RelayTaskError;
		expect(error).toBeInstanceOf(RelayTaskError);
		expect(error.kind).toBe('task');
		expect(error.reason).toBe('failed');
		expect(error.message).toBe('The job task job_1 failed: The prompt was flagged by the safety system (moderation_blocked) (status failed)');
		expect(error.relayMessage).toBe('The prompt was flagged by the safety system (moderation_blocked)');
		expect(error.taskId).toBe('job_1');
		expect(error.status).toBeUndefined();
	});

	it('statuses in upper case and unknown words: unknown is pending, the raw word kept', async () => {
		const scheduler = new TaskScheduler(client);
		script = [
			[200, { task_id: 'job_1', status: 'MODAL', progress: '10%' }],
			[200, { code: 'success', data: { task_id: 'job_1', status: 'IN_PROGRESS', progress: '60%' } }],
		];
		const snapshot = await submit(300, { words: ['NOT_START', 'IN_PROGRESS', 'SUCCESS', 'FAILURE'] });
		expect(snapshot).toMatchObject({ status: 'queued', relayStatus: 'NOT_START', state: 'pending' });
		const outcome = await scheduler.wait(jobKind, snapshot, { pollIntervalMs: 60, maxWaitMs: 5000 });
		expect(outcome.snapshot).toMatchObject({ status: 'completed', relayStatus: 'SUCCESS' });
		expect(outcome.polls).toBeGreaterThanOrEqual(3);
	});

	it('out of time: resolves unfinished with the last answer, timedOut, and an error can be made of it', async () => {
		const outcome = await new TaskScheduler(client).wait(jobKind, await submit(5000), { pollIntervalMs: 100, maxWaitMs: 350 });
		expect(outcome).toMatchObject({ done: false, timedOut: true });
		expect(outcome.snapshot.state).toBe('pending');
		expect(outcome.waitedMs).toBeGreaterThanOrEqual(350);
		expect(outcome.waitedMs).toBeLessThan(700);
		// Polls at 100, 200, 300 and a last one at the deadline.
		expect(outcome.polls).toBe(4);
		const error = taskTimeoutError('job', outcome);
		expect(error.reason).toBe('timeout');
		expect(error.message).toMatch(/^The job task job_1 did not finish within 0\.\d s \(last status: (queued|in_progress), \d+ %\)$/);
	});

	it('from an id alone the first poll is at once; maxWaitMs 0 looks once and is not a timeout', async () => {
		const { id } = await submit(5000);
		const outcome = await new TaskScheduler(client).wait(jobKind, id, { pollIntervalMs: 1000, maxWaitMs: 0 });
		expect(outcome).toMatchObject({ done: false, timedOut: false, polls: 1 });
		expect(outcome.snapshot.id).toBe(id);
	});

	it('a task already done when submitted is not polled', async () => {
		const outcome = await new TaskScheduler(client).wait(jobKind, await submit(0), { pollIntervalMs: 50, maxWaitMs: 1000 });
		expect(outcome).toMatchObject({ done: true, polls: 0 });
		expect(polls()).toBe(0);
	});
});

describe('a failed poll is not a failed task', () => {
	it('429 while polling: the next poll waits as long as Retry-After asks, then the task is done', async () => {
		script = [[429, { error: { message: 'rate limited', type: 'rate_limit' } }, { 'retry-after': '1' }]];
		const outcome = await new TaskScheduler(client).wait(jobKind, await submit(300), { pollIntervalMs: 100, maxWaitMs: 5000 });
		expect(outcome).toMatchObject({ done: true, failedPolls: 1 });
		const times = pollTimes.get('job_1')!;
		expect(times[1] - times[0]).toBeGreaterThanOrEqual(990);
		expect(times.length).toBe(2);
	});

	it('5xx in a row: backs off, doubling, and goes on', async () => {
		script = [
			[502, '<html><title>502 Bad Gateway</title></html>'],
			[503, { error: { message: 'busy' } }],
			[500, { error: { message: 'upstream' } }],
		];
		const outcome = await new TaskScheduler(client, { random: () => 0 }).wait(jobKind, await submit(100), { pollIntervalMs: 50, maxWaitMs: 5000 });
		expect(outcome).toMatchObject({ done: true, failedPolls: 3, polls: 1 });
		const times = pollTimes.get('job_1')!;
		const gaps = times.slice(1).map((time, i) => time - times[i]);
		// 100, 200, 400 ms after the 1st, 2nd, 3rd failure in a row.
		expect(gaps[0]).toBeGreaterThanOrEqual(95);
		expect(gaps[1]).toBeGreaterThanOrEqual(195);
		expect(gaps[2]).toBeGreaterThanOrEqual(395);
	});

	it('polls that keep failing until the time is up: unfinished, with the last poll error', async () => {
		const snapshot = await submit(5000);
		script = Array.from({ length: 20 }, (): Scripted => [503, { error: { message: 'no channel available' } }]);
		const outcome = await new TaskScheduler(client, { random: () => 0 }).wait(jobKind, snapshot, { pollIntervalMs: 50, maxWaitMs: 400 });
		expect(outcome).toMatchObject({ done: false, timedOut: true, polls: 0 });
		expect(outcome.lastPollError).toBeInstanceOf(RelayApiError);
		expect(outcome.lastPollError!.status).toBe(503);
		expect(taskTimeoutError('job', outcome).message).toContain('the last polls failed: 503 Service Unavailable: no channel available');
	});

	it('a poll that hangs is abandoned after the poll timeout and tried again', async () => {
		pollDelayMs = 400;
		const scheduler = new TaskScheduler(client, { pollTimeoutMs: 150, random: () => 0 });
		const snapshot = await submit(100);
		setTimeout(() => (pollDelayMs = 0), 250);
		const outcome = await scheduler.wait(jobKind, snapshot, { pollIntervalMs: 50, maxWaitMs: 5000 });
		expect(outcome.done).toBe(true);
		expect(outcome.failedPolls).toBeGreaterThanOrEqual(1);
	});

	it('an error that will not go away (404 unknown task, 401) ends the wait with it', async () => {
		const error = await failure(new TaskScheduler(client).wait(jobKind, 'job_missing', { pollIntervalMs: 50, maxWaitMs: 5000 }));
		expect(error).toBeInstanceOf(RelayApiError);
		expect((error as RelayApiError).status).toBe(404);
		expect(error.message).toBe('404 Not Found: task job_missing not found');
		expect(polls()).toBe(1);
	});

	it('an answer that is no task at all ends the wait, quoting what came', async () => {
		const snapshot = await submit(1000);
		script = [[200, { code: 'task_not_exist', message: '任务不存在', data: null }]];
		const error = await failure(new TaskScheduler(client).wait(jobKind, snapshot, { pollIntervalMs: 30, maxWaitMs: 5000 }));
		expect(error).toBeInstanceOf(RelayApiError);
		expect(error.message).toBe('The relay answered 200 with an error: 任务不存在');
	});
});

describe('many tasks side by side', () => {
	it('30 tasks of 600 ms finish together, one poll stream each, at most maxPollsInFlight polls at a time', async () => {
		pollDelayMs = 20;
		const scheduler = new TaskScheduler(client, { maxPollsInFlight: 5 });
		const snapshots = await Promise.all(Array.from({ length: 30 }, () => submit(600)));
		const started = Date.now();
		const outcomes = await Promise.all(snapshots.map((snapshot) => scheduler.wait(jobKind, snapshot, { pollIntervalMs: 100, maxWaitMs: 10_000 })));
		const took = Date.now() - started;
		expect(outcomes.every((outcome) => outcome.done)).toBe(true);
		// One after another they would take 30 x 600 ms; side by side about 600 ms plus an interval.
		expect(took).toBeLessThan(1500);
		expect(maxInFlight).toBeLessThanOrEqual(5);
		for (const outcome of outcomes) expect(outcome.polls).toBeLessThanOrEqual(Math.ceil(600 / 100) + 2);
	});
});

describe('cancel', () => {
	it('aborting the signal rejects at once and aborts the poll in flight', async () => {
		pollDelayMs = 5000;
		const controller = new AbortController();
		const scheduler = new TaskScheduler(client);
		const waiting = scheduler.wait(jobKind, await submit(10_000), { pollIntervalMs: 20, maxWaitMs: 60_000, signal: controller.signal });
		while (inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
		const abortedAt = Date.now();
		controller.abort();
		const error = await failure(waiting);
		expect(error).toBeInstanceOf(RelayAbortError);
		expect(Date.now() - abortedAt).toBeLessThan(100);
		// The server sees the poll's connection close.
		const deadline = Date.now() + 1000;
		while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
		expect(inFlight).toBe(0);
		expect(scheduler.waiting).toBe(0);
	});

	it('one task cancelled, the others wait on', async () => {
		const controller = new AbortController();
		const scheduler = new TaskScheduler(client);
		const cancelled = scheduler.wait(jobKind, await submit(10_000), { pollIntervalMs: 50, maxWaitMs: 60_000, signal: controller.signal });
		const other = scheduler.wait(jobKind, await submit(200), { pollIntervalMs: 50, maxWaitMs: 60_000 });
		setTimeout(() => controller.abort(), 60);
		expect(await failure(cancelled)).toBeInstanceOf(RelayAbortError);
		expect((await other).done).toBe(true);
	});

	it('a signal already aborted never polls', async () => {
		const controller = new AbortController();
		controller.abort();
		expect(await failure(new TaskScheduler(client).wait(jobKind, 'job_x', { pollIntervalMs: 50, maxWaitMs: 1000, signal: controller.signal }))).toBeInstanceOf(RelayAbortError);
		expect(polls()).toBe(0);
	});
});

describe('reading video task answers', () => {
	const received = { status: 200, headers: {}, bytes: Buffer.alloc(0), redact: (text: string) => text };

	it.each([
		[
			'OpenAI video object (new-api adds task_id)',
			{ id: 'video_1', task_id: 'video_1', object: 'video', model: 'veo3', status: 'completed', progress: 100, created_at: 1764547200, completed_at: 1764547260, expires_at: 1764633600, seconds: '8', size: '1280x720', error: null, metadata: { url: 'https://cdn.example/v.mp4' } },
			{ id: 'video_1', status: 'completed', progress: 100 },
			{ model: 'veo3', seconds: 8, size: '1280x720', url: 'https://cdn.example/v.mp4', expiresAt: '2025-12-02T00:00:00.000Z', createdAt: '2025-12-01T00:00:00.000Z', completedAt: '2025-12-01T00:01:00.000Z' },
		],
		[
			'new-api wrapper (a)',
			{ code: 'success', message: '', data: { task_id: 'task_a', status: 'SUCCESS', progress: '100%', result_url: 'https://cdn.example/a.mp4', fail_reason: '', submit_time: 1764547200, finish_time: 1764547300, data: { model: 'kling-v1' } } },
			{ id: 'task_a', status: 'completed', relayStatus: 'SUCCESS', progress: 100 },
			{ url: 'https://cdn.example/a.mp4', model: 'kling-v1', createdAt: '2025-12-01T00:00:00.000Z', completedAt: '2025-12-01T00:01:40.000Z' },
		],
		[
			'new-api wrapper (a), an old row with the link in fail_reason',
			{ code: 'success', data: { task_id: 'task_old', status: 'SUCCESS', progress: '100%', fail_reason: 'https://cdn.example/old.mp4' } },
			{ id: 'task_old', status: 'completed' },
			{ url: 'https://cdn.example/old.mp4' },
		],
		[
			'wrapper around a Google channel (b)',
			{ code: 'success', message: '', data: { task_id: 'task_b', status: 'processing', url: '', format: 'mp4', error: null } },
			{ id: 'task_b', status: 'in_progress', relayStatus: 'processing', progress: undefined },
			{},
		],
		[
			'flat (c)',
			{ task_id: 'task_c', status: 'succeeded', url: 'https://cdn.example/c.mp4', format: 'mp4', metadata: {} },
			{ id: 'task_c', status: 'completed' },
			{ url: 'https://cdn.example/c.mp4' },
		],
		[
			'Kling native',
			{ code: 0, message: 'SUCCEED', data: { task_id: 'k1', task_status: 'succeed', task_result: { videos: [{ url: 'https://cdn.example/k.mp4', duration: '5' }] } } },
			{ id: 'k1', status: 'completed', relayStatus: 'succeed' },
			{ url: 'https://cdn.example/k.mp4' },
		],
	])('%s', (_name, body, snapshot, details) => {
		const read = readVideoTask(body, received);
		expect(read).toMatchObject(snapshot);
		expect(videoDetails(read)).toEqual(details);
	});

	it.each([
		['OpenAI failed object', { id: 'video_f', status: 'failed', error: { code: 'content_policy_violation', message: 'Blocked by the safety system' } }, 'Blocked by the safety system (content_policy_violation)'],
		['new-api FAILURE', { code: 'success', data: { task_id: 'task_f', status: 'FAILURE', fail_reason: '上游任务失败: 图片审核未通过' } }, '上游任务失败: 图片审核未通过'],
		['Google channel failed', { code: 'success', data: { task_id: 'task_g', status: 'failed', error: 'quota exceeded upstream' } }, 'quota exceeded upstream'],
		['flat failed without a reason', { task_id: 'task_n', status: 'failed' }, undefined],
	])('%s: the reason', (_name, body, reason) => {
		const read = readVideoTask(body, received);
		expect(read.state).toBe('failed');
		expect(read.failure).toBe(reason);
	});
});

describe('streamed downloads', () => {
	let files: Loopback;
	const bytes = Buffer.alloc(300_000, 7);
	bytes.write('\x00\x00\x00\x20ftypisom', 0, 'latin1');
	beforeAll(async () => {
		files = await startLoopback((request, res) => {
			if (request.path === '/v1/videos/v1/content') {
				res.writeHead(302, { location: `${files.url}/cdn/v1.mp4` });
				res.end();
				return;
			}
			if (request.path === '/v1/videos/v2/content' || request.path === '/cdn/v1.mp4') {
				res.writeHead(200, { 'content-type': 'video/mp4' });
				// Two writes: the body arrives in pieces.
				res.write(bytes.subarray(0, 100_000));
				setTimeout(() => res.end(bytes.subarray(100_000)), 20);
				return;
			}
			sendJson(res, 404, { error: { message: 'not found' } });
		});
	});
	afterAll(async () => await files.close());
	beforeEach(() => (files.requests.length = 0));

	const read = async (stream: NodeJS.ReadableStream) => {
		const chunks: Buffer[] = [];
		for await (const chunk of stream) chunks.push(chunk as Buffer);
		return Buffer.concat(chunks);
	};

	it('the relay content route with the key; a redirect to a CDN is followed without it', async () => {
		const relay = new RelayClient({ baseUrl: files.url, apiKey: 'sk-stream-key' });
		const direct = await relay.openApiDownload('videos/v2/content');
		expect(direct.head.toString('latin1', 4, 8)).toBe('ftyp');
		expect((await read(direct.body)).equals(bytes)).toBe(true);
		expect(direct.bytesRead()).toBe(bytes.length);
		expect(files.requests[0].headers.authorization).toBe('Bearer sk-stream-key');

		files.requests.length = 0;
		const redirected = await relay.openApiDownload('videos/v1/content');
		expect((await read(redirected.body)).equals(bytes)).toBe(true);
		expect(redirected.url).toBe(`${files.url}/cdn/v1.mp4`);
		expect(files.requests.map((request) => [request.path, request.headers.authorization])).toEqual([
			['/v1/videos/v1/content', 'Bearer sk-stream-key'],
			['/cdn/v1.mp4', undefined],
		]);
	});

	it('over the size limit: the body fails with a too-large download error, the connection closed', async () => {
		const relay = new RelayClient({ baseUrl: files.url, apiKey: 'sk-stream-key' });
		const stream = await relay.openDownload(`${files.url}/cdn/v1.mp4`, { maxBytes: 150_000 });
		const error = (await failure(read(stream.body))) as RelayDownloadError;
		expect(error).toBeInstanceOf(RelayDownloadError);
		expect(error.reason).toBe('too-large');
		expect(error.url).toBe(`${files.url}/cdn/v1.mp4`);
	});

	it('a 404 fails before any byte, naming the link', async () => {
		const relay = new RelayClient({ baseUrl: files.url, apiKey: 'sk-stream-key' });
		const error = (await failure(relay.openDownload(`${files.url}/cdn/missing.mp4`))) as RelayDownloadError;
		expect(error.reason).toBe('status');
		expect(error.status).toBe(404);
		expect(files.requests[0].headers.authorization).toBeUndefined();
	});
});
