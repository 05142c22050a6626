import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DeerApiRelayApi } from '../../../credentials/DeerApiRelayApi.credentials';
import { DeerApiMidjourney } from '../../../nodes/DeerApiMidjourney/DeerApiMidjourney.node';
import { encodeImage, startSandbox, type RecordedRequest, type Sandbox } from '../../../sandbox';
import { createHarness, singleNodeWorkflow, toBinaryData, type RunOptions, type WorkflowRunResult } from '../../../harness/workflow';

export { everythingVisible } from '../image-generate/helpers';

export const NODE_TYPE = 'n8n-nodes-deerapi-relay.deerApiMidjourney';
export const NODE_NAME = 'Midjourney';
/** Distinctive, so a leak into any output, error or log line is found by a plain search. */
export const API_KEY = 'sk-midjourney-node-test-77aa1';
/** How long a sandbox task takes in these tests. */
export const TASK_MS = 200;

export function useSandbox() {
	const context = {} as { sandbox: Sandbox };
	beforeAll(async () => {
		context.sandbox = await startSandbox({ apiKey: API_KEY, midjourneyTaskMs: TASK_MS });
	});
	afterAll(async () => await context.sandbox.close());
	beforeEach(() => {
		context.sandbox.clearRequests();
		context.sandbox.clearFaults();
		context.sandbox.setMidjourneyTaskMs(TASK_MS);
	});
	return context;
}

const harness = createHarness({
	nodeTypes: { [NODE_TYPE]: new DeerApiMidjourney() },
	credentialTypes: [new DeerApiRelayApi()],
});

/** Polls every 50 ms: the sandbox's tasks take 200 ms. */
export const FAST_WAIT = { pollIntervalSeconds: 0.05, maxWaitMinutes: 1 };

export async function runMidjourney(
	sandbox: Sandbox,
	parameters: IDataObject,
	options: { input?: INodeExecutionData[]; continueOnFail?: boolean; run?: RunOptions } = {},
): Promise<WorkflowRunResult> {
	const workflow = singleNodeWorkflow({
		type: NODE_TYPE,
		name: NODE_NAME,
		parameters: { ...FAST_WAIT, ...parameters },
		continueOnFail: options.continueOnFail,
	});
	return await harness.run(workflow, {
		credentials: { deerApiRelayApi: { apiKey: API_KEY, baseUrl: sandbox.url, authFormat: 'bearer' } },
		input: options.input,
		...options.run,
	});
}

/** The json of the node's output items; fails with the node's error when it failed. */
export function outputJson(result: WorkflowRunResult): IDataObject[] {
	return result.output(NODE_NAME).map((item) => item.json);
}

export function png(width = 64, height = 48, rgb: [number, number, number] = [200, 120, 40]): Buffer {
	return encodeImage('png', { width, height, rgb });
}

/** One input item with these binary fields (name -> [bytes, file name, declared MIME type]). */
export async function binaryItem(files: Record<string, [Buffer, string, string?]>, json: IDataObject = {}): Promise<INodeExecutionData> {
	const binary: INodeExecutionData['binary'] = {};
	for (const [name, [bytes, fileName, mimeType]] of Object.entries(files)) {
		binary[name] = await toBinaryData(bytes, fileName, mimeType ?? 'image/png');
	}
	return { json, binary };
}

export function submits(sandbox: Sandbox, route?: string): RecordedRequest[] {
	return sandbox.requests.filter((request) => /\/mj\/submit\//.test(request.path) && (!route || request.path.endsWith(`/mj/submit/${route}`)));
}

export function polls(sandbox: Sandbox, id?: string): RecordedRequest[] {
	return sandbox.requests.filter((request) => request.method === 'GET' && (id ? request.path === `/mj/task/${id}/fetch` : /\/mj\/task\/.+\/fetch$/.test(request.path)));
}

/** An image task that already finished, made straight at the sandbox: its fetched task. */
export async function finishedTask(sandbox: Sandbox, route: string, body: unknown): Promise<any> {
	const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', 'x-sandbox-task-ms': '0' };
	const submitted = (await (await fetch(`${sandbox.url}/mj/submit/${route}`, { method: 'POST', headers, body: JSON.stringify(body) })).json()) as { result: string };
	return await fetchTask(sandbox, submitted.result);
}

export async function fetchTask(sandbox: Sandbox, id: string): Promise<any> {
	return await (await fetch(`${sandbox.url}/mj/task/${id}/fetch`, { headers: { authorization: `Bearer ${API_KEY}` } })).json();
}
