/**
 * The canvas subtitle under each node, evaluated the way n8n's editor does (harness/editor.ts:
 * getNodeSubtitle with n8n-workflow's own expression code) on the node types n8n loads from the
 * built package: every node of package.json's n8n.nodes and the Tool variant n8n makes of each
 * `usableAsTool` node, fresh from the node panel and with a model chosen in each mode of its Model
 * field. Runs on both engine lines (`npm test`, `npm run test:n8n1`). The e2e tier reads the same
 * cases off the real canvas.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { PackageDirectoryLoader } from 'n8n-core';
import type { INode, INodeType, INodeTypeDescription, INodeTypes } from 'n8n-workflow';

import { declaredNodeDescriptions } from '../../harness/package-info';
import { canvasSubtitle, editorNodeTypes, toolVariant } from '../../harness/editor';
import '../../harness/n8n-env';
import { subtitleCases, type SubtitleCase } from '../../harness/subtitle-cases';

const ROOT = path.resolve(__dirname, '../..');
const PACKAGE = 'n8n-nodes-deerapi-relay';

let descriptions: INodeTypeDescription[];
let nodeTypes: INodeTypes;

beforeAll(async () => {
	const loader = new PackageDirectoryLoader(ROOT);
	await loader.loadAll();
	const own = Object.values(loader.nodeTypes).map(({ type }) => (type as INodeType).description);
	descriptions = [...own, ...own.filter((description) => description.usableAsTool).map(toolVariant)];
	nodeTypes = editorNodeTypes(PACKAGE, descriptions);
});

function nodeOf({ nodeName, typeVersion, parameters }: SubtitleCase): INode {
	return { id: `id-${nodeName}`, name: nodeName, type: `${PACKAGE}.${nodeName}`, typeVersion, position: [0, 0], parameters };
}

const shown = (node: INode) => canvasSubtitle([node], node, nodeTypes);

// Built from dist/ when jest collects the tests, as package.json's n8n.nodes list it.
const cases = subtitleCases(declaredNodeDescriptions(ROOT));

describe('canvas subtitles of every node', () => {
	it('covers every node of package.json and a Tool variant of each usableAsTool node', () => {
		const names = [...new Set(cases.map((entry) => entry.nodeName))].sort();
		expect(names).toEqual(descriptions.map((description) => description.name).sort());
		expect(names).toEqual(
			expect.arrayContaining(['deerApiChatModel', 'deerApiImageEdit', 'deerApiImageEditTool', 'deerApiChatTool', 'deerApiAudioTool']),
		);
		expect(names).not.toContain('deerApiChatModelTool');
	});

	it.each(cases.map((entry) => [entry.nodeName, entry.label, entry]))('%s, %s', (_name, _label, entry) => {
		expect(shown(nodeOf(entry))).toBe(entry.expected);
	});
});

describe('canvas subtitles of the examples', () => {
	function exampleNode(file: string, name: string): INode {
		const workflow = JSON.parse(readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as { nodes: INode[] };
		const node = workflow.nodes.find((n) => n.name === name);
		if (!node) throw new Error(`no node ${name} in ${file}`);
		return node;
	}

	it.each([
		['01-marketing-campaign.json', 'Write Tagline and Description', 'gpt-4o-mini'],
		['01-marketing-campaign.json', 'Make Poster', 'gpt-image-1'],
		['03-picture-via-chat.json', 'Paint with gpt-4o-image', 'gpt-4o-image'],
		['06-most-similar-products.json', 'Embed Product Texts', 'text-embedding-3-small'],
		['07-speech-round-trip.json', 'Read Aloud', 'Text to Speech: tts-1'],
		['07-speech-round-trip.json', 'Transcribe', 'Transcribe: whisper-1'],
		['02-model-inventory.json', 'List Models', 'All models'],
	])('%s "%s" shows %s', (file, name, subtitle) => {
		expect(shown(exampleNode(file, name))).toBe(subtitle);
	});

	it('every DeerAPI node of every example shows a subtitle', () => {
		const files = require('node:fs').readdirSync(path.join(ROOT, 'examples')).filter((file: string) => file.endsWith('.json'));
		for (const file of files) {
			const workflow = JSON.parse(readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as { nodes: INode[] };
			for (const node of workflow.nodes.filter((n) => n.type.startsWith(`${PACKAGE}.`))) {
				expect([file, node.name, shown(node)]).toEqual([file, node.name, expect.stringMatching(/\S/)]);
			}
		}
	});
});
