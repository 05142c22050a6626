/**
 * The workflows in examples/ are what users import into n8n and what `npm run demo` runs. Each
 * is checked as an export (importable as it is) and run through n8n-core against the sandbox,
 * asserting what the sandbox received and what the workflow put out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { DeerApiRelayApi } from '../../credentials/DeerApiRelayApi.credentials';
import { DeerApiChat } from '../../nodes/DeerApiChat/DeerApiChat.node';
import { DeerApiImageGenerate } from '../../nodes/DeerApiImageGenerate/DeerApiImageGenerate.node';
import { DeerApiListModels } from '../../nodes/DeerApiListModels/DeerApiListModels.node';
import { classifyModel } from '../../nodes/shared/model-kinds';
import { DEFAULT_MODELS, readImageInfo, startSandbox, type Sandbox } from '../../sandbox';
import { createHarness, type WorkflowRunResult } from '../support/workflow';
import { importProblems } from './import-check';

const EXAMPLES_DIR = path.resolve(__dirname, '../../examples');
const API_KEY = 'sk-examples-test-7c2e91';
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const EXAMPLE_FILES = readdirSync(EXAMPLES_DIR)
	.filter((file) => file.endsWith('.json'))
	.sort();

const harness = createHarness({
	nodeTypes: {
		'n8n-nodes-deerapi-relay.deerApiChat': new DeerApiChat(),
		'n8n-nodes-deerapi-relay.deerApiImageGenerate': new DeerApiImageGenerate(),
		'n8n-nodes-deerapi-relay.deerApiListModels': new DeerApiListModels(),
	},
	credentialTypes: [new DeerApiRelayApi()],
});

function exampleText(file: string): string {
	return readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
}

interface ExportedWorkflow {
	name: string;
	nodes: Array<{ name: string; type: string; parameters: IDataObject }>;
}

function exampleJson(file: string): ExportedWorkflow {
	return JSON.parse(exampleText(file)) as ExportedWorkflow;
}

function nodeNamed(workflow: ExportedWorkflow, name: string) {
	const node = workflow.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`no node "${name}" in ${workflow.name}`);
	return node;
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

function requestsTo(endpoint: string) {
	return sandbox.requests.filter((request) => request.path === endpoint);
}

describe('example workflows are n8n exports that import as they are', () => {
	it('there are the four examples the README lists', () => {
		expect(EXAMPLE_FILES).toEqual([
			'01-marketing-campaign.json',
			'02-model-inventory.json',
			'03-picture-via-chat.json',
			'04-vision-from-binary.json',
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
		expect(models.map((model) => model.value).sort()).toEqual(['gpt-4o', 'gpt-4o-image', 'gpt-4o-mini', 'gpt-image-1']);
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

describe('example 1: marketing campaign', () => {
	const file = '01-marketing-campaign.json';
	const workflow = exampleJson(file);
	const products = (JSON.parse(String(nodeNamed(workflow, 'Products').parameters.jsonOutput)) as {
		products: Array<{ name: string; category: string; features: string }>;
	}).products;

	it('writes copy as JSON per product, makes a poster per product, and carries text and poster together', async () => {
		const result = await runExample(file);
		expect(products.length).toBeGreaterThanOrEqual(2);

		const chats = requestsTo('/v1/chat/completions');
		expect(chats).toHaveLength(products.length);
		for (const product of products) {
			const body = chats.find((request) => JSON.stringify(request.body.messages).includes(product.name))?.body;
			expect(body).toBeDefined();
			expect(body.model).toBe('gpt-4o-mini');
			expect(body.response_format).toMatchObject({
				type: 'json_schema',
				json_schema: { name: 'campaign_copy', schema: { required: ['tagline', 'description'] } },
			});
			expect(body.messages[0]).toEqual({ role: 'system', content: expect.stringContaining('copywriter') });
			expect(body.messages[1].content).toContain(product.features);
		}

		const copy = result.json('Write Tagline and Description').map((json) => json.json as IDataObject);
		const images = requestsTo('/v1/images/generations');
		expect(images).toHaveLength(products.length);
		for (const [index, product] of products.entries()) {
			const body = images.find((request) => String(request.body.prompt).includes(`"${product.name}"`))?.body;
			expect(body).toMatchObject({ model: 'gpt-image-1', size: '1024x1536', quality: 'low' });
			expect(body.prompt).toContain(String(copy[index].tagline));
			expect(body).not.toHaveProperty('response_format');
		}

		const campaign = result.output('Campaign');
		expect(campaign).toHaveLength(products.length);
		for (const [index, item] of campaign.entries()) {
			expect(item.json).toMatchObject({
				product: products[index].name,
				tagline: copy[index].tagline,
				description: copy[index].description,
				width: 1024,
				height: 1536,
			});
			expect(typeof item.json.tagline).toBe('string');
			expect(String(item.json.description).length).toBeGreaterThan(0);
			expect(item.binary?.data.mimeType).toBe('image/png');
			expect(item.json.poster).toBe(item.binary?.data.fileName);
			const bytes = await result.binary('Campaign', index, 'data');
			expect(bytes.subarray(0, 8)).toEqual(PNG_MAGIC);
			expect(readImageInfo(bytes)).toEqual({ format: 'png', width: 1024, height: 1536 });
		}
	});
});

describe('example 2: model inventory', () => {
	it('counts the image models per owner, as the relay lists them', async () => {
		const result = await runExample('02-model-inventory.json');
		expect(requestsTo('/v1/models')).toHaveLength(1);

		const expected = new Map<string, number>();
		const seen = new Set<string>();
		for (const model of DEFAULT_MODELS) {
			if (seen.has(model.id)) continue;
			seen.add(model.id);
			if (classifyModel(model) === 'image') expected.set(model.owned_by, (expected.get(model.owned_by) ?? 0) + 1);
		}
		expect(expected.size).toBeGreaterThan(1);

		expect(result.output('List Models')).toHaveLength(seen.size);
		const counts = result.json('Count per Owner');
		expect(Object.fromEntries(counts.map((row) => [row.ownedBy, row.count_id]))).toEqual(Object.fromEntries(expected));
		expect(counts).toHaveLength(expected.size);
	});
});

describe('example 3: picture via a chat model', () => {
	it('streams gpt-4o-image and downloads the picture into image_0', async () => {
		const result = await runExample('03-picture-via-chat.json');
		const chat = requestsTo('/v1/chat/completions');
		expect(chat).toHaveLength(1);
		expect(chat[0].body).toMatchObject({ model: 'gpt-4o-image', stream: true });

		const [item] = result.output('Paint with gpt-4o-image');
		const links = item.json.images as string[];
		expect(links).toHaveLength(1);
		expect(sandbox.requests.some((request) => links[0].endsWith(request.path) && request.path.startsWith('/files/gen/'))).toBe(true);
		expect(item.binary?.image_0.mimeType).toBe('image/png');
		const bytes = await result.binary('Paint with gpt-4o-image', 0, 'image_0');
		expect(readImageInfo(bytes)?.format).toBe('png');
		// The very bytes the sandbox serves at the link in the reply.
		const served = Buffer.from(await (await fetch(links[0])).arrayBuffer());
		expect(bytes.equals(served)).toBe(true);
	});
});

describe('example 4: vision from a binary file', () => {
	it('sends the embedded PNG inline as a data URL and returns the answer about it', async () => {
		const workflow = exampleJson('04-vision-from-binary.json');
		const assignments = (nodeNamed(workflow, 'Sample Image').parameters.assignments as {
			assignments: Array<{ name: string; value: string }>;
		}).assignments;
		const embedded = Buffer.from(assignments.find((a) => a.name === 'imageBase64')!.value, 'base64');
		expect(readImageInfo(embedded)).toEqual({ format: 'png', width: 64, height: 64 });

		const result = await runExample('04-vision-from-binary.json');
		const chat = requestsTo('/v1/chat/completions');
		expect(chat).toHaveLength(1);
		expect(chat[0].body.model).toBe('gpt-4o');
		const user = chat[0].body.messages.at(-1);
		expect(user.role).toBe('user');
		const imagePart = user.content.find((part: IDataObject) => part.type === 'image_url');
		const url = String(imagePart.image_url.url);
		expect(url.startsWith('data:image/png;base64,')).toBe(true);
		expect(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64').equals(embedded)).toBe(true);
		expect(user.content).toContainEqual({ type: 'text', text: expect.stringContaining('What colour') });

		const [answer] = result.json('Describe the Image');
		expect(answer.content).toContain('[images: 1 image/png]');
		expect(answer.finishReason).toBe('stop');
	});
});
