/**
 * DeerAPI Video run as real n8n workflows against the sandbox relay, in every task shape it
 * plays: what the relay received (submits, polls, downloads and their keys), the items and video
 * bytes the node put out, and the errors a user reads.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DeerApiVideo } from '../../../nodes/DeerApiVideo/DeerApiVideo.node';
import { encodeImage, paddedClip, taggedClip, videoClip, VIDEO_FAIL_REASON } from '../../../sandbox';
import { toBinaryData, type WorkflowRunResult } from '../../../harness/workflow';
import { useRelayNode } from '../relay-node';

const API_KEY = 'sk-video-test-93c1f0';
const NODE = 'Video';
const node = useRelayNode({ nodeType: 'n8n-nodes-deerapi-relay.deerApiVideo', node: new DeerApiVideo(), nodeName: NODE, apiKey: API_KEY });
const sandbox = () => node.ctx.sandbox;
/** The sandbox keeps every task of its life: those of this test. */
let tasksBefore = 0;
beforeEach(() => (tasksBefore = sandbox().videoTasks().length));
const tasks = () => sandbox().videoTasks().slice(tasksBefore);

const model = (value: string) => ({ __rl: true, mode: 'id', value });
/** Short tasks, polled twice a second. */
const fast = { pollIntervalSeconds: 0.5 };

async function generate(parameters: IDataObject, options: { input?: INodeExecutionData[]; continueOnFail?: boolean; signal?: AbortSignal } = {}) {
	return await node.run(
		{ operation: 'generate', model: model('veo3-fast'), prompt: 'A deer crossing a snowy field TASK_MS=300', ...fast, ...parameters },
		{ input: options.input, continueOnFail: options.continueOnFail, run: { signal: options.signal } },
	);
}

const requestsTo = (pattern: RegExp, method?: string) =>
	sandbox().requests.filter((request) => pattern.test(request.path) && (!method || request.method === method));
const submits = () => sandbox().requests.filter((request) => request.method === 'POST');

function everythingVisible(result: WorkflowRunResult): string {
	const nodes = Object.values(result.nodes).map((run) => ({ items: run.items, error: run.error && { message: run.error.message, description: (run.error as { description?: string }).description } }));
	return JSON.stringify(nodes) + String(result.error?.message) + result.logText();
}

const photo = (rgb: [number, number, number] = [200, 120, 40]) => encodeImage('png', { width: 64, height: 48, rgb });

async function photoItem(files: Record<string, Buffer>): Promise<INodeExecutionData> {
	const binary: INodeExecutionData['binary'] = {};
	for (const [name, bytes] of Object.entries(files)) binary[name] = await toBinaryData(bytes, `${name}.png`, 'image/png');
	return { json: {}, binary };
}

function nodeError(result: WorkflowRunResult): Error & { description?: string; context?: { itemIndex?: number } } {
	const error = result.nodes[NODE]?.error;
	if (!error) throw new Error(`the node did not fail (status ${result.status})`);
	return error as Error & { description?: string; context?: { itemIndex?: number } };
}

