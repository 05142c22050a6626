/**
 * The canvas subtitle under each node, evaluated the way n8n's editor does
 * (`workflow.expression.getSimpleParameterValue(node, subtitle, 'internal', {})`) on the nodes of
 * an example workflow. The e2e tier reads the same subtitles off the real canvas.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { Workflow, type INode } from 'n8n-workflow';

import { DeerApiAudio } from '../../nodes/DeerApiAudio/DeerApiAudio.node';
import { DeerApiChat } from '../../nodes/DeerApiChat/DeerApiChat.node';
import { DeerApiEmbeddings } from '../../nodes/DeerApiEmbeddings/DeerApiEmbeddings.node';
import { DeerApiImageGenerate } from '../../nodes/DeerApiImageGenerate/DeerApiImageGenerate.node';
import { DeerApiListModels } from '../../nodes/DeerApiListModels/DeerApiListModels.node';
import { DeerApiVideo } from '../../nodes/DeerApiVideo/DeerApiVideo.node';
import { createHarness } from '../support/workflow';

const harness = createHarness({
	nodeTypes: {
		'n8n-nodes-deerapi-relay.deerApiAudio': new DeerApiAudio(),
		'n8n-nodes-deerapi-relay.deerApiChat': new DeerApiChat(),
		'n8n-nodes-deerapi-relay.deerApiEmbeddings': new DeerApiEmbeddings(),
		'n8n-nodes-deerapi-relay.deerApiImageGenerate': new DeerApiImageGenerate(),
		'n8n-nodes-deerapi-relay.deerApiListModels': new DeerApiListModels(),
		'n8n-nodes-deerapi-relay.deerApiVideo': new DeerApiVideo(),
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
		['06-most-similar-products.json', 'Embed Product Texts', 'text-embedding-3-small'],
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

	it.each([
		['Read Aloud', 'Text to Speech: tts-1'],
		['Transcribe', 'Transcribe: whisper-1'],
	])('Audio "%s" shows its operation and model, %s', (name, subtitle) => {
		expect(subtitleOf(exampleNode('07-speech-round-trip.json', name))).toBe(subtitle);
	});

	it('Audio Translate to English with a model typed by id', () => {
		const node = exampleNode('07-speech-round-trip.json', 'Transcribe');
		node.parameters = { ...node.parameters, operation: 'translate', model: { __rl: true, mode: 'id', value: 'gpt-4o-transcribe' } };
		expect(subtitleOf(node)).toBe('Translate to English: gpt-4o-transcribe');
	});

	it('List Models says how many it returns', () => {
		const node = exampleNode('02-model-inventory.json', 'List Models');
		expect(subtitleOf(node)).toBe('All models');
		node.parameters = { returnAll: false, limit: 20 };
		expect(subtitleOf(node)).toBe('Up to 20 models');
	});

	it('Video says Generate and its model, or Get and the task id', () => {
		const node = exampleNode('10-product-photo-to-clip.json', 'Make a Clip');
		expect(subtitleOf(node)).toBe('Generate: veo3-fast');
		node.parameters = { operation: 'get', taskId: 'task_abc' };
		expect(subtitleOf(node)).toBe('Get: task_abc');
	});
});
