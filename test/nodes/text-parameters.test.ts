/**
 * One rule for every text parameter of every node (nodes/shared/n8n/parameters.ts, textOf), run
 * as real workflows whose expression yields each kind of value: text as it is; a number or
 * boolean as its text; an object or array as JSON text; a date as its ISO text; null, undefined,
 * empty text or only spaces as no text, which fails a required parameter naming it and leaves an
 * optional one unsent.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DeerApiRelayApi } from '../../credentials/DeerApiRelayApi.credentials';
import { DeerApiAudio } from '../../nodes/DeerApiAudio/DeerApiAudio.node';
import { DeerApiChat } from '../../nodes/DeerApiChat/DeerApiChat.node';
import { DeerApiEmbeddings } from '../../nodes/DeerApiEmbeddings/DeerApiEmbeddings.node';
import { DeerApiImageEdit } from '../../nodes/DeerApiImageEdit/DeerApiImageEdit.node';
import { DeerApiImageGenerate } from '../../nodes/DeerApiImageGenerate/DeerApiImageGenerate.node';
import { DeerApiListModels } from '../../nodes/DeerApiListModels/DeerApiListModels.node';
import { encodeImage, startSandbox, type Sandbox } from '../../sandbox';
import { createHarness, singleNodeWorkflow, toBinaryData, type WorkflowRunResult } from '../../harness/workflow';

const PACKAGE = 'n8n-nodes-deerapi-relay';
const NODE = 'Node';
const harness = createHarness({
	nodeTypes: {
		[`${PACKAGE}.deerApiChat`]: new DeerApiChat(),
		[`${PACKAGE}.deerApiImageGenerate`]: new DeerApiImageGenerate(),
		[`${PACKAGE}.deerApiImageEdit`]: new DeerApiImageEdit(),
		[`${PACKAGE}.deerApiEmbeddings`]: new DeerApiEmbeddings(),
		[`${PACKAGE}.deerApiAudio`]: new DeerApiAudio(),
		[`${PACKAGE}.deerApiListModels`]: new DeerApiListModels(),
	},
	credentialTypes: [new DeerApiRelayApi()],
});

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.clearRequests());

const byId = (id: string) => ({ __rl: true, mode: 'id', value: id });
const FROM_ITEM = '={{ $json.value }}';

/** A value an expression yields, and the text the relay must receive for it. */
const TEXTS: Array<[string, { value?: unknown; expression?: string }, string]> = [
	['text', { value: 'a red kettle' }, 'a red kettle'],
	['an object', { value: { colour: 'red', size: 2 } }, '{"colour":"red","size":2}'],
	['an array', { value: ['red', 'blue'] }, '["red","blue"]'],
	['a number', { value: 42 }, '42'],
	['a boolean', { value: true }, 'true'],
	['a date', { expression: "={{ DateTime.fromISO('2025-01-02T03:04:05.000Z').toUTC() }}" }, '2025-01-02T03:04:05.000Z'],
];
/** Values that hold no text. */
const NOTHING: Array<[string, { value?: unknown }]> = [
	['null', { value: null }],
	['undefined', {}],
	['empty text', { value: '' }],
	['only spaces', { value: '   ' }],
];

