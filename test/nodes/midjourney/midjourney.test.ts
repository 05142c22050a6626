/**
 * DeerAPI Midjourney run as real n8n workflows against the sandbox's midjourney-proxy: what the
 * relay received, the items and images the node put out, the errors a user reads.
 */
import { readImageInfo } from '../../../sandbox';
import { pixelAt } from '../../sandbox/png';
import {
	API_KEY,
	NODE_NAME,
	TASK_MS,
	binaryItem,
	everythingVisible,
	fetchTask,
	finishedTask,
	outputJson,
	png,
	polls,
	runMidjourney,
	submits,
	useSandbox,
} from './helpers';

const ctx = useSandbox();

const GRID_BUTTONS = [
	{ label: 'U1', customId: expect.stringMatching(/^MJ::JOB::upsample::1::/) },
	{ label: 'U2', customId: expect.stringMatching(/^MJ::JOB::upsample::2::/) },
	{ label: 'U3', customId: expect.stringMatching(/^MJ::JOB::upsample::3::/) },
	{ label: 'U4', customId: expect.stringMatching(/^MJ::JOB::upsample::4::/) },
	{ label: 'Reroll', customId: expect.stringMatching(/^MJ::JOB::reroll::0::/), emoji: '🔄' },
	{ label: 'V1', customId: expect.stringMatching(/^MJ::JOB::variation::1::/) },
	{ label: 'V2', customId: expect.stringMatching(/^MJ::JOB::variation::2::/) },
	{ label: 'V3', customId: expect.stringMatching(/^MJ::JOB::variation::3::/) },
	{ label: 'V4', customId: expect.stringMatching(/^MJ::JOB::variation::4::/) },
];

