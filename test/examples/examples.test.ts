/**
 * The workflows in examples/ are what users import into n8n and what `npm run demo` runs. Each
 * is checked as an export (importable as it is) and run through n8n-core against the sandbox; what
 * the sandbox received and what the workflow put out is checked by expectations.ts, the same checks
 * the e2e tier runs against real n8n.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { DeerApiRelayApi } from '../../credentials/DeerApiRelayApi.credentials';
import { DeerApiAccount } from '../../nodes/DeerApiAccount/DeerApiAccount.node';
import { DeerApiAudio } from '../../nodes/DeerApiAudio/DeerApiAudio.node';
import { DeerApiChat } from '../../nodes/DeerApiChat/DeerApiChat.node';
import { DeerApiImageEdit } from '../../nodes/DeerApiImageEdit/DeerApiImageEdit.node';
import { DeerApiEmbeddings } from '../../nodes/DeerApiEmbeddings/DeerApiEmbeddings.node';
import { DeerApiChatModel } from '../../nodes/DeerApiChatModel/DeerApiChatModel.node';
import { DeerApiImageGenerate } from '../../nodes/DeerApiImageGenerate/DeerApiImageGenerate.node';
import { DeerApiListModels } from '../../nodes/DeerApiListModels/DeerApiListModels.node';
import { DeerApiMusic } from '../../nodes/DeerApiMusic/DeerApiMusic.node';
import { DeerApiVideo } from '../../nodes/DeerApiVideo/DeerApiVideo.node';
import { DeerApiMidjourney } from '../../nodes/DeerApiMidjourney/DeerApiMidjourney.node';
import { DEFAULT_MODELS, startSandbox, type Sandbox } from '../../sandbox';
import { usesN8nAiNodes } from '../../harness/ai-nodes';
import { createHarness, type WorkflowRunResult } from '../../harness/workflow';
import {
	checkFor,
	EXAMPLE_CHECKS,
	nodeNamed,
	summariseBinary,
	type ExampleWorkflow,
	type ItemSummary,
	type NormalisedResult,
} from '../../harness/expectations';
import { importProblems } from './import-check';

const EXAMPLES_DIR = path.resolve(__dirname, '../../examples');
const API_KEY = 'sk-examples-test-7c2e91';

const EXAMPLE_FILES = readdirSync(EXAMPLES_DIR)
	.filter((file) => file.endsWith('.json'))
	.sort();

const harness = createHarness({
	nodeTypes: {
		'n8n-nodes-deerapi-relay.deerApiChat': new DeerApiChat(),
		'n8n-nodes-deerapi-relay.deerApiImageEdit': new DeerApiImageEdit(),
		'n8n-nodes-deerapi-relay.deerApiChatModel': new DeerApiChatModel(),
		'n8n-nodes-deerapi-relay.deerApiImageGenerate': new DeerApiImageGenerate(),
		'n8n-nodes-deerapi-relay.deerApiListModels': new DeerApiListModels(),
		'n8n-nodes-deerapi-relay.deerApiEmbeddings': new DeerApiEmbeddings(),
		'n8n-nodes-deerapi-relay.deerApiAudio': new DeerApiAudio(),
		'n8n-nodes-deerapi-relay.deerApiAccount': new DeerApiAccount(),
		'n8n-nodes-deerapi-relay.deerApiVideo': new DeerApiVideo(),
		'n8n-nodes-deerapi-relay.deerApiMidjourney': new DeerApiMidjourney(),
		'n8n-nodes-deerapi-relay.deerApiMusic': new DeerApiMusic(),
	},
	credentialTypes: [new DeerApiRelayApi()],
});

function exampleText(file: string): string {
	return readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
}

function exampleJson(file: string): ExampleWorkflow {
	return JSON.parse(exampleText(file)) as ExampleWorkflow;
}

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ apiKey: API_KEY });
});
afterAll(async () => {
	await sandbox.close();
});
beforeEach(() => {
	sandbox.clearRequests();
	sandbox.clearFaults();
});

/** The harness's run as the shared checks see it: each node's output 0, binary data as metadata and a digest. */
async function normalise(result: WorkflowRunResult): Promise<NormalisedResult> {
	const normalised: NormalisedResult = {};
	for (const [name, run] of Object.entries(result.nodes)) {
		normalised[name] = await Promise.all(
			run.items.map(async (item, index) => {
				const binary: ItemSummary['binary'] = {};
				for (const [key, meta] of Object.entries(item.binary ?? {})) {
					binary[key] = summariseBinary(meta, await result.binary(name, index, key));
				}
				return { json: item.json, binary };
			}),
		);
	}
	return normalised;
}

async function runExample(file: string): Promise<WorkflowRunResult> {
	const result = await harness.run(path.join(EXAMPLES_DIR, file), {
		credentials: { deerApiRelayApi: { apiKey: API_KEY, baseUrl: sandbox.url } },
	});
	expect(result.error).toBeUndefined();
	expect(result.status).toBe('success');
	// The key stays out of every output item and log line.
	const outputs = JSON.stringify(Object.values(result.nodes).map((run) => run.outputs));
	expect(outputs).not.toContain(API_KEY);
	expect(result.logText()).not.toContain(API_KEY);
	return result;
}

