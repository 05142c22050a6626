import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { INode, IWorkflowBase } from 'n8n-workflow';

import { DeerApi } from '../../credentials/DeerApi.credentials';
import { DeerApiChat } from '../../nodes/DeerApiChat/DeerApiChat.node';
import { DeerApiImageGenerate } from '../../nodes/DeerApiImageGenerate/DeerApiImageGenerate.node';
import { DeerApiListModels } from '../../nodes/DeerApiListModels/DeerApiListModels.node';
import { classifyModel } from '../../nodes/shared/models';
import { DEFAULT_MODELS, readImageInfo, startSandbox, type Sandbox } from '../../sandbox';
import { CORE_NODE_FILES } from '../support/type-registry';
import { createHarness } from '../support/workflow';

const EXAMPLES = path.resolve(__dirname, '../../examples');
const files = readdirSync(EXAMPLES).filter((file) => file.endsWith('.json')).sort();

const harness = createHarness({
	nodeTypes: {
		'n8n-nodes-deerapi.deerApiChat': new DeerApiChat(),
		'n8n-nodes-deerapi.deerApiImageGenerate': new DeerApiImageGenerate(),
		'n8n-nodes-deerapi.deerApiListModels': new DeerApiListModels(),
	},
	credentialTypes: [new DeerApi()],
});

function load(file: string): IWorkflowBase {
	return JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) as IWorkflowBase;
}

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(async () => await sandbox.close());
beforeEach(() => sandbox.clearRequests());

function credentials() {
	return { deerApi: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } };
}

describe('every example is a workflow the n8n editor imports as it is', () => {
	it('there are the four examples the README lists', () => {
		expect(files).toEqual([
			'01-marketing-campaign.json',
			'02-model-inventory.json',
			'03-picture-via-chat.json',
			'04-vision-from-binary.json',
		]);
		const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
		for (const file of files) expect(readme).toContain(`\`${file}\``);
	});

	it.each(files)('%s: known node types, unique names, valid connections, no key', (file) => {
		const text = readFileSync(path.join(EXAMPLES, file), 'utf8');
		const workflow = load(file);
		expect(typeof workflow.name).toBe('string');
		expect(workflow.settings).toMatchObject({ executionOrder: 'v1' });
		expect(text).not.toMatch(/sk-[A-Za-z0-9]/);

		const names = workflow.nodes.map((node) => node.name);
		expect(new Set(names).size).toBe(names.length);
		const ids = workflow.nodes.map((node) => node.id);
		expect(new Set(ids).size).toBe(ids.length);
		expect(workflow.nodes[0].type).toBe('n8n-nodes-base.manualTrigger');

		for (const node of workflow.nodes) {
			const type = harness.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
			expect(type?.description).toBeDefined();
			expect(node.position).toHaveLength(2);
			if (node.type.startsWith('n8n-nodes-deerapi.')) {
				// Referenced by type, id and name: the importing user picks their own credential.
				expect(Object.keys(node.credentials ?? {})).toEqual(['deerApi']);
				expect(Object.keys(node.credentials!.deerApi).sort()).toEqual(['id', 'name']);
			} else {
				expect(Object.keys(CORE_NODE_FILES)).toContain(node.type);
			}
		}
		for (const [from, outputs] of Object.entries(workflow.connections)) {
			expect(names).toContain(from);
			for (const connection of outputs.main.flat()) expect(names).toContain(connection!.node);
		}
	});
});