describe('Imagine', () => {
	test('sends the prompt with its flags as it is, waits, and puts out the task with the grid as binary', async () => {
		const prompt = 'a ceramic mug on a sunlit table --ar 16:9 --v 6.1 --no text';
		const result = await runMidjourney(ctx.sandbox, { operation: 'imagine', prompt });

		const [submit] = submits(ctx.sandbox);
		expect(submit.path).toBe('/mj/submit/imagine');
		expect(submit.body).toEqual({ prompt, botType: 'MID_JOURNEY' });
		expect(submit.headers.authorization).toBe(`Bearer ${API_KEY}`);

		const [item] = result.output(NODE_NAME);
		const taskId = item.json.taskId as string;
		expect(item.json).toEqual({
			taskId: expect.stringMatching(/^\d{16}$/),
			action: 'IMAGINE',
			status: 'completed',
			relayStatus: 'SUCCESS',
			progress: 100,
			done: true,
			timedOut: false,
			prompt,
			promptEn: prompt,
			description: 'Task finished',
			imageUrl: expect.stringContaining(`/files/mj/${taskId}.png?ex=`),
			imageWidth: 1024,
			imageHeight: 576,
			buttons: GRID_BUTTONS,
			botType: 'MID_JOURNEY',
			submitTime: expect.any(String),
			finishTime: expect.any(String),
			mimeType: 'image/png',
			fileSize: expect.any(Number),
		});
		expect(item.pairedItem).toEqual({ item: 0 });
		const bytes = await result.binary(NODE_NAME, 0);
		expect(readImageInfo(bytes)).toEqual({ format: 'png', width: 1024, height: 576 });
		expect(item.json.fileSize).toBe(bytes.length);
		expect(item.binary!.data).toMatchObject({ mimeType: 'image/png', fileName: `midjourney-${taskId}.png`, fileExtension: 'png' });

		// The image link is downloaded without the key, the task polled until done.
		const download = ctx.sandbox.requests.find((request) => request.path === `/files/mj/${taskId}.png`)!;
		expect(download.headers.authorization).toBeUndefined();
		expect(polls(ctx.sandbox, taskId).length).toBeGreaterThanOrEqual(1);
		expect(everythingVisible(result)).not.toContain(API_KEY);
	});

	test('reference images from a binary field and a URL go as data URLs in base64Array; Niji and a speed route', async () => {
		const reference = png(40, 30, [9, 9, 9]);
		const sample = `${ctx.sandbox.url}/files/sample.jpg`;
		const result = await runMidjourney(
			ctx.sandbox,
			{ operation: 'imagine', prompt: 'in this style', referenceImageFields: 'style', referenceImageUrls: sample, botType: 'NIJI_JOURNEY', speed: 'fast' },
			{ input: [await binaryItem({ style: [reference, 'style.bin', 'application/octet-stream'] })] },
		);
		const [submit] = submits(ctx.sandbox);
		expect(submit.path).toBe('/mj-fast/mj/submit/imagine');
		expect(submit.body.botType).toBe('NIJI_JOURNEY');
		expect(submit.body.base64Array).toHaveLength(2);
		expect(submit.body.base64Array[0]).toBe(`data:image/png;base64,${reference.toString('base64')}`);
		expect(submit.body.base64Array[1]).toMatch(/^data:image\/jpeg;base64,\/9j\//);
		const sampleDownload = ctx.sandbox.requests.find((request) => request.path === '/files/sample.jpg')!;
		expect(sampleDownload.headers.authorization).toBeUndefined();
		const [json] = outputJson(result);
		expect(json).toMatchObject({ status: 'completed', botType: 'NIJI_JOURNEY' });
		expect(String(json.promptEn)).toMatch(/^http:\/\/\S+\.png http:\/\/\S+\.jpg in this style$/);
	});

	test('refuses, before anything is submitted, an empty prompt, a missing field, a file that is no image, a format Midjourney does not take', async () => {
		const bmp = Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]);
		const cases: Array<[Record<string, unknown>, string, Buffer?]> = [
			[{ prompt: '  ' }, 'Prompt: is empty'],
			[{ prompt: 'x', referenceImageFields: 'logo' }, 'Reference Image Fields: the input item has no binary field "logo"'],
			[{ prompt: 'x', referenceImageFields: 'data' }, 'Reference Image Fields: the binary field "data" is not an image (text/plain, notes.txt)', Buffer.from('hello')],
			[{ prompt: 'x', referenceImageFields: 'data' }, 'Reference Image Fields: the binary field "data" is image/bmp, which Midjourney does not take', bmp],
			[{ prompt: 'x', referenceImageUrls: 'ftp://example.com/a.png' }, 'Reference Image URLs: "ftp://example.com/a.png" is not an http(s) link or an image data URL'],
		];
		for (const [parameters, message, bytes] of cases) {
			const input = bytes ? [await binaryItem({ data: [bytes, 'notes.txt', 'text/plain'] })] : undefined;
			const result = await runMidjourney(ctx.sandbox, { operation: 'imagine', ...parameters }, { input });
			expect(result.error?.message).toBe(message);
		}
		const notImage = await runMidjourney(ctx.sandbox, { operation: 'imagine', prompt: 'x', referenceImageUrls: `${ctx.sandbox.url}/files/not-an-image.png` });
		expect(notImage.error?.message).toMatch(/^Could not download the image at http:\/\/\S+\/files\/not-an-image\.png: it is an HTML page \("[^"]+"\), not an image$/);
		expect(submits(ctx.sandbox)).toHaveLength(0);
	});

	test('five items: every task submitted, all waited side by side, output in input order', async () => {
		const input = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ json: { name } }));
		const started = Date.now();
		const result = await runMidjourney(ctx.sandbox, { operation: 'imagine', prompt: '={{ "a poster of " + $json.name }}' }, { input });
		const wallMs = Date.now() - started;
		const items = result.output(NODE_NAME);
		expect(items.map((item) => item.json.prompt)).toEqual(['a', 'b', 'c', 'd', 'e'].map((name) => `a poster of ${name}`));
		expect(items.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		expect(new Set(items.map((item) => item.json.taskId)).size).toBe(5);
		// One after another would take 5 tasks of 200 ms, plus polls and downloads.
		expect(wallMs).toBeLessThan(5 * TASK_MS + 1500);
		const submitTimes = submits(ctx.sandbox).map((request) => request.receivedAt);
		expect(Math.max(...submitTimes) - Math.min(...submitTimes)).toBeLessThan(TASK_MS);
	});

	test('Wait for Completion off: the task as submitted; Get then waits for it and downloads the image', async () => {
		const submitted = outputJson(await runMidjourney(ctx.sandbox, { operation: 'imagine', prompt: 'later', waitForCompletion: false }));
		expect(submitted).toEqual([{ taskId: expect.any(String), status: 'queued', done: false, timedOut: false, description: '提交成功', buttons: [] }]);
		expect(polls(ctx.sandbox)).toHaveLength(0);

		ctx.sandbox.clearRequests();
		const got = await runMidjourney(ctx.sandbox, { operation: 'get', taskId: submitted[0].taskId });
		const [item] = got.output(NODE_NAME);
		expect(item.json).toMatchObject({ taskId: submitted[0].taskId, action: 'IMAGINE', status: 'completed', done: true, prompt: 'later' });
		expect(readImageInfo(await got.binary(NODE_NAME, 0))).toMatchObject({ width: 1024, height: 1024 });
		expect(submits(ctx.sandbox)).toHaveLength(0);
	});

	test('a wait that ends first puts out the unfinished task, or fails the item when On Timeout says so', async () => {
		const prompt = 'slow TASK_MS=60000';
		const [json] = outputJson(await runMidjourney(ctx.sandbox, { operation: 'imagine', prompt, maxWaitMinutes: 0.005 }));
		expect(json).toMatchObject({ done: false, timedOut: true, taskId: expect.any(String) });
		expect(['NOT_START', 'SUBMITTED']).toContain(json.relayStatus);
		expect(json).not.toHaveProperty('mimeType');

		const failed = await runMidjourney(ctx.sandbox, { operation: 'imagine', prompt, maxWaitMinutes: 0.005, onTimeout: 'error' });
		expect(failed.error?.message).toMatch(/^The Midjourney task \d+ did not finish within 0\.\d s \(last status: (NOT_START|SUBMITTED)/);
	});
});

