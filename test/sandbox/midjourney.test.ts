import { encodeImage, readImageInfo, startSandbox, type Sandbox } from '../../sandbox';
import { call, get, post, type Reply } from './http';
import { pixelAt } from './png';

const PNG = `data:image/png;base64,${encodeImage('png', { width: 64, height: 48, rgb: [200, 10, 10] }).toString('base64')}`;
const JPEG = `data:image/jpeg;base64,${encodeImage('jpeg', { width: 30, height: 30, rgb: [10, 200, 10] }).toString('base64')}`;

describe('sandbox Midjourney', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await startSandbox({ midjourneyTaskMs: 200 });
	});
	afterAll(() => sandbox.close());
	beforeEach(() => {
		sandbox.clearRequests();
		sandbox.clearFaults();
		sandbox.setMidjourneyTaskMs(200);
	});

	const fetchTask = async (id: string) => (await get(sandbox, `/mj/task/${id}/fetch`)).json;

	/** Polls every 20 ms until the status is one of `until`; returns every status seen on the way. */
	async function waitFor(id: string, until = ['SUCCESS', 'FAILURE', 'CANCEL', 'MODAL']): Promise<{ task: any; seen: string[] }> {
		const seen: string[] = [];
		for (let i = 0; i < 500; i++) {
			const task = await fetchTask(id);
			if (seen[seen.length - 1] !== task.status) seen.push(task.status);
			if (until.includes(task.status)) return { task, seen };
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		throw new Error(`task ${id} never reached ${until.join('/')}`);
	}

	async function submitted(reply: Reply): Promise<string> {
		expect(reply.status).toBe(200);
		expect(reply.json).toMatchObject({ code: 1, description: '提交成功' });
		expect(typeof reply.json.result).toBe('string');
		return reply.json.result;
	}

	async function imagined(prompt = 'a red bicycle --ar 16:9'): Promise<any> {
		const id = await submitted(await post(sandbox, '/mj/submit/imagine', { prompt }));
		return (await waitFor(id)).task;
	}

	async function press(task: any, label: string, emoji = ''): Promise<any> {
		const button = task.buttons.find((b: any) => (label ? b.label === label : b.emoji === emoji));
		expect(button).toBeDefined();
		const id = await submitted(await post(sandbox, '/mj/submit/action', { taskId: task.id, customId: button.customId }));
		return (await waitFor(id)).task;
	}

	async function image(task: any): Promise<Buffer> {
		const reply = await get(sandbox, new URL(task.imageUrl).pathname + new URL(task.imageUrl).search, { auth: false });
		expect(reply.status).toBe(200);
		expect(reply.headers['content-type']).toBe('image/png');
		return reply.body;
	}

	it('imagines a 2x2 grid: NOT_START, SUBMITTED, IN_PROGRESS with progress, then SUCCESS with the image and its buttons', async () => {
		const body = { prompt: 'a red bicycle --ar 16:9 --v 6', botType: 'MID_JOURNEY', state: 'row-7' };
		const reply = await post(sandbox, '/mj/submit/imagine', body, { headers: { 'x-sandbox-task-ms': '1000' } });
		expect(reply.json).toMatchObject({ code: 1, properties: { discordInstanceId: expect.any(String) } });
		expect(reply.json.result).toMatch(/^\d{16}$/);
		const first = await fetchTask(reply.json.result);
		expect(first).toMatchObject({ progress: '0%', imageUrl: '', buttons: [], failReason: '', action: 'IMAGINE' });
		const { task, seen } = await waitFor(reply.json.result, ['SUCCESS']);
		// NOT_START lasts the first 5 % of the task: a busy machine may poll too late to see it.
		expect([['NOT_START', 'SUBMITTED', 'IN_PROGRESS', 'SUCCESS'], ['SUBMITTED', 'IN_PROGRESS', 'SUCCESS']]).toContainEqual(seen);
		expect(task).toMatchObject({
			id: reply.json.result,
			action: 'IMAGINE',
			prompt: 'a red bicycle --ar 16:9 --v 6',
			promptEn: 'a red bicycle --ar 16:9 --v 6',
			state: 'row-7',
			progress: '100%',
			imageWidth: 1024,
			imageHeight: 576,
			botType: 'MID_JOURNEY',
			properties: { finalPrompt: 'a red bicycle --ar 16:9 --v 6' },
		});
		expect(task.finishTime).toBeGreaterThanOrEqual(task.startTime);
		expect(task.startTime).toBeGreaterThanOrEqual(task.submitTime);
		expect(task.imageUrl).toMatch(/\/files\/mj\/\d+\.png\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]{64}&$/);
		expect(task.buttons.map((b: any) => b.label || b.emoji)).toEqual(['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4']);
		expect(task.buttons[0].customId).toMatch(/^MJ::JOB::upsample::1::[0-9a-f-]{36}$/);
		expect(task.buttons[4].customId).toMatch(/^MJ::JOB::reroll::0::[0-9a-f-]{36}::SOLO$/);

		const png = await image(task);
		expect(readImageInfo(png)).toEqual({ format: 'png', width: 1024, height: 576 });
		const quadrants = [pixelAt(png, 0, 0), pixelAt(png, 1023, 0), pixelAt(png, 0, 575), pixelAt(png, 1023, 575)];
		expect(new Set(quadrants.map(String)).size).toBe(4);
	});

	it('saw progress rise between 15 and 99 while IN_PROGRESS', async () => {
		sandbox.setMidjourneyTaskMs(400);
		const id = await submitted(await post(sandbox, '/mj/submit/imagine', { prompt: 'progress' }));
		const progress: number[] = [];
		for (;;) {
			const task = await fetchTask(id);
			if (task.status === 'SUCCESS') break;
			if (task.status === 'IN_PROGRESS') progress.push(Number(task.progress.replace('%', '')));
			await new Promise((resolve) => setTimeout(resolve, 15));
		}
		expect(progress.length).toBeGreaterThan(3);
		expect(Math.min(...progress)).toBeGreaterThanOrEqual(15);
		expect(Math.max(...progress)).toBeLessThanOrEqual(99);
		expect(progress).toEqual([...progress].sort((a, b) => a - b));
	});

	it('upscales U1 to the grid quadrant it came from, with the buttons of an upscale', async () => {
		const grid = await imagined('a lamp --ar 3:2');
		const gridPng = await image(grid);
		const upscale = await press(grid, 'U1');
		expect(upscale).toMatchObject({ action: 'UPSCALE', status: 'SUCCESS', prompt: 'a lamp --ar 3:2', imageWidth: 512, imageHeight: 342 });
		expect(upscale.customId).toBe(grid.buttons[0].customId);
		const png = await image(upscale);
		expect(readImageInfo(png)).toMatchObject({ width: 512, height: 342 });
		expect(pixelAt(png, 100, 100)).toEqual(pixelAt(gridPng, 0, 0));
		expect(upscale.buttons.map((b: any) => b.label || b.emoji)).toEqual([
			'Upscale (Subtle)',
			'Upscale (Creative)',
			'Vary (Subtle)',
			'Vary (Strong)',
			'Vary (Region)',
			'Zoom Out 2x',
			'Zoom Out 1.5x',
			'Custom Zoom',
			'⬅️',
			'➡️',
			'⬆️',
			'⬇️',
		]);

		const u4 = await press(grid, 'U4');
		expect(pixelAt(await image(u4), 0, 0)).toEqual(pixelAt(gridPng, 767, 682));

		const subtle = await press(upscale, 'Upscale (Subtle)');
		expect(subtle).toMatchObject({ action: 'UPSCALE', imageWidth: 1024, imageHeight: 683 });
		expect(subtle.buttons.map((b: any) => b.label)).not.toContain('Upscale (Creative)');
		expect(pixelAt(await image(subtle), 0, 0)).toEqual(pixelAt(gridPng, 0, 0));
	});

	it('varies, rerolls, zooms and pans into new grids', async () => {
		const grid = await imagined('a chair');
		for (const [label, emoji, action] of [
			['V2', '', 'VARIATION'],
			['', '🔄', 'REROLL'],
		]) {
			const next = await press(grid, label, emoji);
			expect(next).toMatchObject({ action, status: 'SUCCESS', imageWidth: 1024, imageHeight: 1024 });
			expect(next.buttons).toHaveLength(9);
			expect(next.id).not.toBe(grid.id);
		}
		const upscale = await press(grid, 'U3');
		for (const [label, emoji, action] of [
			['Vary (Strong)', '', 'VARIATION'],
			['Vary (Subtle)', '', 'VARIATION'],
			['Zoom Out 2x', '', 'ZOOM'],
			['', '⬅️', 'PAN'],
		]) {
			const next = await press(upscale, label, emoji);
			expect(next).toMatchObject({ action, status: 'SUCCESS' });
			expect(next.buttons.map((b: any) => b.label).slice(0, 4)).toEqual(['U1', 'U2', 'U3', 'U4']);
		}
	});

	it('puts Vary (Region) in MODAL until a mask comes, and Custom Zoom until a prompt comes', async () => {
		const upscale = await press(await imagined('a vase'), 'U2');
		const region = upscale.buttons.find((b: any) => b.label === 'Vary (Region)');
		const id = await submitted(await post(sandbox, '/mj/submit/action', { taskId: upscale.id, customId: region.customId }));
		const waiting = (await waitFor(id)).task;
		expect(waiting).toMatchObject({ status: 'MODAL', action: 'INPAINT', progress: '0%', description: 'Waiting for window confirm', buttons: [] });
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect((await fetchTask(id)).status).toBe('MODAL');

		const noMask = await post(sandbox, '/mj/submit/modal', { taskId: id, prompt: 'a blue vase' });
		expect(noMask.status).toBe(200);
		expect(noMask.json).toMatchObject({ code: 4, description: 'maskBase64参数错误', result: null });
		const answered = await post(sandbox, '/mj/submit/modal', { taskId: id, prompt: 'a blue vase', maskBase64: PNG });
		expect(answered.json).toMatchObject({ code: 1, result: id });
		const done = (await waitFor(id, ['SUCCESS'])).task;
		expect(done).toMatchObject({ status: 'SUCCESS', prompt: 'a blue vase', action: 'INPAINT' });
		const again = await post(sandbox, '/mj/submit/modal', { taskId: id, prompt: 'again', maskBase64: PNG });
		expect(again.json.code).toBe(4);
		expect(again.json.description).toContain('SUCCESS, not MODAL');

		const zoom = upscale.buttons.find((b: any) => b.label === 'Custom Zoom');
		const zoomId = await submitted(await post(sandbox, '/mj/submit/action', { taskId: upscale.id, customId: zoom.customId }));
		expect((await waitFor(zoomId)).task).toMatchObject({ status: 'MODAL', action: 'ZOOM' });
		expect((await post(sandbox, '/mj/submit/modal', { taskId: zoomId })).json).toMatchObject({ code: 4, description: 'prompt参数错误' });
		expect((await post(sandbox, '/mj/submit/modal', { taskId: zoomId, prompt: 'a vase --zoom 1.8' })).json.code).toBe(1);
		expect((await waitFor(zoomId, ['SUCCESS'])).task.prompt).toBe('a vase --zoom 1.8');
	});

	it('fails a task with MJ_FAIL (failReason) and cancels one with MJ_CANCEL, half way', async () => {
		const slow = { headers: { 'x-sandbox-task-ms': '1000' } };
		const failed = await waitFor(await submitted(await post(sandbox, '/mj/submit/imagine', { prompt: 'a cat MJ_FAIL' }, slow)));
		expect(failed.seen.slice(-2)).toEqual(['IN_PROGRESS', 'FAILURE']);
		expect(failed.task).toMatchObject({ status: 'FAILURE', progress: '50%', imageUrl: '', buttons: [] });
		expect(failed.task.failReason).toContain('Midjourney refused the job');
		const cancelled = await waitFor(await submitted(await post(sandbox, '/mj/submit/imagine', { prompt: 'a cat MJ_CANCEL' })));
		expect(cancelled.task.status).toBe('CANCEL');
		expect(cancelled.task.failReason).toContain('cancelled');
	});

	it('answers the submit codes: 21 and 22 with a task, 23 queue full, 24 with the banned word, others with a description', async () => {
		for (const code of [21, 22]) {
			const reply = await post(sandbox, '/mj/submit/imagine', { prompt: `a dog MJ_CODE_${code}` });
			expect(reply.status).toBe(200);
			expect(reply.json.code).toBe(code);
			expect((await waitFor(reply.json.result)).task.status).toBe('SUCCESS');
		}
		const full = await post(sandbox, '/mj/submit/imagine', { prompt: 'a dog MJ_CODE_23' });
		expect(full.status).toBe(200);
		expect(full.json).toMatchObject({ code: 23, description: '队列已满，请稍后尝试', result: null });
		const banned = await post(sandbox, '/mj/submit/imagine', { prompt: 'a scene of Gore in the forest' });
		expect(banned.json).toMatchObject({ code: 24, description: '可能包含敏感词', result: null, properties: { bannedWord: 'gore' } });
		const other = await post(sandbox, '/mj/submit/imagine', { prompt: 'a dog MJ_CODE_9' });
		expect(other.json).toMatchObject({ code: 9, result: null });
		expect(other.json.description).toContain('code 9');
		const numeric = await post(sandbox, '/mj/submit/imagine', { prompt: 'a dog MJ_NUMERIC_ID' });
		expect(typeof numeric.json.result).toBe('number');
		expect(numeric.text).toMatch(/"result":\d{16}\b/);
		expect((await waitFor(String(numeric.json.result))).task.status).toBe('SUCCESS');
	});

	it('takes reference images as data URLs, links them in front of promptEn, and refuses what is not an image', async () => {
		const id = await submitted(await post(sandbox, '/mj/submit/imagine', { prompt: 'in this style', base64Array: [PNG, JPEG], botType: 'NIJI_JOURNEY' }));
		const task = (await waitFor(id)).task;
		expect(task.botType).toBe('NIJI_JOURNEY');
		const links = task.promptEn.split(' ').slice(0, 2);
		expect(task.promptEn.endsWith(' in this style')).toBe(true);
		const uploaded = await Promise.all(links.map((link: string) => get(sandbox, new URL(link).pathname, { auth: false })));
		expect(uploaded.map((reply) => readImageInfo(reply.body))).toEqual([
			{ format: 'png', width: 64, height: 48 },
			{ format: 'jpeg', width: 30, height: 30 },
		]);
		const notImage = `data:image/png;base64,${Buffer.from('<html>login</html>').toString('base64')}`;
		expect((await post(sandbox, '/mj/submit/imagine', { prompt: 'x', base64Array: [notImage] })).json).toMatchObject({ code: 4, description: 'base64格式错误' });
		expect((await post(sandbox, '/mj/submit/imagine', { prompt: 'x', base64Array: ['iVBORw0KGgo='] })).json.code).toBe(4);
		expect((await post(sandbox, '/mj/submit/imagine', { prompt: 'x', botType: 'DALL_E' })).json).toMatchObject({ code: 4, description: 'botType参数错误' });
	});

	it('blends 2 to 5 images into a grid of the asked shape', async () => {
		const id = await submitted(await post(sandbox, '/mj/submit/blend', { base64Array: [PNG, JPEG, PNG], dimensions: 'PORTRAIT' }));
		const task = (await waitFor(id)).task;
		expect(task).toMatchObject({ action: 'BLEND', status: 'SUCCESS', imageWidth: 683, imageHeight: 1024 });
		expect(task.buttons).toHaveLength(9);
		const square = (await waitFor(await submitted(await post(sandbox, '/mj/submit/blend', { base64Array: [PNG, JPEG] })))).task;
		expect(square).toMatchObject({ imageWidth: 1024, imageHeight: 1024 });
		for (const base64Array of [[PNG], [PNG, PNG, PNG, PNG, PNG, PNG], undefined]) {
			expect((await post(sandbox, '/mj/submit/blend', { base64Array })).json).toMatchObject({ code: 4, description: 'base64List参数错误' });
		}
		expect((await post(sandbox, '/mj/submit/blend', { base64Array: [PNG, PNG], dimensions: 'WIDE' })).json).toMatchObject({ code: 4, description: 'dimensions参数错误' });
	});

	it('describes an image as four prompts, each a button that imagines it', async () => {
		const id = await submitted(await post(sandbox, '/mj/submit/describe', { base64: PNG }));
		const task = (await waitFor(id)).task;
		expect(task).toMatchObject({ action: 'DESCRIBE', status: 'SUCCESS', imageWidth: 64, imageHeight: 48 });
		const prompts = task.prompt.split('\n\n');
		expect(prompts).toHaveLength(4);
		expect(prompts.map((p: string) => p.slice(0, 3))).toEqual(['1️⃣', '2️⃣', '3️⃣', '4️⃣']);
		for (const p of prompts) expect(p).toMatch(/--ar 4:3$/);
		expect(task.properties.finalPrompt).toBe(task.prompt);
		expect(readImageInfo((await get(sandbox, new URL(task.imageUrl).pathname, { auth: false })).body)).toMatchObject({ width: 64 });
		expect(task.buttons.map((b: any) => b.emoji)).toEqual(['1️⃣', '2️⃣', '3️⃣', '4️⃣', '🔄']);
		const imagine = await press(task, '', '2️⃣');
		expect(imagine).toMatchObject({ action: 'IMAGINE', status: 'SUCCESS', prompt: prompts[1].replace('2️⃣ ', ''), imageWidth: 1024, imageHeight: 768 });
		expect((await post(sandbox, '/mj/submit/describe', { base64: 'not base64' })).json.code).toBe(4);
	});

	it('refuses actions new-api can judge with HTTP 400 and buttons the task does not offer with code 4', async () => {
		sandbox.setMidjourneyTaskMs(300);
		const id = await submitted(await post(sandbox, '/mj/submit/imagine', { prompt: 'a boat' }));
		const early = await post(sandbox, '/mj/submit/action', { taskId: id, customId: 'MJ::JOB::upsample::1::x' });
		expect(early.status).toBe(400);
		expect(early.json).toEqual({ code: 4, description: 'task_status_not_success', type: 'upstream_error' });
		const task = (await waitFor(id)).task;
		const unknown = await post(sandbox, '/mj/submit/action', { taskId: '1234', customId: task.buttons[0].customId });
		expect(unknown.status).toBe(400);
		expect(unknown.json.description).toBe('task_not_found');
		const foreign = await post(sandbox, '/mj/submit/action', { taskId: id, customId: 'MJ::JOB::upsample::1::another-hash' });
		expect(foreign.status).toBe(200);
		expect(foreign.json).toMatchObject({ code: 4, description: 'customId参数错误' });
		expect((await post(sandbox, '/mj/submit/action', { taskId: id })).json.description).toBe('custom_id_is_required');
		expect((await post(sandbox, '/mj/submit/imagine', { prompt: '  ' })).json).toEqual({ code: 4, description: 'prompt_is_required', type: 'upstream_error' });
		const missing = await get(sandbox, '/mj/task/999/fetch');
		expect(missing.status).toBe(400);
		expect(missing.json.description).toBe('task_no_found');
	});

	it('lists tasks by id, skipping unknown ones', async () => {
		const a = await submitted(await post(sandbox, '/mj/submit/imagine', { prompt: 'a' }));
		const b = await submitted(await post(sandbox, '/mj/submit/imagine', { prompt: 'b' }));
		const reply = await post(sandbox, '/mj/task/list-by-condition', { ids: [b, 'nope', a] });
		expect(reply.json.map((task: any) => [task.id, task.prompt])).toEqual([
			[b, 'b'],
			[a, 'a'],
		]);
	});

	it('routes the speed prefixes and a path prefix, takes the task length from a header, and needs the key', async () => {
		for (const prefix of ['/mj-relax', '/mj-fast', '/mj-turbo', '/openai', '/openai/mj-fast']) {
			const reply = await post(sandbox, `${prefix}/mj/submit/imagine`, { prompt: prefix });
			const task = (await get(sandbox, `${prefix}/mj/task/${reply.json.result}/fetch`)).json;
			expect(task.prompt).toBe(prefix);
		}
		const slow = await post(sandbox, '/mj/submit/imagine', { prompt: 'slow' }, { headers: { 'x-sandbox-task-ms': '60000' } });
		await new Promise((resolve) => setTimeout(resolve, 250));
		expect((await fetchTask(slow.json.result)).status).toBe('NOT_START');
		const instant = await post(sandbox, '/mj/submit/imagine', { prompt: 'instant' }, { headers: { 'x-sandbox-task-ms': '0' } });
		expect((await fetchTask(instant.json.result)).status).toBe('SUCCESS');
		const word = await post(sandbox, '/mj/submit/imagine', { prompt: 'a cup TASK_MS=0' });
		expect((await fetchTask(word.json.result)).status).toBe('SUCCESS');

		const denied = await call(sandbox, 'POST', '/mj/submit/imagine', { body: { prompt: 'x' }, auth: false });
		expect(denied.status).toBe(401);
		expect(denied.json.error.code).toBe('invalid_api_key');
		const secret = await call(sandbox, 'POST', '/mj/submit/imagine', { body: { prompt: 'x' }, auth: false, headers: { 'mj-api-secret': sandbox.apiKey } });
		expect(secret.json.code).toBe(1);
		expect(sandbox.requests.some((r) => r.path === '/mj-turbo/mj/submit/imagine')).toBe(true);
	});

	it('lets faults hit Midjourney routes: a slow poll, a 429 with Retry-After, a 23 then a success', async () => {
		const id = await submitted(await post(sandbox, '/mj/submit/imagine', { prompt: 'fault' }));
		sandbox.fault({ path: '/mj/task/{id}/fetch'.replace('{id}', id), latencyMs: 300 });
		const started = Date.now();
		expect((await fetchTask(id)).id).toBe(id);
		expect(Date.now() - started).toBeGreaterThanOrEqual(280);
		sandbox.fault({ path: /\/mj\/task\//, status: 429, headers: { 'retry-after': '1' } });
		const limited = await get(sandbox, `/mj-fast/mj/task/${id}/fetch`);
		expect(limited.status).toBe(429);
		expect(limited.headers['retry-after']).toBe('1');
		sandbox.fault({ path: '/mj/submit/imagine', status: 200, body: { code: 23, description: '队列已满，请稍后尝试', result: null } });
		expect((await post(sandbox, '/mj/submit/imagine', { prompt: 'x' })).json.code).toBe(23);
		expect((await post(sandbox, '/mj/submit/imagine', { prompt: 'x' })).json.code).toBe(1);
	});
});
