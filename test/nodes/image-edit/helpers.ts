import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DeerApiRelayApi } from '../../../credentials/DeerApiRelayApi.credentials';
import { DeerApiImageEdit } from '../../../nodes/DeerApiImageEdit/DeerApiImageEdit.node';
import { encodeImage, type Sandbox } from '../../../sandbox';
import { createHarness, singleNodeWorkflow, toBinaryData, type WorkflowRunResult } from '../../../harness/workflow';
import { API_KEY } from '../image-generate/helpers';

export { API_KEY, everythingVisible, fileRequests, model, useSandbox } from '../image-generate/helpers';

export const NODE_TYPE = 'n8n-nodes-deerapi-relay.deerApiImageEdit';
export const NODE_NAME = 'Edit';
export const EDITS = '/v1/images/edits';

const harness = createHarness({
	nodeTypes: { [NODE_TYPE]: new DeerApiImageEdit() },
	credentialTypes: [new DeerApiRelayApi()],
});

export async function runEdit(
	sandbox: Sandbox,
	parameters: IDataObject,
	options: { input?: INodeExecutionData[]; continueOnFail?: boolean } = {},
): Promise<WorkflowRunResult> {
	const workflow = singleNodeWorkflow({
		type: NODE_TYPE,
		name: NODE_NAME,
		parameters: { prompt: 'Place it on a beach at sunset', ...parameters },
		continueOnFail: options.continueOnFail,
	});
	return await harness.run(workflow, {
		credentials: { deerApiRelayApi: { apiKey: API_KEY, baseUrl: sandbox.url, authFormat: 'bearer' } },
		input: options.input,
	});
}

/** A product photo: an opaque PNG. */
export function photo(width = 64, height = 48, rgb: [number, number, number] = [200, 120, 40]): Buffer {
	return encodeImage('png', { width, height, rgb });
}

/** An edit mask: fully transparent RGBA PNG. */
export function mask(width = 64, height = 48): Buffer {
	return encodeImage('png', { width, height, rgb: [0, 0, 0], alpha: 0 });
}

/** One input item with these binary fields (name -> [bytes, file name, declared MIME type]). */
export async function binaryItem(files: Record<string, [Buffer, string, string?]>): Promise<INodeExecutionData> {
	const binary: INodeExecutionData['binary'] = {};
	for (const [name, [bytes, fileName, mimeType]] of Object.entries(files)) {
		binary[name] = await toBinaryData(bytes, fileName, mimeType ?? 'image/png');
	}
	return { json: {}, binary };
}

/** What the sandbox answers to this form when asked directly (edits are deterministic). */
export async function directEdit(
	sandbox: Sandbox,
	fields: Record<string, string>,
	images: Buffer[],
): Promise<Array<{ b64_json: string; url: string }>> {
	const form = new FormData();
	for (const [name, value] of Object.entries(fields)) form.append(name, value);
	for (const image of images) form.append(images.length > 1 ? 'image[]' : 'image', new Blob([image], { type: 'image/png' }), 'x.png');
	const response = await fetch(`${sandbox.url}${EDITS}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${API_KEY}` },
		body: form,
	});
	return ((await response.json()) as { data: Array<{ b64_json: string; url: string }> }).data;
}

export function editRequests(sandbox: Sandbox) {
	return sandbox.requests.filter((request) => request.path === EDITS);
}