describe('Action', () => {
	test('U1 on a grid: checks the task offers it, presses it, and puts out the single image of that quadrant', async () => {
		const grid = await finishedTask(ctx.sandbox, 'imagine', { prompt: 'a lamp' });
		const gridPng = Buffer.from(await (await fetch(grid.imageUrl)).arrayBuffer());
		ctx.sandbox.clearRequests();
		const result = await runMidjourney(ctx.sandbox, { operation: 'action', taskId: grid.id, button: 'U1', speed: 'relax' });
		expect(polls(ctx.sandbox, grid.id).length).toBe(1);
		const [submit] = submits(ctx.sandbox);
		expect(submit.path).toBe('/mj-relax/mj/submit/action');
		expect(submit.body).toEqual({ taskId: grid.id, customId: grid.buttons[0].customId });
		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({ action: 'UPSCALE', status: 'completed', imageWidth: 512, imageHeight: 512, prompt: 'a lamp' });
		expect((item.json.buttons as Array<{ label: string }>).map((button) => button.label)).toEqual([
			'Upscale (Subtle)',
			'Upscale (Creative)',
			'Vary (Subtle)',
			'Vary (Strong)',
			'Vary (Region)',
			'Zoom Out 2x',
			'Zoom Out 1.5x',
			'Custom Zoom',
			'Pan Left',
			'Pan Right',
			'Pan Up',
			'Pan Down',
		]);
		expect(pixelAt(await result.binary(NODE_NAME, 0), 10, 10)).toEqual(pixelAt(gridPng, 10, 10));
	});

	test('U1-U4 together: four tasks of one item, four items with the four quadrants, in order', async () => {
		const grid = await finishedTask(ctx.sandbox, 'imagine', { prompt: 'four' });
		const gridPng = Buffer.from(await (await fetch(grid.imageUrl)).arrayBuffer());
		ctx.sandbox.setMidjourneyTaskMs(TASK_MS);
		const result = await runMidjourney(ctx.sandbox, { operation: 'action', taskId: grid.id, button: 'allUpscales' });
		expect(submits(ctx.sandbox, 'action').map((request) => request.body)).toEqual(grid.buttons.slice(0, 4).map((b: { customId: string }) => ({ taskId: grid.id, customId: b.customId })));
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(4);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }, { item: 0 }]);
		expect(items.every((item) => item.json.action === 'UPSCALE' && item.json.done === true)).toBe(true);
		const corners = [
			[10, 10],
			[1000, 10],
			[10, 1000],
			[1000, 1000],
		];
		for (const [index, [x, y]] of corners.entries()) {
			expect(pixelAt(await result.binary(NODE_NAME, index), 5, 5)).toEqual(pixelAt(gridPng, x, y));
		}
	});

	test('U1-U4 together: one task failing fails the item (an error item under Continue On Fail) and stops the waits of the other three', async () => {
		// A grid of 1.5 s: its upscales take as long, so the other three are still running when one fails.
		const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', 'x-sandbox-task-ms': '1500' };
		const submitted = await fetch(`${ctx.sandbox.url}/mj/submit/imagine`, { method: 'POST', headers, body: JSON.stringify({ prompt: 'four, one lost' }) });
		const gridId = ((await submitted.json()) as { result: string }).result;
		await new Promise((resolve) => setTimeout(resolve, 1600));
		ctx.sandbox.clearRequests();
		// The node's look-up of the grid goes through; then one poll fails for good, and the relay turns slow.
		ctx.sandbox.fault({ path: /\/mj\/task\/.+\/fetch$/, method: 'GET', latencyMs: 1 });
		ctx.sandbox.fault({ path: /\/mj\/task\/.+\/fetch$/, method: 'GET', status: 401, body: { error: { message: 'token expired', type: 'new_api_error' } } });
		ctx.sandbox.fault({ path: /\/mj\/task\/.+\/fetch$/, method: 'GET', latencyMs: 100, times: 100 });
		const result = await runMidjourney(ctx.sandbox, { operation: 'action', taskId: gridId, button: 'allUpscales' }, { continueOnFail: true });
		expect(outputJson(result)).toEqual([expect.objectContaining({ error: '401 Unauthorized: token expired' })]);
		expect(submits(ctx.sandbox, 'action')).toHaveLength(4);
		// A poll already on its way when the waits stop may still arrive.
		await new Promise((resolve) => setTimeout(resolve, 100));
		const pollsAtFailure = polls(ctx.sandbox).length;
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(polls(ctx.sandbox).length).toBe(pollsAtFailure);
	});

	test.each([
		['upscaleSubtle', 'UPSCALE', /^MJ::JOB::upsample_v6_2x_subtle::1::/],
		['upscaleCreative', 'UPSCALE', /^MJ::JOB::upsample_v6_2x_creative::1::/],
		['varySubtle', 'VARIATION', /^MJ::JOB::low_variation::1::/],
		['varyStrong', 'VARIATION', /^MJ::JOB::high_variation::1::/],
		['zoomOut2x', 'ZOOM', /^MJ::Outpaint::50::1::/],
		['zoomOut1_5x', 'ZOOM', /^MJ::Outpaint::75::1::/],
		['panLeft', 'PAN', /^MJ::JOB::pan_left::1::/],
		['panDown', 'PAN', /^MJ::JOB::pan_down::1::/],
	])('%s on an upscale, found by what it does, makes a %s task', async (button, action, customId) => {
		const grid = await finishedTask(ctx.sandbox, 'imagine', { prompt: 'a chair' });
		const upscale = await finishedTask(ctx.sandbox, 'action', { taskId: grid.id, customId: grid.buttons[1].customId });
		ctx.sandbox.clearRequests();
		const [json] = outputJson(await runMidjourney(ctx.sandbox, { operation: 'action', taskId: upscale.id, button }));
		expect(json).toMatchObject({ action, status: 'completed', imageWidth: 1024 });
		const sent = submits(ctx.sandbox)[0].body;
		expect(sent).toEqual({ taskId: upscale.id, customId: expect.stringMatching(customId) });
		expect(upscale.buttons.map((b: { customId: string }) => b.customId)).toContain(sent.customId);
	});

	test('reroll and V3 on a grid, and a custom id from an earlier output', async () => {
		const grid = await finishedTask(ctx.sandbox, 'imagine', { prompt: 'a boat' });
		const reroll = outputJson(await runMidjourney(ctx.sandbox, { operation: 'action', taskId: grid.id, button: 'reroll' }));
		expect(reroll[0]).toMatchObject({ action: 'REROLL', status: 'completed' });
		const v3 = outputJson(await runMidjourney(ctx.sandbox, { operation: 'action', taskId: grid.id, button: 'V3' }));
		expect(v3[0]).toMatchObject({ action: 'VARIATION', status: 'completed' });
		ctx.sandbox.clearRequests();
		const custom = await runMidjourney(
			ctx.sandbox,
			{ operation: 'action', taskId: '={{ $json.taskId }}', button: 'customId', customId: '={{ $json.buttons[3].customId }}' },
			{ input: [{ json: { taskId: grid.id, buttons: grid.buttons } }] },
		);
		expect(submits(ctx.sandbox)[0].body).toEqual({ taskId: grid.id, customId: grid.buttons[3].customId });
		expect(outputJson(custom)[0]).toMatchObject({ action: 'UPSCALE', done: true });
	});

	test('refuses, before submitting, a button the task does not offer, an unknown task, an unfinished one', async () => {
		const grid = await finishedTask(ctx.sandbox, 'imagine', { prompt: 'a kite' });
		ctx.sandbox.clearRequests();
		const notOffered = await runMidjourney(ctx.sandbox, { operation: 'action', taskId: grid.id, button: 'upscaleSubtle' });
		expect(notOffered.error?.message).toBe(`Button: task ${grid.id} (IMAGINE) offers no Upscale (Subtle) button`);
		expect((notOffered.error as { description?: string }).description).toBe('It offers: U1, U2, U3, U4, Reroll, V1, V2, V3, V4.');
		const foreign = await runMidjourney(ctx.sandbox, { operation: 'action', taskId: grid.id, button: 'customId', customId: 'MJ::JOB::upsample::1::other' });
		expect(foreign.error?.message).toBe(`Custom ID: task ${grid.id} offers no button "MJ::JOB::upsample::1::other"`);
		ctx.sandbox.clearRequests();
		const pathLike = await runMidjourney(ctx.sandbox, { operation: 'action', taskId: '12/34', button: 'U1' });
		expect(pathLike.error?.message).toBe('Task ID: "12/34" is not an ID (it holds spaces or slashes)');
		expect(ctx.sandbox.requests).toHaveLength(0);
		const unknown = await runMidjourney(ctx.sandbox, { operation: 'action', taskId: '1234', button: 'U1' });
		expect(unknown.error?.message).toBe('Task ID: the relay knows no task 1234 (it answered 400: task_no_found)');
		const running = await runMidjourney(ctx.sandbox, { operation: 'imagine', prompt: 'wip TASK_MS=60000', waitForCompletion: false });
		const runningId = outputJson(running)[0].taskId;
		const early = await runMidjourney(ctx.sandbox, { operation: 'action', taskId: runningId, button: 'U1' });
		expect(early.error?.message).toMatch(new RegExp(`^Task ID: task ${runningId} is (NOT_START|SUBMITTED) \\(0%\\): a button can be pressed once the task has succeeded$`));
		expect(submits(ctx.sandbox, 'action')).toHaveLength(0);
	});
});

