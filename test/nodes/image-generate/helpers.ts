import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DeerApiRelayApi } from '../../../credentials/DeerApiRelayApi.credentials';
import { DeerApiImageGenerate } from '../../../nodes/DeerApiImageGenerate/DeerApiImageGenerate.node';
import { startSandbox, type Sandbox } from '../../../sandbox';
import {
	createHarness,
	singleNodeWorkflow,
	type RunOptions,
	type WorkflowRunResult,
} from '../../../harness/workflow';

export const NODE_TYPE = 'n8n-nodes-deerapi-relay.deerApiImageGenerate';
export const NODE_NAME = 'Image';
/** Distinctive, so a leak into any output, error or log line is found by a plain search. */
export const API_KEY = 'sk-image-node-test-5f1c0de';

export interface ImageNodeRun {
	result: WorkflowRunResult;
	sandbox: Sandbox;
}

export function useSandbox(options: { imageBytes?: number } = {}) {
	const context: { sandbox: Sandbox } = {} as { sandbox: Sandbox };
	beforeAll(async () => {
		context.sandbox = await startSandbox({ apiKey: API_KEY, ...options });
	});
	afterAll(async () => {
		await context.sandbox.close();
	});
	beforeEach(() => {
		context.sandbox.clearRequests();
		context.sandbox.clearFaults();
	});
	return context;
}

const harness = createHarness({
	nodeTypes: { [NODE_TYPE]: new DeerApiImageGenerate() },
	credentialTypes: [new DeerApiRelayApi()],
});

export async function runNode(
	sandbox: Sandbox,
	parameters: IDataObject,
	options: { input?: INodeExecutionData[]; continueOnFail?: boolean; run?: RunOptions } = {},
): Promise<WorkflowRunResult> {
	const workflow = singleNodeWorkflow({
		type: NODE_TYPE,
		name: NODE_NAME,
		parameters: { prompt: 'A red poster', ...parameters },
		continueOnFail: options.continueOnFail,
	});
	return await harness.run(workflow, {
		credentials: { deerApiRelayApi: { apiKey: API_KEY, baseUrl: sandbox.url, authFormat: 'bearer' } },
		input: options.input,
		...options.run,
	});
}

/** The model parameter as the editor stores a "By ID" choice. */
export function model(id: string): IDataObject {
	return { __rl: true, mode: 'id', value: id };
}

/** What the sandbox answers to this body when asked directly (generation is deterministic). */
export async function directImages(sandbox: Sandbox, body: unknown): Promise<Array<{ b64_json: string; url: string }>> {
	const response = await fetch(`${sandbox.url}/v1/images/generations`, {
		method: 'POST',
		headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const json = (await response.json()) as { data: Array<{ b64_json: string; url: string }> };
	return json.data;
}

export async function directDownload(url: string): Promise<Buffer> {
	const response = await fetch(url);
	if (!response.ok) throw new Error(`${url}: ${response.status}`);
	return Buffer.from(await response.arrayBuffer());
}

/** Output json, binary metadata, node error and logs of a run, as one string to search for the key. */
export function everythingVisible(result: WorkflowRunResult): string {
	const nodes = Object.values(result.nodes).map((run) => ({
		items: run.items,
		error: run.error && { message: run.error.message, description: (run.error as { description?: string }).description },
	}));
	return JSON.stringify(nodes) + String(result.error?.message) + result.logText();
}

export function fileRequests(sandbox: Sandbox) {
	return sandbox.requests.filter((request) => request.path.startsWith('/files/'));
}

export function apiRequests(sandbox: Sandbox, path: string) {
	return sandbox.requests.filter((request) => request.path === path);
}
