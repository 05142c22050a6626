/**
 * A caller behind a streaming Webhook or Chat Trigger reads a failed node's error from the error
 * chunk n8n sends it, built from the error's description alone (n8n-core's
 * handleNodeExecutionError). So in a streaming run the description starts with the relay's
 * message, for Chat, the Chat Model and the other nodes; outside one it does not repeat it. And
 * the model picker, which n8n shows as "<status> - <message>", does not say the status twice.
 */
import type { IDataObject } from 'n8n-workflow';

import { openPicker } from '../n8n/picker-context';
import { singleNodeWorkflow, type WorkflowRunResult } from '../../harness/workflow';
import { failure } from '../transport/loopback';
import { probeWorkflow } from './chat-model/model-probe';
import { NODE_TYPES as TYPES, useEveryNode } from './every-node';
import { ENGINE_MAJOR } from '../support/engine';

const { ctx, harness, credential } = useEveryNode();

const CHAT = '/v1/chat/completions';
const REASON = 'Missing `reasoning_content` field in the assistant message at message index 2';
const byId = (value: string) => ({ __rl: true, mode: 'id', value });
const chatParameters = (options: IDataObject = {}) => ({ model: byId('deepseek-reasoner'), messages: { values: [{ content: 'hi' }] }, options: { maxRetries: 0, ...options } });
const rejectWithReason = () =>
	ctx.sandbox.fault({ path: CHAT, status: 400, body: { error: { message: REASON, type: 'invalid_request_error', param: 'messages' } } });

async function run(type: string, parameters: IDataObject, options: { streaming: boolean; continueOnFail?: boolean; apiKey?: string }): Promise<WorkflowRunResult> {
	return await harness.run(singleNodeWorkflow({ type, name: 'Node', parameters, continueOnFail: options.continueOnFail }), {
		credentials: { deerApiRelayApi: credential(options.apiKey) },
		...(options.streaming ? { streaming: () => undefined } : {}),
	});
}

/** What the streaming caller read as the error. */
function errorChunks(result: WorkflowRunResult): string[] {
	return result.chunks.filter((chunk) => chunk.type === 'error').map((chunk) => String(chunk.content));
}

describe('Chat behind a streaming trigger', () => {
	it('a 400 with a reason: the caller reads the relay\'s reason, then the hint', async () => {
		rejectWithReason();
		const result = await run(TYPES.chat, chatParameters(), { streaming: true });
		expect(result.status).toBe('error');
		const description = `400 Bad Request: ${REASON}. The relay rejected the "messages" parameter: some models accept fewer options than others.`;
		expect((result.error as { description?: string }).description).toMatch(new RegExp(`^${description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} Request ID: \\w+`));
		expect(errorChunks(result)).toEqual([expect.stringContaining(`400 Bad Request: ${REASON}.`)]);
	});

	it('a wrong key: the caller reads the relay\'s 401 message', async () => {
		const result = await run(TYPES.chat, chatParameters(), { streaming: true, apiKey: 'sk-wrong-key-for-the-stream-0000' });
		expect(errorChunks(result)).toEqual([expect.stringMatching(/^401 Unauthorized: 无效的令牌 \(request id: \w+\)\. Check the API key in the DeerAPI credential\./)]);
	});

	it('Stream off, the answer still due in one piece: the same', async () => {
		rejectWithReason();
		const result = await run(TYPES.chat, chatParameters({ stream: false }), { streaming: true });
		expect(errorChunks(result)).toEqual([expect.stringContaining(`400 Bad Request: ${REASON}.`)]);
	});

	it('under Continue On Fail: the error chunk the node sends itself carries the same text as its error item', async () => {
		rejectWithReason();
		const result = await run(TYPES.chat, chatParameters(), { streaming: true, continueOnFail: true });
		const [item] = result.json('Node');
		expect(item.description).toEqual(expect.stringContaining(`400 Bad Request: ${REASON}.`));
		expect(errorChunks(result)).toEqual([item.description]);
	});

	it('outside a streaming run the description does not repeat the message', async () => {
		rejectWithReason();
		const result = await run(TYPES.chat, chatParameters(), { streaming: false });
		expect((result.error as { description?: string }).description).toMatch(/^The relay rejected the "messages" parameter/);
	});
});

it('Image Generate behind a streaming trigger: the caller reads the relay\'s message too', async () => {
	const result = await run(TYPES.image, { model: byId('gpt-image-1'), prompt: 'a deer', options: { maxRetries: 0 } }, { streaming: true, apiKey: 'sk-wrong-key-for-the-stream-0000' });
	expect(errorChunks(result)).toEqual([expect.stringMatching(/^401 Unauthorized: 无效的令牌 \(request id: \w+\)\. Check the API key/)]);
});

// n8n 1.x has no AI node SDK, so a real 1.x never runs the Chat Model (the e2e tier proves it fails
// naming 2.16 first), and its supply-data context has no isStreaming: the case exists on 2.x only.
(ENGINE_MAJOR >= 2 ? it : it.skip)('the Chat Model behind a streaming trigger: the caller reads the relay\'s reason', async () => {
	rejectWithReason();
	const result = await harness.run(probeWorkflow({ options: { maxRetries: 0 } }, { prompt: 'hi' }), {
		credentials: { deerApiRelayApi: credential() },
		streaming: () => undefined,
	});
	expect(result.status).toBe('error');
	expect(errorChunks(result)).toEqual([expect.stringContaining(`400 Bad Request: ${REASON}.`)]);
});

it('the model picker says the status once: n8n shows "401 - Unauthorized: …"', async () => {
	const error = (await failure(openPicker('searchModels', credential('sk-wrong-key-for-the-picker-0000')).ids())) as Error & {
		httpCode?: string;
		description?: string;
	};
	expect(error.httpCode).toBe('401');
	expect(error.message).toMatch(/^Unauthorized: 无效的令牌 \(request id: \w+\)$/);
	expect(error.description).toMatch(/^Check the API key in the DeerAPI credential\./);
});