describe('Modal', () => {
	test('Vary (Region) ends the wait at MODAL saying it waits for a mask; Modal sends the mask and waits for the image', async () => {
		const grid = await finishedTask(ctx.sandbox, 'imagine', { prompt: 'a vase' });
		const upscale = await finishedTask(ctx.sandbox, 'action', { taskId: grid.id, customId: grid.buttons[0].customId });
		ctx.sandbox.setMidjourneyTaskMs(TASK_MS);
		const [waiting] = outputJson(await runMidjourney(ctx.sandbox, { operation: 'action', taskId: upscale.id, button: 'varyRegion' }));
		expect(waiting).toMatchObject({ action: 'INPAINT', status: 'needs_input', relayStatus: 'MODAL', done: false, timedOut: false, waitsFor: 'mask' });
		expect(waiting).not.toHaveProperty('mimeType');

		const noMask = await runMidjourney(ctx.sandbox, { operation: 'modal', taskId: waiting.taskId, modalPrompt: 'a blue vase' });
		expect(noMask.error?.message).toBe(`Mask Field: task ${waiting.taskId} (Vary (Region)) waits for a mask`);
		const mask = png(512, 512, [255, 255, 255]);
		ctx.sandbox.clearRequests();
		const answered = await runMidjourney(
			ctx.sandbox,
			{ operation: 'modal', taskId: waiting.taskId, modalPrompt: 'a blue vase', maskField: 'mask' },
			{ input: [await binaryItem({ mask: [mask, 'mask.png'] })] },
		);
		expect(submits(ctx.sandbox)[0]).toMatchObject({ path: '/mj/submit/modal', body: { taskId: waiting.taskId, prompt: 'a blue vase', maskBase64: `data:image/png;base64,${mask.toString('base64')}` } });
		expect(answered.output(NODE_NAME)[0].json).toMatchObject({ taskId: waiting.taskId, status: 'completed', prompt: 'a blue vase', done: true });
		expect(readImageInfo(await answered.binary(NODE_NAME, 0))).toMatchObject({ format: 'png' });

		const again = await runMidjourney(ctx.sandbox, { operation: 'modal', taskId: waiting.taskId, modalPrompt: 'x' });
		expect(again.error?.message).toBe(`Task ID: task ${waiting.taskId} is SUCCESS, not MODAL: only a task that waits for input takes a Modal answer`);
	});

	test('Custom Zoom waits for a prompt; Modal with the prompt finishes it', async () => {
		const grid = await finishedTask(ctx.sandbox, 'imagine', { prompt: 'a hat' });
		const upscale = await finishedTask(ctx.sandbox, 'action', { taskId: grid.id, customId: grid.buttons[2].customId });
		ctx.sandbox.setMidjourneyTaskMs(TASK_MS);
		const [waiting] = outputJson(await runMidjourney(ctx.sandbox, { operation: 'action', taskId: upscale.id, button: 'customZoom' }));
		expect(waiting).toMatchObject({ relayStatus: 'MODAL', waitsFor: 'prompt' });
		const empty = await runMidjourney(ctx.sandbox, { operation: 'modal', taskId: waiting.taskId });
		expect(empty.error?.message).toBe(`Prompt: is empty: task ${waiting.taskId} waits for a prompt`);
		const [done] = outputJson(await runMidjourney(ctx.sandbox, { operation: 'modal', taskId: waiting.taskId, modalPrompt: 'a hat --zoom 1.8', speed: 'turbo' }));
		expect(done).toMatchObject({ status: 'completed', prompt: 'a hat --zoom 1.8', action: 'ZOOM' });
		expect(submits(ctx.sandbox, 'modal')[0].path).toBe('/mj-turbo/mj/submit/modal');
	});
});

