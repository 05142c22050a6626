import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DeerApiRelayApi } from '../../../credentials/DeerApiRelayApi.credentials';
import { DeerApiChat } from '../../../nodes/DeerApiChat/DeerApiChat.node';
import type { Sandbox } from '../../../sandbox';
import {
	createHarness,
	singleNodeWorkflow,
	type RunOptions,
	type WorkflowRunResult,
} from '../../../harness/workflow';

export const CHAT_TYPE = 'n8n-nodes-deerapi-relay.deerApiChat';
export const NODE = 'deerApiChat';

export const harness = createHarness({
	nodeTypes: { [CHAT_TYPE]: new DeerApiChat() },
	credentialTypes: [new DeerApiRelayApi()],
});

export function byId(model: string) {
	return { __rl: true, mode: 'id', value: model };
}

export function userMessage(content: string) {
	return { values: [{ role: 'user', content }] };
}

export interface ChatRun {
	parameters: IDataObject;
	input?: INodeExecutionData[];
	continueOnFail?: boolean;
	run?: Omit<RunOptions, 'credentials' | 'input'>;
	credentials?: IDataObject;
}

/** Runs Manual Trigger -> DeerAPI Chat against the sandbox. */
export async function runChat(sandbox: Sandbox, spec: ChatRun): Promise<WorkflowRunResult> {
	const workflow = singleNodeWorkflow({
		type: CHAT_TYPE,
		parameters: { model: byId('gpt-4o'), ...spec.parameters },
		continueOnFail: spec.continueOnFail,
	});
	return await harness.run(workflow, {
		credentials: {
			deerApiRelayApi: { apiKey: sandbox.apiKey, baseUrl: sandbox.url, authFormat: 'bearer', ...spec.credentials },
		},
		input: spec.input,
		...spec.run,
	});
}

/** The chat requests the sandbox received, in order. */
export function chatRequests(sandbox: Sandbox) {
	return sandbox.requests.filter((request) => request.path === '/v1/chat/completions');
}

export function lastChatBody(sandbox: Sandbox): IDataObject {
	const request = sandbox.lastRequest('/v1/chat/completions');
	if (!request) throw new Error('The sandbox received no chat request');
	return request.body as IDataObject;
}

/** The node's error (node-level, as the user sees it in the editor). */
export function nodeError(result: WorkflowRunResult) {
	const error = result.nodes[NODE]?.error as
		| (Error & { description?: string; httpCode?: string; context?: IDataObject })
		| undefined;
	if (!error) throw new Error(`The node did not fail (workflow status ${result.status})`);
	return error;
}