describe('Generate, OpenAI Videos format', () => {
	it('submits a form, polls until done, downloads from the content route with the key, puts out the video', async () => {
		const result = await generate({ seconds: 8, size: '1280x720', options: { metadata: '{"watermark": false}' } });
		const [submit] = submits();
		expect(submit.path).toBe('/v1/videos');
		expect(submit.headers.authorization).toBe(`Bearer ${API_KEY}`);
		expect(submit.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
		expect(submit.parts).toEqual([
			{ name: 'model', value: 'veo3-fast', size: 9 },
			{ name: 'prompt', value: 'A deer crossing a snowy field TASK_MS=300', size: 41 },
			{ name: 'seconds', value: '8', size: 1 },
			{ name: 'size', value: '1280x720', size: 8 },
			{ name: 'metadata', value: '{"watermark":false}', size: 19 },
		]);
		const [task] = tasks();
		const polls = requestsTo(new RegExp(`^/v1/videos/${task.id}$`), 'GET');
		expect(polls.length).toBeGreaterThanOrEqual(1);
		expect(polls.length).toBeLessThanOrEqual(2);
		const content = requestsTo(/\/content$/);
		expect(content.map((request) => [request.path, request.headers.authorization])).toEqual([[`/v1/videos/${task.id}/content`, `Bearer ${API_KEY}`]]);

		const [item] = result.output(NODE);
		expect(item.json).toEqual({
			taskId: task.id,
			status: 'completed',
			relayStatus: 'completed',
			done: true,
			timedOut: false,
			progress: 100,
			model: 'veo3-fast',
			prompt: 'A deer crossing a snowy field TASK_MS=300',
			seconds: 8,
			size: '1280x720',
			url: `${sandbox().url}/files/videos/${task.id}.mp4`,
			expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			completedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			apiFormat: 'openai',
			mimeType: 'video/mp4',
			fileSize: taggedClip(task.id).length,
			fileName: `${task.id}.mp4`,
		});
		expect(item.binary!.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${task.id}.mp4`, fileExtension: 'mp4' });
		expect((await result.binary(NODE, 0)).equals(taggedClip(task.id))).toBe(true);
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(everythingVisible(result)).not.toContain(API_KEY);
	});

	it('a first frame from a binary field and a last frame from a URL: two input_reference files, the URL fetched without the key', async () => {
		const first = photo();
		const last = `${sandbox().url}/files/sample.jpg`;
		const result = await generate({ imageFields: 'data', imageUrls: last }, { input: [await photoItem({ data: first })] });
		expect(result.status).toBe('success');
		const [submit] = submits();
		expect(submit.parts!.filter((part) => part.name === 'input_reference')).toEqual([
			{ name: 'input_reference', fileName: 'data.png', contentType: 'image/png', size: first.length },
			{ name: 'input_reference', fileName: 'sample.jpg', contentType: 'image/jpeg', size: expect.any(Number) },
		]);
		const download = requestsTo(/^\/files\/sample\.jpg$/)[0];
		expect(download.headers.authorization).toBeUndefined();
		expect(tasks()[0].images).toBe(2);
	});

	it('statuses in another casing are read all the same; the relay\'s word is kept', async () => {
		const result = await generate({ prompt: 'STATUS_CASE=Title TASK_MS=300' });
		expect(result.json(NODE)[0]).toMatchObject({ status: 'completed', relayStatus: 'Completed', done: true });
	});

	it('the content route failing: the video comes from the link in the object, without the key', async () => {
		const result = await generate({ prompt: 'CONTENT_FAILS TASK_MS=200' });
		expect(result.json(NODE)[0]).toMatchObject({ done: true, mimeType: 'video/mp4' });
		const [task] = tasks();
		// A 502 is retried as any request is (Max Retries 2), then the link is tried.
		expect(requestsTo(/\/content$/)).toHaveLength(3);
		const link = requestsTo(new RegExp(`^/files/videos/${task.id}\\.mp4$`));
		expect(link).toHaveLength(1);
		expect(link[0].headers.authorization).toBeUndefined();
	});

	it('the MIME type comes from the bytes: a WebM served as video/mp4 is a WebM', async () => {
		const result = await generate({ prompt: 'WEBM TASK_MS=100' });
		expect(result.json(NODE)[0]).toMatchObject({ mimeType: 'video/webm', fileSize: videoClip('webm').length });
		expect(result.output(NODE)[0].binary!.data).toMatchObject({ mimeType: 'video/webm', fileExtension: 'webm' });
	});

	it('429 while polling (Retry-After) and slow polls: a failed poll is not a failed task', async () => {
		sandbox().fault({ path: /^\/v1\/videos\/video_[0-9a-f]+$/, method: 'GET', status: 429, headers: { 'retry-after': '1' } });
		sandbox().fault({ path: /^\/v1\/videos\/video_[0-9a-f]+$/, method: 'GET', latencyMs: 700 });
		const started = Date.now();
		const result = await generate({ prompt: 'TASK_MS=200' });
		expect(result.json(NODE)[0]).toMatchObject({ done: true });
		const polls = requestsTo(/^\/v1\/videos\/video_[0-9a-f]+$/, 'GET');
		expect(polls.length).toBe(2);
		// The second poll waited the second Retry-After asked for.
		expect(polls[1].receivedAt - polls[0].receivedAt).toBeGreaterThanOrEqual(990);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1700);
	});
});

describe('Generate, new-api format (/v1/video/generations)', () => {
	it.each([
		['shape A (the task row in a wrapper)', '', 'SUCCESS'],
		['shape B (a Google channel)', 'SHAPE_B', 'succeeded'],
		['shape C (flat)', 'SHAPE_C', 'succeeded'],
		['an old row with the link in fail_reason', 'LINK_IN_FAIL_REASON', 'SUCCESS'],
	])('%s: a JSON submit, polls on the task route, the video from its link without the key', async (_name, word, relayStatus) => {
		const result = await generate({ apiFormat: 'new-api', model: model('kling-v1'), prompt: `A deer ${word} TASK_MS=300`, seconds: 5, size: '16:9' });
		const [submit] = submits();
		expect(submit.path).toBe('/v1/video/generations');
		expect(submit.headers['content-type']).toBe('application/json');
		expect(submit.body).toEqual({ model: 'kling-v1', prompt: `A deer ${word} TASK_MS=300`, duration: 5, size: '16:9' });
		const [task] = tasks();
		expect(requestsTo(new RegExp(`^/v1/video/generations/${task.id}$`), 'GET').length).toBeGreaterThanOrEqual(1);
		const link = requestsTo(/^\/files\/videos\//);
		expect(link.map((request) => request.headers.authorization)).toEqual([undefined]);
		expect(requestsTo(/\/content$/)).toHaveLength(0);
		const [item] = result.output(NODE);
		expect(item.json).toMatchObject({ taskId: task.id, status: 'completed', relayStatus, done: true, apiFormat: 'new-api', mimeType: 'video/mp4' });
		expect((await result.binary(NODE, 0)).equals(taggedClip(task.id))).toBe(true);
	});

	it('pictures go as "image" (a data URL, or a link as it is) and metadata.image_tail, beside the extra fields', async () => {
		const first = photo();
		const result = await generate(
			{ apiFormat: 'new-api', imageFields: 'data', imageUrls: 'https://example.com/last.png', options: { metadata: '{"negative_prompt": "text"}', extraBody: '{"mode": "pro"}' } },
			{ input: [await photoItem({ data: first })] },
		);
		expect(result.status).toBe('success');
		const [submit] = submits();
		expect(submit.body).toEqual({
			model: 'veo3-fast',
			prompt: 'A deer crossing a snowy field TASK_MS=300',
			image: `data:image/png;base64,${first.toString('base64')}`,
			metadata: { negative_prompt: 'text', image_tail: 'https://example.com/last.png' },
			mode: 'pro',
		});
	});

	it('no link in the answers: the video from the relay content route', async () => {
		const result = await generate({ apiFormat: 'new-api', prompt: 'NO_LINK SHAPE_C TASK_MS=200' });
		expect(result.json(NODE)[0]).toMatchObject({ done: true, mimeType: 'video/mp4' });
		expect(requestsTo(/\/content$/).map((request) => request.headers.authorization)).toEqual([`Bearer ${API_KEY}`]);
	});

	it('an expired link: the error names it and says links expire', async () => {
		const result = await generate({ apiFormat: 'new-api', prompt: 'LINK_TTL_MS=0 TASK_MS=100' });
		// The content route of new-api tasks works in the sandbox: the expired link is only the first try.
		expect(result.json(NODE)[0]).toMatchObject({ done: true });
		expect(requestsTo(/^\/files\/videos\//)).toHaveLength(1);
		expect(requestsTo(/\/content$/)).toHaveLength(1);

		sandbox().clearRequests();
		sandbox().fault({ path: /\/content$/, status: 404 });
		const failed = await generate({ apiFormat: 'new-api', prompt: 'LINK_TTL_MS=0 TASK_MS=100' });
		const error = nodeError(failed);
		expect(error.message).toMatch(/^Could not download the video at http:\/\/127\.0\.0\.1:\d+\/files\/videos\/task_\w+\.mp4: the server answered 403 Forbidden/);
		expect(error.description).toContain('Video links from relays expire');
	});
});

describe('waiting', () => {
	it('Wait for Completion off: the task as submitted, no poll; Get later waits for it and downloads', async () => {
		const submitted = await generate({ waitForCompletion: false, prompt: 'TASK_MS=400' });
		const [item] = submitted.output(NODE);
		expect(item.json).toMatchObject({ status: 'queued', relayStatus: 'queued', done: false, timedOut: false, progress: 0 });
		expect(item.binary).toBeUndefined();
		expect(requestsTo(/^\/v1\/videos\/./, 'GET')).toHaveLength(0);

		const got = await node.run({ operation: 'get', taskId: item.json.taskId, ...fast });
		expect(got.json(NODE)[0]).toMatchObject({ taskId: item.json.taskId, status: 'completed', done: true, mimeType: 'video/mp4' });
		expect(got.json(NODE)[0].prompt).toBeUndefined();
		expect((await got.binary(NODE, 0)).equals(taggedClip(String(item.json.taskId)))).toBe(true);
	});

	it('Get without waiting looks once; a task still running is done: false, not timed out', async () => {
		const submitted = await generate({ waitForCompletion: false, prompt: 'TASK_MS=60000' });
		const taskId = submitted.json(NODE)[0].taskId;
		sandbox().clearRequests();
		const got = await node.run({ operation: 'get', taskId, waitForCompletion: false });
		expect(got.json(NODE)[0]).toMatchObject({ taskId, done: false, timedOut: false, status: expect.stringMatching(/^(queued|in_progress)$/) });
		expect(sandbox().requests).toHaveLength(1);
	});

	it('Get of an unknown task: the relay\'s 404', async () => {
		const result = await node.run({ operation: 'get', taskId: 'video_nope', ...fast });
		const error = nodeError(result);
		expect(error.message).toMatch(/^404 Not Found: task_not_exist: video_nope/);
	});

	it('Max Wait over: done false, timedOut true, with the task id and its progress; not an error', async () => {
		const started = Date.now();
		const result = await generate({ prompt: 'TASK_MS=60000', maxWaitMinutes: 0.05 });
		expect(Date.now() - started).toBeLessThan(6000);
		const [item] = result.output(NODE);
		expect(item.json).toMatchObject({ done: false, timedOut: true, status: 'queued', relayStatus: 'queued' });
		expect(item.json.taskId).toMatch(/^video_/);
		expect(item.json.progress).toBe(0);
		expect(item.binary).toBeUndefined();
	});

	it('On Timeout "Fail the Item": an error naming the task, with what to do', async () => {
		const result = await generate({ prompt: 'TASK_MS=60000', maxWaitMinutes: 0.05, onTimeout: 'error' });
		const error = nodeError(result);
		expect(error.message).toMatch(/^The video task video_[0-9a-f]+ did not finish within 3(\.\d)? s \(last status: queued, 0 %\)$/);
		expect(error.description).toContain('Raise "Max Wait (Minutes)"');
		expect(error.description).toContain('Get operation');
	});
});

describe('failures', () => {
	it('a failed task fails the item with the relay reason; under Continue On Fail an error item, the others go on', async () => {
		const input = ['A deer TASK_MS=200', 'FAIL_TASK TASK_MS=200', 'A fox TASK_MS=200'].map((prompt) => ({ json: { prompt } }));
		const result = await generate({ prompt: '={{ $json.prompt }}' }, { input, continueOnFail: true });
		const items = result.output(NODE);
		expect(items).toHaveLength(3);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].json).toMatchObject({ done: true, prompt: 'A deer TASK_MS=200' });
		expect(items[2].json).toMatchObject({ done: true, prompt: 'A fox TASK_MS=200' });
		const failedId = tasks().find((task) => task.fail)!.id;
		expect(items[1].json).toEqual({
			error: `The video task ${failedId} failed: ${VIDEO_FAIL_REASON} (content_policy_violation) (status failed)`,
			description: expect.stringContaining("The reason is the relay's"),
		});

		sandbox().clearRequests();
		const failing = await generate({ prompt: 'FAIL_TASK TASK_MS=100' });
		const error = nodeError(failing);
		expect(error.message).toContain(VIDEO_FAIL_REASON);
		expect(error.context?.itemIndex).toBe(0);
	});

	it('over Max Download Size: the item fails naming the limit, nothing held', async () => {
		const result = await generate({ prompt: 'VIDEO_BYTES=3000000 TASK_MS=100', options: { maxDownloadMb: 1 } });
		const error = nodeError(result);
		expect(error.message).toMatch(/^Could not download the video at .*\/v1\/videos\/video_\w+\/content: it is larger than the limit of 1 MB/);
		expect(error.description).toContain('Max Download Size (MB)');
	});

	it('a big video is streamed in whole', async () => {
		const result = await generate({ prompt: 'VIDEO_BYTES=5000000 TASK_MS=100' });
		expect(result.json(NODE)[0]).toMatchObject({ fileSize: 5_000_000, mimeType: 'video/mp4' });
		expect((await result.binary(NODE, 0)).equals(paddedClip(5_000_000))).toBe(true);
	});

	it('stopping the execution stops the waiting and aborts the poll in flight at once', async () => {
		sandbox().fault({ path: /^\/v1\/videos\/video_[0-9a-f]+$/, method: 'GET', latencyMs: 30_000, times: 10 });
		const controller = new AbortController();
		const input = [{ json: {} }, { json: {} }, { json: {} }];
		const running = generate({ prompt: 'TASK_MS=60000' }, { input, signal: controller.signal });
		const deadline = Date.now() + 5000;
		while (requestsTo(/^\/v1\/videos\/video_/, 'GET').length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
		expect(requestsTo(/^\/v1\/videos\/video_/, 'GET')).toHaveLength(3);
		const stoppedAt = Date.now();
		controller.abort();
		const result = await running;
		expect(result.status).toBe('canceled');
		// The harness gives the node a second to notice; it took far less.
		expect(Date.now() - stoppedAt).toBeLessThan(1500);
		const settle = Date.now() + 1000;
		while (sandbox().openConnections() > 0 && Date.now() < settle) await new Promise((resolve) => setTimeout(resolve, 20));
		expect(sandbox().requests.filter((request) => request.method === 'POST')).toHaveLength(3);
	});
});

describe('many at once', () => {
	it('6 tasks, Max Concurrent Requests 2: all waited for side by side, output in input order', async () => {
		const lengths = [900, 300, 600, 300, 900, 600];
		const input = lengths.map((ms, index) => ({ json: { prompt: `clip ${index} TASK_MS=${ms}` } }));
		const started = Date.now();
		const result = await generate({ prompt: '={{ $json.prompt }}', options: { maxConcurrency: 2 } }, { input });
		const took = Date.now() - started;
		const items = result.output(NODE);
		expect(items.map((item) => item.json.prompt)).toEqual(input.map((item) => item.json.prompt));
		expect(items.every((item) => item.json.done)).toBe(true);
		expect(items.map((item) => item.pairedItem)).toEqual(lengths.map((_, item) => ({ item })));
		// One after another: over 3.6 s of tasks plus polls; side by side: the slowest plus an interval.
		expect(took).toBeLessThan(3000);
		const submitted = tasks();
		expect(submitted.map((task) => task.prompt).sort()).toEqual(input.map((item) => item.json.prompt).sort());
		// Every submit went out before the first task was done: waiting holds no request slot.
		expect(Math.max(...submitted.map((task) => task.createdAt)) - Math.min(...submitted.map((task) => task.createdAt))).toBeLessThan(300);
	});
});

describe('checked before the first submit', () => {
	it.each([
		[{ imageFields: 'photo' }, 'Input Image Fields: the input item has no binary field "photo"'],
		[{ imageFields: 'data' }, 'Input Image Fields: the binary field "data" is not an image (text/plain, notes.txt)'],
		[{ model: model('sora-2'), seconds: 5 }, 'Duration (Seconds): sora-2 makes videos of 4, 8, 12 seconds, not 5'],
		[{ model: model('kling-v2-1-master'), seconds: 8 }, 'Duration (Seconds): kling-v2-1-master makes videos of 5, 10 seconds, not 8'],
		[{ seconds: 2.5 }, 'Duration (Seconds): must be a whole number of seconds, got 2.5'],
		[{ size: 'big' }, 'Size or Aspect Ratio: "big" is neither a size (1280x720) nor an aspect ratio (16:9)'],
		[{ imageUrls: 'https://a.example/1.png, https://a.example/2.png, https://a.example/3.png' }, 'Input Image Fields: 3 pictures given, at most 2 (a first and a last frame)'],
		[{ options: { metadata: '{"watermark": false' } }, 'Extra Fields (Metadata): not valid JSON'],
		[{ prompt: '  ' }, 'Prompt: is empty'],
		[{ maxWaitMinutes: 0 }, 'Max Wait (Minutes): must be above 0, got 0'],
	])('%j', async (parameters, message) => {
		const notes = { json: {}, binary: { data: await toBinaryData(Buffer.from('just some notes'), 'notes.txt', 'text/plain') } };
		// The first item is fine (for all but a missing field): nothing is sent for it either.
		const result = await generate(parameters as IDataObject, { input: [await photoItem({ data: photo() }), notes] });
		expect(nodeError(result).message).toContain(message);
		expect(sandbox().requests).toHaveLength(0);
	});

	it('an empty Task ID', async () => {
		const result = await node.run({ operation: 'get', taskId: ' ' });
		expect(nodeError(result).message).toBe('Task ID: is empty');
		expect(sandbox().requests).toHaveLength(0);
	});

	it('a Task ID that cannot go into a URL path', async () => {
		const result = await node.run({ operation: 'get', taskId: 'task 1/2' });
		expect(nodeError(result).message).toBe('Task ID: "task 1/2" is not an ID (it holds spaces or slashes)');
		expect(sandbox().requests).toHaveLength(0);
	});
});