describe('Blend and Describe', () => {
	test('Blend: binary fields then URLs as base64Array, the shape as dimensions; 2 to 5 images', async () => {
		const a = png(30, 30, [1, 1, 1]);
		const b = png(30, 30, [2, 2, 2]);
		const result = await runMidjourney(
			ctx.sandbox,
			{ operation: 'blend', imageFields: 'a, b', imageUrls: `${ctx.sandbox.url}/files/sample.webp`, dimensions: 'PORTRAIT' },
			{ input: [await binaryItem({ a: [a, 'a.png'], b: [b, 'b.png'] })] },
		);
		const [submit] = submits(ctx.sandbox);
		expect(submit.path).toBe('/mj/submit/blend');
		expect(submit.body.dimensions).toBe('PORTRAIT');
		expect(submit.body.base64Array.map((url: string) => url.slice(0, 22))).toEqual(['data:image/png;base64,', 'data:image/png;base64,', 'data:image/webp;base64']);
		expect(outputJson(result)[0]).toMatchObject({ action: 'BLEND', status: 'completed', imageWidth: 683, imageHeight: 1024 });

		for (const imageFields of ['a', 'a, b, a, b, a, b']) {
			const refused = await runMidjourney(ctx.sandbox, { operation: 'blend', imageFields }, { input: [await binaryItem({ a: [a, 'a.png'], b: [b, 'b.png'] })] });
			expect(refused.error?.message).toMatch(/^Image Fields: [16] images? given; Blend takes 2 to 5$/);
		}
	});

	test('Describe: an image to four prompts as four items, each with the button that imagines it; no image download', async () => {
		const image = png(80, 60, [50, 60, 70]);
		const result = await runMidjourney(ctx.sandbox, { operation: 'describe' }, { input: [await binaryItem({ data: [image, 'photo.png'] })] });
		expect(submits(ctx.sandbox)[0].body).toEqual({ base64: `data:image/png;base64,${image.toString('base64')}` });
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(4);
		expect(items.map((item) => item.json.index)).toEqual([1, 2, 3, 4]);
		for (const [index, item] of items.entries()) {
			expect(item.json).toMatchObject({ action: 'DESCRIBE', status: 'completed', done: true, customId: `MJ::Job::PicReader::${index + 1}` });
			expect(item.json.prompt).toMatch(/^[a-z][^️⃣]* --ar 4:3$/);
			expect(item.binary).toBeUndefined();
			expect(item.pairedItem).toEqual({ item: 0 });
		}
		expect(ctx.sandbox.requests.filter((request) => request.path.startsWith('/files/mj/') && !request.path.includes('uploads'))).toHaveLength(0);

		const imagined = await runMidjourney(ctx.sandbox, { operation: 'action', taskId: items[1].json.taskId, button: 'prompt2' });
		expect(outputJson(imagined)[0]).toMatchObject({ action: 'IMAGINE', prompt: items[1].json.prompt, imageHeight: 768 });
	});

	test('Describe from a URL', async () => {
		const result = await runMidjourney(ctx.sandbox, { operation: 'describe', imageUrl: `${ctx.sandbox.url}/files/sample.png` });
		expect(submits(ctx.sandbox)[0].body.base64).toMatch(/^data:image\/png;base64,/);
		expect(outputJson(result)).toHaveLength(4);
	});
});

