import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { PackageDirectoryLoader } from 'n8n-core';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { readmeInstallCommand } from '../../harness/readme';
import '../../harness/n8n-env';

const root = path.resolve(__dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
	name: string;
	n8n: { n8nNodesApiVersion: number; nodes: string[]; credentials: string[] };
	files: string[];
	peerDependencies?: Record<string, string>;
};

beforeAll(() => {
	const missing = [...manifest.n8n.nodes, ...manifest.n8n.credentials].filter(
		(file) => !existsSync(path.join(root, file)),
	);
	if (missing.length) {
		throw new Error(`Build first (npm run build): missing ${missing.join(', ')}`);
	}
});

describe('the built package loads the way n8n loads an installed community package', () => {
	let loader: PackageDirectoryLoader;

	beforeAll(async () => {
		// What n8n does for a package in ~/.n8n/nodes/node_modules: read the `n8n` field, require dist/.
		loader = new PackageDirectoryLoader(root);
		await loader.loadAll();
	});

	it('loads every node and credential the n8n field lists, and nothing else', () => {
		expect(manifest.n8n.n8nNodesApiVersion).toBe(1);
		const nodeFiles = Object.values(loader.known.nodes).map((known) => known.sourcePath);
		expect(nodeFiles.sort()).toEqual([...manifest.n8n.nodes].sort());
		const credentialFiles = Object.values(loader.known.credentials).map((known) => known.sourcePath);
		expect(credentialFiles).toEqual(manifest.n8n.credentials);
		expect(Object.keys(loader.nodeTypes).sort()).toEqual([
			'deerApiAccount',
			'deerApiAudio',
			'deerApiChat',
			'deerApiChatModel',
			'deerApiEmbeddings',
			'deerApiImageEdit',
			'deerApiImageGenerate',
			'deerApiListModels',
			'deerApiMidjourney',
			'deerApiMusic',
			'deerApiVideo',
		]);
		expect(Object.keys(loader.credentialTypes)).toEqual(['deerApiRelayApi']);
	});

	it.each(['deerApiChat', 'deerApiChatModel', 'deerApiImageEdit', 'deerApiImageGenerate', 'deerApiListModels', 'deerApiEmbeddings', 'deerApiAudio', 'deerApiAccount', 'deerApiVideo', 'deerApiMidjourney', 'deerApiMusic'])(
		'%s: light and dark icons exist, codex read from its .node.json, credential tested by the node',
		(name) => {
			const { type: loaded, sourcePath } = loader.nodeTypes[name];
			const type = loaded as INodeType;
			const description = type.description as INodeTypeDescription & {
				iconUrl?: { light: string; dark: string };
			};
			// A sub-node supplies a model; it is not a tool.
			expect(description.usableAsTool).toBe(name === 'deerApiChatModel' ? undefined : true);

			// The loader only computes icon URLs; n8n serves them from these files.
			const iconUrl = description.iconUrl!;
			for (const url of [iconUrl.light, iconUrl.dark]) {
				const file = path.join(root, url.replace(`icons/${manifest.name}/`, ''));
				expect(existsSync(file)).toBe(true);
				expect(readFileSync(file, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
			}

			// A missing or broken codex falls back silently to a default: check it is ours.
			const codexFile = path.join(root, `${sourcePath}on`);
			const codex = JSON.parse(readFileSync(codexFile, 'utf8'));
			expect(codex.node).toBe(`${manifest.name}.${name}`);
			expect(description.codex?.categories).toEqual(expect.arrayContaining(codex.categories));
			expect(codex.categories.length).toBeGreaterThan(0);
			// n8n's node panel hides a node of the AI category from every search unless it is a root
			// node ("Language Models", "Embeddings" ... are sub-node groups, found only from an agent).
			if (codex.categories.includes('AI')) expect(description.codex?.subcategories?.AI).toContain('Root Nodes');

			const credential = description.credentials?.find((entry) => entry.name === 'deerApiRelayApi');
			expect(credential).toMatchObject({ required: true, testedBy: 'deerApiCredentialTest' });
			expect(typeof type.methods?.credentialTest?.deerApiCredentialTest).toBe('function');
		},
	);

	it.each(['deerApiEmbeddings', 'deerApiAudio'])('%s is found in the node panel: an AI root node', (name) => {
		// n8n 2.x hides a node whose codex categories include "AI" unless its AI subcategories include "Root Nodes".
		const codex = loader.nodeTypes[name].type.description.codex;
		expect(codex?.categories).toEqual(['AI']);
		expect(codex?.subcategories?.AI).toEqual(expect.arrayContaining(['Root Nodes']));
	});

	it('the Chat Model is a sub-node where n8n lists Chat Models, declared for the AI node SDK', () => {
		const type = loader.nodeTypes.deerApiChatModel.type as INodeType;
		expect(type.description.inputs).toEqual([]);
		expect(type.description.outputs).toEqual(['ai_languageModel']);
		expect(typeof type.supplyData).toBe('function');
		expect(type.execute).toBeUndefined();
		// Where the editor's Agent "Chat Model" slot and the node panel look (n8n's own chat models).
		expect(type.description.codex).toMatchObject({
			categories: ['AI'],
			subcategories: { AI: ['Language Models', 'Root Nodes'], 'Language Models': ['Chat Models (Recommended)'] },
		});
		const pkg = manifest as unknown as {
			n8n: { aiNodeSdkVersion?: number };
			peerDependencies: Record<string, string>;
			peerDependenciesMeta: Record<string, { optional?: boolean }>;
		};
		expect(pkg.n8n.aiNodeSdkVersion).toBe(1);
		expect(pkg.peerDependencies['@n8n/ai-node-sdk']).toBe('*');
		// npm 7+ installs peers: an n8n without the SDK must not get one pulled in.
		expect(pkg.peerDependenciesMeta['@n8n/ai-node-sdk']).toEqual({ optional: true });
	});

	it('loading every node does not load the AI node SDK (it is loaded when a model is supplied)', () => {
		const script = [
			'for (const file of process.argv.slice(1)) require(require("path").resolve(file));',
			'const loaded = Object.keys(require.cache).filter((file) => /ai-node-sdk|ai-utilities|@langchain/.test(file));',
			'process.stdout.write(JSON.stringify(loaded));',
		].join('\n');
		const output = execFileSync(process.execPath, ['-e', script, ...manifest.n8n.nodes], { cwd: root, encoding: 'utf8' });
		expect(JSON.parse(output)).toEqual([]);
	});

	it('the credential has its icons and no declarative test that would shadow the nodes\' test', () => {
		const { type, sourcePath } = loader.credentialTypes.deerApiRelayApi;
		expect(type.displayName).toBe('DeerAPI Relay API');
		expect(type.test).toBeUndefined();
		const { iconUrl } = type as { iconUrl?: { light: string; dark: string } };
		expect(iconUrl).toEqual({
			light: `icons/${manifest.name}/dist/credentials/deerApiRelayApi.svg`,
			dark: `icons/${manifest.name}/dist/credentials/deerApiRelayApi.dark.svg`,
		});
		for (const url of [iconUrl!.light, iconUrl!.dark]) {
			expect(existsSync(path.join(root, url.replace(`icons/${manifest.name}/`, '')))).toBe(true);
		}
		expect(sourcePath).toBe(manifest.n8n.credentials[0]);
	});
});

describe('npm pack', () => {
	let files: string[];

	beforeAll(() => {
		const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
			cwd: root,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
		});
		files = (JSON.parse(output) as Array<{ files: Array<{ path: string }> }>)[0].files.map(
			(file) => file.path,
		);
	});

	// What a user needs: n8n loads dist/ JavaScript, its codex files and icons; the npm page shows
	// the README (its links to docs/ and examples/ lead to the repository).
	it('ships dist/, README, LICENSE, CHANGELOG and package.json only', () => {
		const topLevel = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];
		expect(files).toEqual(expect.arrayContaining(topLevel));
		const outside = files.filter((file) => !topLevel.includes(file) && !file.startsWith('dist/'));
		expect(outside).toEqual([]);
	});

	it('ships every file n8n loads, with their icons and codex files', () => {
		for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) {
			expect(files).toContain(file);
		}
		for (const node of manifest.n8n.nodes) expect(files).toContain(`${node}on`);
		// Light and dark, for every node and the credential.
		expect(files.filter((file) => file.endsWith('.svg')).length).toBe(2 * (manifest.n8n.nodes.length + manifest.n8n.credentials.length));
	});

	it('ships no tests, sources, declaration files, source maps, build caches, sandbox, docs or examples', () => {
		// tsc writes declarations into dist/ (tsconfig.build.json); nobody imports a node package.
		expect(existsSync(path.join(root, 'dist/nodes/DeerApiChat/DeerApiChat.node.d.ts'))).toBe(true);
		const unwanted = files.filter((file) =>
			/(^|\/)(test|tests|__tests__|sandbox|bench|docs|examples)\/|\.test\.|\.map$|tsbuildinfo|\.ts$/.test(file),
		);
		expect(unwanted).toEqual([]);
	});
});

describe('the README install command', () => {
	// The e2e tier runs this very command in real n8n's nodes folder (e2e/readme.ts).
	it('is one command, and it leaves the peer dependencies (n8n-workflow, the AI node SDK) out', () => {
		const command = readmeInstallCommand(readFileSync(path.join(root, 'README.md'), 'utf8'));
		expect(command).toMatch(/^npm install n8n-nodes-deerapi-relay /);
		expect(command.split(/\s+/)).toEqual(expect.arrayContaining([expect.stringMatching(/^(--legacy-peer-deps|--omit=peer)$/)]));
		expect(manifest.peerDependencies).toEqual({ '@n8n/ai-node-sdk': '*', 'n8n-workflow': '*' });
	});

	it('two different commands in the README are refused', () => {
		expect(() =>
			readmeInstallCommand('`npm install n8n-nodes-deerapi-relay --legacy-peer-deps` or `npm install n8n-nodes-deerapi-relay`'),
		).toThrow('must give one manual install command');
	});
});
