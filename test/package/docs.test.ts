import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { PackageDirectoryLoader } from 'n8n-core';
import type { INodeProperties, INodePropertyCollection, INodeTypeDescription } from 'n8n-workflow';

import '../../harness/n8n-env';

/**
 * The user documentation stays true to the package: a page per node naming every parameter, links
 * that lead somewhere, the editor's documentation links landing on a README heading, and a
 * changelog entry for the version in package.json.
 */
const root = path.resolve(__dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
	version: string;
	homepage: string;
	n8n: { nodes: string[]; credentials: string[] };
};
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** Markdown without fenced code blocks, whose text is not markup. */
function prose(markdown: string): string {
	return markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
}

/** GitHub's (and npm's) anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');
}

function headingSlugs(markdown: string): Set<string> {
	return new Set([...prose(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*$/gm)].map((match) => slug(match[1])));
}

function markdownFiles(): string[] {
	const walk = (dir: string): string[] =>
		readdirSync(path.join(root, dir)).flatMap((name) => {
			const file = path.join(dir, name);
			return statSync(path.join(root, file)).isDirectory() ? walk(file) : name.endsWith('.md') ? [file] : [];
		});
	return ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', 'bench/RESULTS.md', 'sandbox/README.md', ...walk('docs')];
}

/** The page of a node type: deerApiImageGenerate -> docs/nodes/image-generate.md. */
function nodePage(typeName: string): string {
	const bare = typeName.replace(/^deerApi/, '');
	return `docs/nodes/${bare.replace(/(?<=[a-z0-9])(?=[A-Z])/g, '-').toLowerCase()}.md`;
}

/** Every parameter a user sees in the node's panel, options and collection entries included. */
function displayNames(properties: INodeProperties[]): string[] {
	return properties.flatMap((property) => {
		if (property.type === 'notice') return [];
		const names = [property.displayName];
		if (property.type === 'collection') names.push(...displayNames((property.options ?? []) as INodeProperties[]));
		if (property.type === 'fixedCollection') {
			for (const group of (property.options ?? []) as INodePropertyCollection[]) {
				names.push(group.displayName, ...displayNames(group.values));
			}
		}
		return names;
	});
}

describe('the README', () => {
	const readme = read('README.md');

	it('is a front page: at most 250 lines', () => {
		expect(readme.split('\n').length).toBeLessThanOrEqual(250);
	});

	it('links every node listed in package.json to its page, and every page exists', () => {
		for (const file of manifest.n8n.nodes) {
			const type = path.basename(file, '.node.js');
			const page = nodePage(type.charAt(0).toLowerCase() + type.slice(1));
			expect(existsSync(path.join(root, page))).toBe(true);
			expect(readme).toContain(`(${page})`);
		}
	});
});

describe('links in the documentation', () => {
	it.each(markdownFiles())('%s: every relative link leads to a file, and every anchor to a heading', (file) => {
		const text = prose(read(file)).replace(/`[^`\n]*`/g, '');
		const broken: string[] = [];
		for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
			if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
			const [pathPart, anchor] = target.split('#');
			const resolved = pathPart ? path.join(path.dirname(file), pathPart) : file;
			if (!existsSync(path.join(root, resolved))) {
				broken.push(`${target}: no ${resolved}`);
			} else if (anchor && resolved.endsWith('.md') && !headingSlugs(read(resolved)).has(anchor)) {
				broken.push(`${target}: no heading #${anchor} in ${resolved}`);
			}
		}
		expect(broken).toEqual([]);
	});
});

describe('what n8n loads from the package, against the documentation', () => {
	let loader: PackageDirectoryLoader;

	beforeAll(async () => {
		// As n8n loads an installed community package: the built dist/ files package.json lists.
		loader = new PackageDirectoryLoader(root);
		await loader.loadAll();
	});

	it('the editor\'s documentation links land on a README heading (the npm page), for every node and the credential', () => {
		const readmeHeadings = headingSlugs(read('README.md'));
		const urls: string[] = [];
		for (const file of manifest.n8n.nodes) {
			const codex = JSON.parse(read(`${file}on`)) as { resources?: Record<string, Array<{ url: string }>> };
			urls.push(...Object.values(codex.resources ?? {}).flatMap((links) => links.map((link) => link.url)));
		}
		for (const { type } of Object.values(loader.credentialTypes)) {
			if (type.documentationUrl) urls.push(type.documentationUrl);
		}
		expect(urls.length).toBeGreaterThan(manifest.n8n.nodes.length);
		const misses = urls.filter((url) => {
			const [page, anchor] = url.split('#');
			return page !== manifest.homepage || !anchor || !readmeHeadings.has(anchor);
		});
		expect(misses).toEqual([]);
	});

	it('each node\'s page has its endpoints, parameters, output and errors, and names every parameter of the node', () => {
		const missing: string[] = [];
		for (const [typeName, { type }] of Object.entries(loader.nodeTypes)) {
			const page = nodePage(typeName);
			const text = read(page);
			for (const section of ['## Endpoints', '## Parameters', '## Output', '## Errors']) {
				if (!text.includes(`\n${section}\n`)) missing.push(`${page}: section "${section}"`);
			}
			if (!/`(GET|POST) \/(v1|mj|suno|api)\/[a-z/{}-]+`/.test(text)) missing.push(`${page}: an endpoint such as \`POST /v1/...\``);
			const lowerText = text.toLowerCase();
			for (const name of new Set(displayNames((type.description as INodeTypeDescription).properties))) {
				if (!lowerText.includes(name.toLowerCase())) missing.push(`${page}: parameter "${name}"`);
			}
		}
		expect(Object.keys(loader.nodeTypes)).toHaveLength(manifest.n8n.nodes.length);
		expect(missing).toEqual([]);
	});
});

describe('the changelog', () => {
	it('has an entry for the version in package.json', () => {
		const versions = [...read('CHANGELOG.md').matchAll(/^## \[([^\]]+)\]/gm)].map((match) => match[1]);
		expect(versions).toContain(manifest.version);
	});
});
