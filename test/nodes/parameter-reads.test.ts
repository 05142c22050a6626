/**
 * Every node runs through the one runner, which reads a parameter without an expression once per
 * run and one with an expression once per item: in real n8n each read copies, cleans and
 * validates the parameter (and evaluates its expressions in an isolate). Each node is run as a
 * real workflow against the sandbox with one item and with three, its reads that reach n8n
 * counted.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

import { DeerApiRelayApi } from '../../credentials/DeerApiRelayApi.credentials';
import { DeerApiAudio } from '../../nodes/DeerApiAudio/DeerApiAudio.node';
import { DeerApiChat } from '../../nodes/DeerApiChat/DeerApiChat.node';
import { DeerApiEmbeddings } from '../../nodes/DeerApiEmbeddings/DeerApiEmbeddings.node';
import { DeerApiImageEdit } from '../../nodes/DeerApiImageEdit/DeerApiImageEdit.node';
import { DeerApiImageGenerate } from '../../nodes/DeerApiImageGenerate/DeerApiImageGenerate.node';
import { DeerApiListModels } from '../../nodes/DeerApiListModels/DeerApiListModels.node';
import { encodeImage, startSandbox, type Sandbox } from '../../sandbox';
import { createHarness, singleNodeWorkflow, toBinaryData } from '../../harness/workflow';
import { countParameterReads, type ParameterReads } from './parameter-reads';

const API_KEY = 'sk-parameter-reads-7d2e';
let reads: ParameterReads = countParameterReads();

/** The node, its runs reading through the current counter. */
function counted(node: INodeType): INodeType {
	return {
		description: node.description,
		methods: node.methods,
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			return (await node.execute!.call(reads.count(this))) as INodeExecutionData[][];
		},
	};
}

const NODES = {
	chat: new DeerApiChat(),
	imageGenerate: new DeerApiImageGenerate(),
	imageEdit: new DeerApiImageEdit(),
	embeddings: new DeerApiEmbeddings(),
	audio: new DeerApiAudio(),
	listModels: new DeerApiListModels(),
};
type NodeKey = keyof typeof NODES;
const typeOf = (key: NodeKey) => `test.${key}`;

const harness = createHarness({
	nodeTypes: Object.fromEntries(Object.entries(NODES).map(([key, node]) => [typeOf(key as NodeKey), counted(node)])),
	credentialTypes: [new DeerApiRelayApi()],
});

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ apiKey: API_KEY });
});
afterAll(async () => {
	await sandbox.close();
});

const byId = (value: string) => ({ __rl: true, mode: 'id', value });

async function speech(text: string): Promise<Buffer> {
	const response = await fetch(`${sandbox.url}/v1/audio/speech`, {
		method: 'POST',
		headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'tts-1', input: text, voice: 'alloy', response_format: 'wav' }),
	});
	return Buffer.from(await response.arrayBuffer());
}

interface Case {
	node: NodeKey;
	parameters: IDataObject;
	/** A parameter given an expression in the second part, and its value with it. */
	perItem: [name: string, parameters: IDataObject];
	item?: () => Promise<INodeExecutionData>;
}

const CASES: Record<string, Case> = {
	Chat: {
		node: 'chat',
		parameters: { model: byId('gpt-4o'), messages: { values: [{ role: 'user', content: 'hi' }] }, options: { temperature: 0.2 } },
		perItem: ['systemMessage', { systemMessage: '={{ "Answer " + $json.tone }}' }],
	},
	'Image Generate': {
		node: 'imageGenerate',
		parameters: { prompt: 'A red poster', options: { quality: 'low' } },
		perItem: ['prompt', { prompt: '={{ "A poster, " + $json.tone }}' }],
	},
	'Image Edit': {
		node: 'imageEdit',
		parameters: { prompt: 'Place it on a beach', options: { quality: 'low' } },
		perItem: ['prompt', { prompt: '={{ "Place it on a beach, " + $json.tone }}' }],
		item: async () => ({ json: { tone: 'calm' }, binary: { data: await toBinaryData(encodeImage('png', { width: 8, height: 8, rgb: [1, 2, 3] }), 'a.png', 'image/png') } }),
	},
	Embeddings: {
		node: 'embeddings',
		parameters: { text: 'The blue kettle', options: { dimensions: 8 } },
		perItem: ['text', { text: '={{ "The kettle is " + $json.tone }}' }],
	},
	'Audio, Text to Speech': {
		node: 'audio',
		parameters: { operation: 'textToSpeech', input: 'Hello', options: { speed: 1.5 } },
		perItem: ['input', { input: '={{ "Hello, " + $json.tone }}' }],
	},
	'Audio, Transcribe': {
		node: 'audio',
		parameters: { operation: 'transcribe', options: { language: 'en' } },
		perItem: ['binaryPropertyName', { binaryPropertyName: '={{ $json.field }}' }],
		item: async () => ({ json: { tone: 'calm', field: 'data' }, binary: { data: await toBinaryData(await speech('Fine'), 'a.wav', 'audio/wav') } }),
	},
	'List Models': {
		node: 'listModels',
		parameters: { returnAll: true, filters: { search: 'gpt' } },
		perItem: ['filters', { filters: { search: '={{ $json.tone }}' } }],
	},
};

async function countedRun(spec: Case, parameters: IDataObject, itemCount: number): Promise<Record<string, number>> {
	reads = countParameterReads();
	const item = (await spec.item?.()) ?? { json: { tone: 'calm' } };
	const result = await harness.run(singleNodeWorkflow({ type: typeOf(spec.node), parameters }), {
		credentials: { deerApiRelayApi: { apiKey: API_KEY, baseUrl: sandbox.url, authFormat: 'bearer' } },
		input: Array.from({ length: itemCount }, () => item),
	});
	expect(result.nodes[typeOf(spec.node).slice(5)]?.error).toBeUndefined();
	expect(result.status).toBe('success');
	return reads.byName();
}

describe.each(Object.entries(CASES))('%s', (_name, spec) => {
	it('reads its parameters without expressions once per run, however many items it gets', async () => {
		const one = await countedRun(spec, spec.parameters, 1);
		const three = await countedRun(spec, spec.parameters, 3);
		expect(three).toEqual(one);
		expect(Object.values(one).every((count) => count === 1)).toBe(true);
	});

	it('reads a parameter with an expression once per item', async () => {
		const [name, expression] = spec.perItem;
		const parameters = { ...spec.parameters, ...expression };
		const one = await countedRun(spec, parameters, 1);
		const three = await countedRun(spec, parameters, 3);
		expect(three).toEqual({ ...one, [name]: one[name] * 3 });
	});
});