describe('every example runs against the sandbox', () => {
	it('01 marketing campaign: copy as JSON and a poster per product, together on each item', async () => {
		const workflow = load('01-marketing-campaign.json');
		const products = JSON.parse(
			(workflow.nodes.find((node) => node.name === 'Products') as INode).parameters.jsonOutput as string,
		).products as Array<{ name: string }>;

		const result = await harness.run(workflow, { credentials: credentials() });
		expect(result.status).toBe('success');

		const chats = sandbox.requests.filter((request) => request.path === '/v1/chat/completions');
		expect(chats).toHaveLength(products.length);
		for (const [index, request] of chats.entries()) {
			expect(request.body.response_format).toMatchObject({
				type: 'json_schema',
				json_schema: { name: 'campaign_copy', schema: { required: ['tagline', 'description'] } },
			});
			expect(request.body.messages.at(-1).content).toContain(products[index].name);
		}
		const images = sandbox.requests.filter((request) => request.path === '/v1/images/generations');
		expect(images).toHaveLength(products.length);
		expect(images.map((request) => request.body.model)).toEqual(products.map(() => 'gpt-image-1'));
		expect(images[0].body).not.toHaveProperty('response_format');

		const campaign = result.output('Campaign');
		expect(campaign.map((item) => item.json.product)).toEqual(products.map((product) => product.name));
		for (const [index, item] of campaign.entries()) {
			// The sandbox fills a JSON schema with "sample <property>".
			expect(item.json.tagline).toBe('sample tagline');
			expect(item.json.description).toBe('sample description');
			expect(item.binary?.data.mimeType).toBe('image/png');
			const bytes = await result.binary('Campaign', index, 'data');
			expect(readImageInfo(bytes)).toMatchObject({ format: 'png', width: 1024, height: 1536 });
			expect(item.json.poster).toBe(item.binary?.data.fileName);
		}
	});

	it('02 model inventory: image models counted per owner, as the model list implies', async () => {
		const result = await harness.run(load('02-model-inventory.json'), { credentials: credentials() });
		expect(result.status).toBe('success');
		expect(sandbox.requests.filter((request) => request.path === '/v1/models')).toHaveLength(1);

		const expected = new Map<string, number>();
		for (const model of DEFAULT_MODELS) {
			if (classifyModel(model) === 'image') {
				expected.set(model.owned_by, (expected.get(model.owned_by) ?? 0) + 1);
			}
		}
		const counts = new Map(
			result.json('Count per Owner').map((row) => [row.ownedBy as string, row.count_id as number]),
		);
		expect(counts).toEqual(expected);
		expect([...expected.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(5);
	});

	it('03 picture via a chat model: the gpt-4o-image picture arrives as binary', async () => {
		const result = await harness.run(load('03-picture-via-chat.json'), { credentials: credentials() });
		expect(result.status).toBe('success');
		const [item] = result.output('Paint with gpt-4o-image');
		expect(sandbox.lastRequest('/v1/chat/completions')!.body).toMatchObject({
			model: 'gpt-4o-image',
			stream: true,
		});
		expect(item.json.images).toHaveLength(1);
		expect(item.binary?.image_0.mimeType).toBe('image/png');
		const bytes = await result.binary('Paint with gpt-4o-image', 0, 'image_0');
		expect(readImageInfo(bytes)?.format).toBe('png');
		// The very bytes the sandbox serves at the link in the reply.
		const served = Buffer.from(await (await fetch((item.json.images as string[])[0])).arrayBuffer());
		expect(bytes.equals(served)).toBe(true);
	});

	it('04 vision: the image from a binary file reaches the model as a PNG data URL', async () => {
		const workflow = load('04-vision-from-binary.json');
		const result = await harness.run(workflow, { credentials: credentials() });
		expect(result.status).toBe('success');

		const request = sandbox.lastRequest('/v1/chat/completions')!;
		const parts = request.body.messages.at(-1).content as Array<{ type: string; image_url?: { url: string } }>;
		const image = parts.find((part) => part.type === 'image_url')!;
		expect(image.image_url!.url).toMatch(/^data:image\/png;base64,/);
		const sent = Buffer.from(image.image_url!.url.split(',')[1], 'base64');
		const original = (workflow.nodes.find((node) => node.name === 'Sample Image') as INode).parameters
			.assignments as { assignments: Array<{ value: string }> };
		expect(sent.equals(Buffer.from(original.assignments[0].value, 'base64'))).toBe(true);

		const [reply] = result.json('Describe the Image');
		expect(reply.content).toMatch(/\[images: 1 image\/png\]$/);
	});
});
