/**
 * DeerAPI Chat Model as n8n runs it: a real workflow (Manual Trigger -> Model Probe, with the
 * Chat Model on the probe's Model input) through n8n-core, so supplyData, the credential, the
 * execution's id and cancel signal, and the SDK's LangChain bridge are n8n's own.
 */
import type { IDataObject } from 'n8n-workflow';

import { DeerApiRelayApi } from '../../../credentials/DeerApiRelayApi.credentials';
import { DeerApiChatModel } from '../../../nodes/DeerApiChatModel/DeerApiChatModel.node';
import { startSandbox, type Sandbox } from '../../../sandbox';
import { createHarness } from '../../../harness/workflow';
import { chatBodies } from './helpers';
import { CHAT_MODEL_TYPE, MODEL_PROBE_TYPE, ModelProbe, probeWorkflow } from './model-probe';

const MODEL = 'DeerAPI Chat Model';
const PROBE = 'Model Probe';

const harness = createHarness({
	nodeTypes: { [CHAT_MODEL_TYPE]: new DeerApiChatModel(), [MODEL_PROBE_TYPE]: new ModelProbe() },
	credentialTypes: [new DeerApiRelayApi()],
});

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
	sandbox.clearRequests();
	sandbox.clearFaults();
});

async function run(model: IDataObject, probe: IDataObject, options: { signal?: AbortSignal } = {}) {
	return await harness.run(probeWorkflow(model, probe), {
		credentials: { deerApiRelayApi: { apiKey: sandbox.apiKey, baseUrl: `${sandbox.url}/v1/`, authFormat: 'bearer' } },
		...options,
	});
}

it('supplies a model that answers through the relay, with the node\'s options in the request', async () => {
	const result = await run(
		{
			model: { __rl: true, mode: 'list', value: 'deepseek-chat', cachedResultName: 'deepseek-chat' },
			options: { maxTokens: 200, temperature: 0.4, extraBody: '{"enable_search": true}' },
		},
		{ prompt: 'Hello there' },
	);
	expect(result.status).toBe('success');
	const [answer] = result.json(PROBE);
	expect(answer.text).toBe('Sandbox reply to: Hello there');
	expect(answer.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) });
	expect(chatBodies(sandbox)).toEqual([
		{
			model: 'deepseek-chat',
			messages: [{ role: 'user', content: 'Hello there' }],
			max_tokens: 200,
			temperature: 0.4,
			enable_search: true,
			stream: true,
			stream_options: { include_usage: true },
		},
	]);
	expect(result.logText()).not.toContain(sandbox.apiKey);
});

it('a thinking model with a calculator: two tool turns, the reasoning of each sent back with its calls', async () => {
	const result = await run(
		{ model: { __rl: true, mode: 'id', value: 'deepseek-reasoner' } },
		{ prompt: 'What is 6 * 7, and what is 12 + 30?', calculator: true, rebuild: true },
	);
	expect(result.status).toBe('success');
	const [answer] = result.json(PROBE);
	expect(answer).toMatchObject({
		text: 'Sandbox reply to tool result: 42; 42',
		turns: 3,
		toolCalls: [
			{ name: 'calculator', args: { input: '6 * 7' }, result: '42' },
			{ name: 'calculator', args: { input: '12 + 30' }, result: '42' },
		],
	});
	const bodies = chatBodies(sandbox);
	expect(bodies).toHaveLength(3);
	expect(bodies[0].tools).toEqual([
		{
			type: 'function',
			function: {
				name: 'calculator',
				description: 'Useful for getting the result of a math expression.',
				parameters: { type: 'object', properties: { input: { type: 'string' } }, additionalProperties: false },
			},
		},
	]);
	const assistant = bodies[2].messages.filter((message: IDataObject) => message.role === 'assistant');
	expect(assistant.map((message: IDataObject) => message.reasoning_content)).toEqual([
		expect.stringMatching(/^Thinking about: What is 6 \* 7, and what is 12 \+ 30\? \(calculator for 6 \* 7, call_\d+\)$/),
		expect.stringMatching(/\(calculator for 12 \+ 30, call_\d+\)$/),
	]);
});

it('a relay error fails the run with the relay\'s message and request id', async () => {
	const result = await run({ model: { __rl: true, mode: 'id', value: 'unavailable-gpt' } }, { prompt: 'hi' });
	expect(result.status).toBe('error');
	expect(result.error?.message).toMatch(/无可用渠道 \(request id: \w+\)/);
	expect(JSON.stringify(result.error)).not.toContain(sandbox.apiKey);
});

it.each([
	[{ model: { __rl: true, mode: 'id', value: ' ' } }, 'Model: no model is selected'],
	[{ options: { extraBody: '[1]' } }, 'Extra Body Fields: must be a JSON object, got an array'],
	[{ options: { extraBody: '{"a":' } }, 'Extra Body Fields: not valid JSON'],
])('refuses bad parameters before sending: %j', async (model, message) => {
	const result = await run(model, { prompt: 'hi' });
	expect(result.status).toBe('error');
	// n8n's way for sub-nodes: the root node fails "in sub-node", with the sub-node's message.
	expect(result.error?.message).toBe(`Error in sub-node ${MODEL}`);
	expect((result.error as { description?: string }).description).toContain(message);
	expect(chatBodies(sandbox)).toEqual([]);
});

it('stopping the execution aborts the request in flight', async () => {
	sandbox.fault({ path: '/v1/chat/completions', latencyMs: 10_000 });
	const controller = new AbortController();
	const started = Date.now();
	setTimeout(() => controller.abort(), 300);
	const result = await run({}, { prompt: 'hi' }, { signal: controller.signal });
	expect(result.status).toBe('canceled');
	expect(Date.now() - started).toBeLessThan(5000);
});

describe('on an n8n without the AI node SDK (before 2.16)', () => {
	afterEach(() => jest.dontMock('@n8n/ai-node-sdk'));

	it('the node still loads, and running it fails naming the n8n version it needs', async () => {
		let Missing: typeof DeerApiChatModel | undefined;
		jest.isolateModules(() => {
			jest.doMock('@n8n/ai-node-sdk', () => {
				throw Object.assign(new Error("Cannot find module '@n8n/ai-node-sdk'"), { code: 'MODULE_NOT_FOUND' });
			});
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			Missing = (require('../../../nodes/DeerApiChatModel/DeerApiChatModel.node') as { DeerApiChatModel: typeof DeerApiChatModel })
				.DeerApiChatModel;
		});
		const oldN8n = createHarness({
			nodeTypes: { [CHAT_MODEL_TYPE]: new Missing!(), [MODEL_PROBE_TYPE]: new ModelProbe() },
			credentialTypes: [new DeerApiRelayApi()],
		});
		const result = await oldN8n.run(probeWorkflow({}, { prompt: 'hi' }), {
			credentials: { deerApiRelayApi: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } },
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(`Error in sub-node ${MODEL}`);
		expect((result.error as { description?: string }).description).toBe(
			"The DeerAPI Chat Model needs n8n 2.16 or newer: it is built on n8n's AI node SDK (@n8n/ai-node-sdk), which this n8n does not have",
		);
		expect(chatBodies(sandbox)).toEqual([]);
	});
});
