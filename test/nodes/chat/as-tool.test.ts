/**
 * DeerAPI Chat as a tool of an AI Agent does not talk to the end user: in a streaming workflow
 * (Chat Trigger, Webhook answering "Streaming") only the node on the main path passes its text on.
 *
 * n8n's Agent (v3) has the workflow engine run a tool with the same execute() and a plain execute
 * context, the node being the `deerApiChatTool` variant n8n makes of a `usableAsTool` node: the
 * harness runs the node under that type the same way (the Agent itself is not in n8n-core).
 */
import type { StructuredChunk } from 'n8n-workflow';

import { DeerApiRelayApi } from '../../../credentials/DeerApiRelayApi.credentials';
import { DeerApiChat } from '../../../nodes/DeerApiChat/DeerApiChat.node';
import { startSandbox, type Sandbox } from '../../../sandbox';
import { createHarness, singleNodeWorkflow } from '../../../harness/workflow';
import { byId, CHAT_TYPE, userMessage } from './helpers';

const TOOL_TYPE = `${CHAT_TYPE}Tool`;
const harness = createHarness({
	nodeTypes: { [CHAT_TYPE]: new DeerApiChat(), [TOOL_TYPE]: new DeerApiChat() },
	credentialTypes: [new DeerApiRelayApi()],
});

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

async function runStreaming(type: string) {
	const received: StructuredChunk[] = [];
	const result = await harness.run(
		singleNodeWorkflow({ type, parameters: { model: byId('gpt-4o-mini'), messages: userMessage('What is the capital of France?') } }),
		{
			credentials: { deerApiRelayApi: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } },
			streaming: (chunk) => void received.push(chunk as StructuredChunk),
		},
	);
	return { result, received };
}

it('run as a tool, it answers with its item and sends nothing into the workflow\'s stream', async () => {
	const { result, received } = await runStreaming(TOOL_TYPE);
	expect(result.status).toBe('success');
	expect(result.json('deerApiChatTool')[0].content).toBe('Sandbox reply to: What is the capital of France?');
	expect(received).toEqual([]);
	expect(result.chunks).toEqual([]);
	// Streamed from the relay all the same.
	expect(sandbox.lastRequest('/v1/chat/completions')!.body.stream).toBe(true);
});

it('on the main path, the same node still streams its answer to the caller', async () => {
	const { result, received } = await runStreaming(CHAT_TYPE);
	expect(received.map((chunk) => chunk.type)).toEqual(expect.arrayContaining(['begin', 'item', 'end']));
	expect(
		received
			.filter((chunk) => chunk.type === 'item')
			.map((chunk) => chunk.content)
			.join(''),
	).toBe(result.json('deerApiChat')[0].content);
});