async function recording(): Promise<Buffer> {
	const response = await fetch(`${sandbox.url}/v1/audio/speech`, {
		method: 'POST',
		headers: { authorization: `Bearer ${sandbox.apiKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'tts-1', input: 'Cheap tea today', voice: 'alloy' }),
	});
	return Buffer.from(await response.arrayBuffer());
}

interface TextParameter {
	/** `Node: parameter`, for test names. */
	name: string;
	type: string;
	/** The node's parameters with `expression` in the text parameter under test. */
	parameters(expression: string): IDataObject;
	/** The input item's binary data the node needs besides the text. */
	binary?(): Promise<INodeExecutionData['binary']>;
	/** The text the relay received, or undefined when it received none for this parameter. */
	sent(): unknown;
	/** Required: the error an item without text fails with. Optional: none (the field is not sent). */
	emptyError?: string;
}

const lastBody = (path: string) => sandbox.lastRequest(path)?.body as IDataObject;
const lastForm = (path: string) => sandbox.lastRequest(path)?.form?.fields ?? {};

const PARAMETERS: TextParameter[] = [
	{
		name: 'Chat: message content',
		type: 'deerApiChat',
		parameters: (expression) => ({ model: byId('gpt-4o'), messages: { values: [{ role: 'user', content: expression }] } }),
		sent: () => (lastBody('/v1/chat/completions').messages as IDataObject[])[0].content,
		emptyError: 'Messages: message 1 (user) is empty',
	},
	{
		name: 'Chat: System Message',
		type: 'deerApiChat',
		parameters: (expression) => ({ model: byId('gpt-4o'), systemMessage: expression, messages: { values: [{ role: 'user', content: 'Hi' }] } }),
		sent: () => (lastBody('/v1/chat/completions').messages as IDataObject[]).find((message) => message.role === 'system')?.content,
	},
	{
		name: 'Chat: Options > User',
		type: 'deerApiChat',
		parameters: (expression) => ({ model: byId('gpt-4o'), messages: { values: [{ role: 'user', content: 'Hi' }] }, options: { user: expression } }),
		sent: () => lastBody('/v1/chat/completions').user,
	},
	{
		name: 'Image Generate: Prompt',
		type: 'deerApiImageGenerate',
		parameters: (expression) => ({ model: byId('gpt-image-1'), prompt: expression }),
		sent: () => lastBody('/v1/images/generations').prompt,
		emptyError: 'Prompt: is empty',
	},
	{
		name: 'Image Edit: Prompt',
		type: 'deerApiImageEdit',
		parameters: (expression) => ({ model: byId('gpt-image-1'), prompt: expression }),
		binary: async () => ({ data: await toBinaryData(encodeImage('png', { width: 64, height: 48, rgb: [200, 120, 40] }), 'photo.png', 'image/png') }),
		sent: () => lastForm('/v1/images/edits').prompt?.[0],
		emptyError: 'Prompt: is empty',
	},
	{
		name: 'Embeddings: Text',
		type: 'deerApiEmbeddings',
		parameters: (expression) => ({ model: byId('text-embedding-3-small'), text: expression }),
		sent: () => (lastBody('/v1/embeddings').input as string[])[0],
		emptyError: 'Text: is empty',
	},
	{
		name: 'Audio, Text to Speech: Text',
		type: 'deerApiAudio',
		parameters: (expression) => ({ operation: 'textToSpeech', model: byId('tts-1'), input: expression }),
		sent: () => lastBody('/v1/audio/speech').input,
		emptyError: 'Text: is empty',
	},
	{
		name: 'Audio, Transcribe: Options > Prompt',
		type: 'deerApiAudio',
		parameters: (expression) => ({ operation: 'transcribe', model: byId('whisper-1'), options: { prompt: expression } }),
		binary: async () => ({ data: await toBinaryData(await recording(), 'tea.mp3', 'audio/mpeg') }),
		sent: () => lastForm('/v1/audio/transcriptions').prompt?.[0],
	},
];

async function run(parameter: TextParameter, value: { value?: unknown; expression?: string }): Promise<WorkflowRunResult> {
	const json: IDataObject = 'value' in value ? { value: value.value as IDataObject[string] } : {};
	const workflow = singleNodeWorkflow({
		type: `${PACKAGE}.${parameter.type}`,
		name: NODE,
		parameters: parameter.parameters(value.expression ?? FROM_ITEM),
	});
	return await harness.run(workflow, {
		credentials: { deerApiRelayApi: { apiKey: sandbox.apiKey, baseUrl: sandbox.url, authFormat: 'bearer' } },
		input: [{ json, binary: await parameter.binary?.() }],
	});
}

describe.each(PARAMETERS.map((parameter) => [parameter.name, parameter] as const))('%s', (_name, parameter) => {
	test.each(TEXTS)('%s is sent as text', async (_label, value, expected) => {
		const result = await run(parameter, value);
		expect(result.nodes[NODE]?.error?.message).toBeUndefined();
		expect(result.status).toBe('success');
		expect(parameter.sent()).toBe(expected);
	});

	test.each(NOTHING)(
		parameter.emptyError ? `%s fails the item before anything is sent: "${parameter.emptyError}"` : '%s leaves it out of the request',
		async (_label, value) => {
			const result = await run(parameter, value);
			if (parameter.emptyError) {
				expect(result.status).toBe('error');
				expect(result.error!.message).toBe(parameter.emptyError);
				expect(sandbox.requests.filter((request) => request.path.startsWith('/v1/'))).toHaveLength(0);
			} else {
				expect(result.nodes[NODE]?.error?.message).toBeUndefined();
				expect(parameter.sent()).toBeUndefined();
			}
		},
	);
});

describe('List Models: Filters > Search', () => {
	const ids = (result: WorkflowRunResult) => result.json(NODE).map((item) => String(item.id));
	const search = async (value: { value?: unknown }) => {
		const workflow = singleNodeWorkflow({
			type: `${PACKAGE}.deerApiListModels`,
			name: NODE,
			parameters: { returnAll: true, filters: { search: FROM_ITEM } },
		});
		return await harness.run(workflow, {
			credentials: { deerApiRelayApi: { apiKey: sandbox.apiKey, baseUrl: sandbox.url, authFormat: 'bearer' } },
			input: [{ json: 'value' in value ? { value: value.value as IDataObject[string] } : {} }],
		});
	};

	test('a number searches for its text', async () => {
		const found = ids(await search({ value: 4 }));
		expect(found.length).toBeGreaterThan(3);
		expect(found.every((id) => id.includes('4'))).toBe(true);
	});

	test.each(NOTHING)('%s filters nothing out', async (_label, value) => {
		const all = ids(await search({ value: '' }));
		expect(ids(await search(value))).toEqual(all);
		expect(all.length).toBeGreaterThan(20);
	});
});