describe('what the relay says', () => {
	test('a failed task fails its item with the reason; under Continue On Fail the others go on', async () => {
		const failed = await runMidjourney(ctx.sandbox, { operation: 'imagine', prompt: 'a cat MJ_FAIL' });
		expect(failed.error?.message).toMatch(/^The Midjourney task \d+ failed: \[Invalid parameter\] Sandbox: Midjourney refused the job \(MJ_FAIL in the prompt\) \(status FAILURE\)$/);

		const input = [{ json: { p: 'a dog' } }, { json: { p: 'a cat MJ_CANCEL' } }, { json: { p: 'a bird' } }];
		const result = await runMidjourney(ctx.sandbox, { operation: 'imagine', prompt: '={{ $json.p }}' }, { input, continueOnFail: true });
		const items = outputJson(result);
		expect(items[0]).toMatchObject({ status: 'completed', prompt: 'a dog' });
		expect(items[1].error).toMatch(/failed: Sandbox: the job was cancelled \(MJ_CANCEL in the prompt\) \(status CANCEL\)$/);
		expect(items[2]).toMatchObject({ status: 'completed', prompt: 'a bird' });
	});

	test('codes 21 and 22 are submitted tasks; a numeric task id works', async () => {
		for (const prompt of ['x MJ_CODE_21', 'x MJ_CODE_22', 'x MJ_NUMERIC_ID']) {
			expect(outputJson(await runMidjourney(ctx.sandbox, { operation: 'imagine', prompt }))[0]).toMatchObject({ status: 'completed', taskId: expect.stringMatching(/^\d+$/) });
		}
	});

	test('a full queue (23) is tried again later and then goes through', async () => {
		ctx.sandbox.fault({ path: '/mj/submit/imagine', status: 200, body: { code: 23, description: '队列已满，请稍后尝试', result: null } });
		const result = await runMidjourney(ctx.sandbox, { operation: 'imagine', prompt: 'busy' });
		expect(submits(ctx.sandbox)).toHaveLength(2);
		const [first, second] = submits(ctx.sandbox);
		expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(1400);
		expect(outputJson(result)[0]).toMatchObject({ status: 'completed' });
	});

	test('a banned prompt (24) names the word; another code quotes the relay; a refusal by new-api too', async () => {
		const banned = await runMidjourney(ctx.sandbox, { operation: 'imagine', prompt: 'gore in the woods' });
		expect(banned.error?.message).toBe('The relay answered 200 with an error: Midjourney refused the prompt: it contains the banned word "gore" (code 24: 可能包含敏感词)');
		const other = await runMidjourney(ctx.sandbox, { operation: 'imagine', prompt: 'MJ_CODE_9' });
		expect(other.error?.message).toContain('Midjourney refused the submit: code 9: Sandbox: the submit was refused with code 9');
		ctx.sandbox.fault({ path: '/mj/submit/imagine', status: 400, body: { code: 4, description: 'prompt_is_required', type: 'upstream_error' } });
		const relay = await runMidjourney(ctx.sandbox, { operation: 'imagine', prompt: 'x' });
		expect(relay.error?.message).toBe('400 Bad Request: prompt_is_required');
		expect(everythingVisible(relay)).not.toContain(API_KEY);
	});

	test('slow polls and a 429 with Retry-After while polling: the task still finishes', async () => {
		ctx.sandbox.fault({ path: /\/mj\/task\/.+\/fetch$/, status: 429, headers: { 'retry-after': '1' }, times: 1 });
		ctx.sandbox.fault({ path: /\/mj\/task\/.+\/fetch$/, latencyMs: 300, times: 2 });
		const [json] = outputJson(await runMidjourney(ctx.sandbox, { operation: 'imagine', prompt: 'patient TASK_MS=1500' }));
		expect(json).toMatchObject({ status: 'completed', done: true });
		const times = polls(ctx.sandbox).map((request) => request.receivedAt);
		expect(times.length).toBeGreaterThanOrEqual(3);
		// After the 429 the next poll waits as long as Retry-After asks, not the 50 ms interval.
		expect(times[1] - times[0]).toBeGreaterThanOrEqual(950);
	});

	test('stopping the execution stops the waiting at once', async () => {
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 400);
		const started = Date.now();
		const result = await runMidjourney(ctx.sandbox, { operation: 'imagine', prompt: 'long TASK_MS=60000' }, { run: { signal: controller.signal } });
		expect(result.status).toBe('canceled');
		expect(Date.now() - started).toBeLessThan(3000);
		const pollsAtStop = polls(ctx.sandbox).length;
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(polls(ctx.sandbox).length).toBe(pollsAtStop);
	});

	test('Get of an unknown task fails with what the relay said', async () => {
		const result = await runMidjourney(ctx.sandbox, { operation: 'get', taskId: '999' });
		expect(result.error?.message).toBe('400 Bad Request: task_no_found');
	});

	test('Get with Wait off looks once', async () => {
		const task = await finishedTask(ctx.sandbox, 'imagine', { prompt: 'once' });
		ctx.sandbox.clearRequests();
		const [json] = outputJson(await runMidjourney(ctx.sandbox, { operation: 'get', taskId: task.id, waitForCompletion: false }));
		expect(json).toMatchObject({ taskId: task.id, status: 'completed', done: true });
		expect(polls(ctx.sandbox)).toHaveLength(1);
		expect(await fetchTask(ctx.sandbox, task.id)).toMatchObject({ status: 'SUCCESS' });
	});
});
