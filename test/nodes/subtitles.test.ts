/**
 * The canvas subtitle under each node, evaluated the way n8n's editor does
 * (`workflow.expression.getSimpleParameterValue(node, subtitle, 'internal', {})`) on the nodes of
 * an example workflow. The e2e tier reads the same subtitles off the real canvas.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { Workflow, type INode } from 'n8n-workflow';

import { DeerApiChat } from '../../nodes/DeerApiChat/DeerApiChat.node';
import { DeerApiImageGenerate } from '../../nodes/DeerApiImageGenerate/DeerApiImageGenerate.node';
import { DeerApiListModels } from '../../nodes/DeerApiListModels/DeerApiListModels.node';
import { createHarness } from '../support/workflow';

const harness = createHarness({
	nodeTypes: {
		'n8n-nodes-deerapi-relay.deerApiChat': new DeerApiChat(),
		'n8n-nodes-deerapi-relay.deerApiImageGenerate': new DeerApiImageGenerate(),
		'n8n-nodes-deerapi-relay.deerApiListModels': new DeerApiListModels(),
	},
});

function exampleNode(file: string, name: string): INode {
	const workflow = JSON.parse(readFileSync(path.resolve(__dirname, '../../examples', file), 'utf8')) as { nodes: INode[] };
	const node = workflow.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`no node ${name} in ${file}`);
	return node;
}

function subtitleOf(node: INode): unknown {
	const nodeType = harness.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: harness.nodeTypes });
	return workflow.expression.getSimpleParameterValue(node, nodeType.description.subtitle!, 'internal', {});
}

describe('canvas subtitles', () => {
	it.each([
		['01-marketing-campaign.json', 'Write Tagline and Description', 'gpt-4o-mini'],
		['01-marketing-campaign.json', 'Make Poster', 'gpt-image-1'],
		['03-picture-via-chat.json', 'Paint with gpt-4o-image', 'gpt-4o-image'],
	])('%s "%s" shows its model, %s', (file, name, model) => {
		const node = exampleNode(file, name);
		expect(node.parameters.model).toMatchObject({ __rl: true, value: model });
		expect(subtitleOf(node)).toBe(model);
	});

	it('a model typed by id shows as well', () => {
		const node = exampleNode('01-marketing-campaign.json', 'Write Tagline and Description');
		node.parameters.model = { __rl: true, mode: 'id', value: 'deepseek-chat' };
		expect(subtitleOf(node)).toBe('deepseek-chat');
	});

	it('List Models says how many it returns', () => {
		const node = exampleNode('02-model-inventory.json', 'List Models');
		expect(subtitleOf(node)).toBe('All models');
		node.parameters = { returnAll: false, limit: 20 };
		expect(subtitleOf(node)).toBe('Up to 20 models');
	});
});