describe('example workflows are n8n exports that import as they are', () => {
	it('there are the examples the README lists', () => {
		expect(EXAMPLE_FILES).toEqual([
			'01-marketing-campaign.json',
			'02-model-inventory.json',
			'03-picture-via-chat.json',
			'04-vision-from-binary.json',
			'05-edit-product-photo.json',
			'06-most-similar-products.json',
			'07-speech-round-trip.json',
			'08-agent-calculator.json',
			'09-agent-reasoning-two-tool-turns.json',
			'10-product-photo-to-clip.json',
			'11-many-clips-at-once.json',
			'12-low-balance-alert.json',
			'13-imagine-then-upscale.json',
			'14-four-upscales.json',
			'15-product-jingle.json',
		]);
		// The AI Agent is n8n's own node: those run in real n8n (npm run e2e), the others here too.
		expect(EXAMPLE_FILES.filter((file) => usesN8nAiNodes(exampleJson(file)))).toEqual([
			'08-agent-calculator.json',
			'09-agent-reasoning-two-tool-turns.json',
		]);
		const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
		for (const file of EXAMPLE_FILES) expect(readme).toContain(`\`${file}\``);
	});

	it.each(EXAMPLE_FILES)('%s: valid export, known node types and versions, credential by reference only', async (file) => {
		expect(importProblems(exampleText(file), harness.nodeTypes)).toEqual([]);
	});

	it('models are resource locators holding ids the relay serves', () => {
		const served = new Set(DEFAULT_MODELS.map((model) => model.id));
		const models = EXAMPLE_FILES.flatMap((file) =>
			exampleJson(file)
				.nodes.filter((node) => node.type.startsWith('n8n-nodes-deerapi-relay.') && node.parameters.model !== undefined)
				.map((node) => node.parameters.model as IDataObject),
		);
		expect(models.map((model) => model.value).sort()).toEqual([
			'deepseek-reasoner',
			'gpt-4o',
			'gpt-4o-image',
			'gpt-4o-mini',
			'gpt-4o-mini',
			'gpt-image-1',
			'gpt-image-1',
			'kling-v1',
			'text-embedding-3-small',
			'tts-1',
			'veo3-fast',
			'whisper-1',
		]);
		for (const model of models) {
			expect(model).toMatchObject({ __rl: true, mode: expect.stringMatching(/^(list|id)$/) });
			expect(served.has(String(model.value))).toBe(true);
		}
	});

	it('the import check finds what would break an import or leak a key', () => {
		const broken = exampleJson('02-model-inventory.json') as unknown as {
			nodes: Array<Record<string, unknown>>;
			connections: Record<string, unknown>;
		};
		broken.nodes[2].name = broken.nodes[1].name;
		(broken.nodes[1] as { credentials: unknown }).credentials = { deerApiRelayApi: { id: 'x', name: 'y', data: { apiKey: 'sk-leaked0' } } };
		(broken.nodes[3] as { parameters: IDataObject }).parameters.fieldsToSplitOn = 'ownedBy';
		(broken.nodes[3] as { typeVersion: number }).typeVersion = 7;
		broken.connections.Ghost = { main: [[{ node: 'Nowhere', type: 'main', index: 0 }]] };
		const problems = importProblems(JSON.stringify(broken), harness.nodeTypes).join('\n');
		expect(problems).toMatch(/sk-/);
		expect(problems).toMatch(/the name is used twice/);
		expect(problems).toMatch(/credentials must be exactly/);
		expect(problems).toMatch(/has no version 7/);
		expect(problems).toMatch(/source "Ghost" is not a node/);
		expect(problems).toMatch(/"Nowhere", which is not a node/);

		const unknownParameter = exampleJson('02-model-inventory.json');
		nodeNamed(unknownParameter, 'Count per Owner').parameters.fieldsToSplitOn = 'ownedBy';
		expect(importProblems(JSON.stringify(unknownParameter), harness.nodeTypes)).toEqual([
			'node "Count per Owner": "fieldsToSplitOn" is not a parameter of n8n-nodes-base.summarize v1.1',
		]);
	});
});

describe('every example puts out what harness/expectations.ts expects', () => {
	it('every example has an expectation, and every expectation an example', () => {
		expect(Object.keys(EXAMPLE_CHECKS).sort()).toEqual(EXAMPLE_FILES);
		expect(() => checkFor('99-not-an-example.json')).toThrow('examples/99-not-an-example.json has no expectation');
	});

	it.each(EXAMPLE_FILES.filter((file) => !usesN8nAiNodes(exampleJson(file))))('%s', async (file) => {
		const result = await runExample(file);
		await checkFor(file)(await normalise(result), {
			workflow: exampleJson(file),
			requests: [...sandbox.requests],
			models: DEFAULT_MODELS,
		});
	});
});
