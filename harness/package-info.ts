/**
 * What the packed package declares, read from the built dist/ the tarball is made of: the node
 * types n8n must list (with their display names for the node-panel search) and the credential.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { INodeTypeDescription } from 'n8n-workflow';

/** The repository: the first folder up with a package.json (harness/ from ts-jest, build/harness/ compiled). */
function repoRoot(from = __dirname): string {
	for (let dir = from; ; dir = path.dirname(dir)) {
		if (existsSync(path.join(dir, 'package.json'))) return dir;
		if (path.dirname(dir) === dir) throw new Error(`No package.json above ${from}`);
	}
}

const REPO_ROOT = repoRoot();

export interface DeclaredNode {
	/** `<package>.<name>`, as n8n lists it. */
	type: string;
	displayName: string;
	version: number;
}

export interface DeclaredPackage {
	name: string;
	nodes: DeclaredNode[];
	credentials: Array<{ name: string; displayName: string }>;
}

interface Described {
	description: { name: string; displayName: string; version: number | number[] };
}

type Manifest = { name: string; n8n: { nodes: string[]; credentials: string[] } };

function manifest(root = REPO_ROOT): Manifest {
	return JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
}

function load(file: string, root = REPO_ROOT): unknown[] {
	const exports = require(path.join(root, file)) as Record<string, new () => unknown>;
	return Object.values(exports).map((Class) => new Class());
}

/** The full description of every node the package in `root` declares, as built in its dist/. */
export function declaredNodeDescriptions(root = REPO_ROOT): INodeTypeDescription[] {
	return manifest(root).n8n.nodes.flatMap((file) =>
		(load(file, root) as Array<{ description: INodeTypeDescription }>).map(({ description }) => description),
	);
}

export function declaredPackage(): DeclaredPackage {
	const { name, n8n } = manifest();
	const nodes = n8n.nodes.flatMap((file) =>
		(load(file) as Described[]).map(({ description }) => ({
			type: `${name}.${description.name}`,
			displayName: description.displayName,
			version: Math.max(...[description.version].flat()),
		})),
	);
	const credentials = n8n.credentials.flatMap((file) =>
		(load(file) as Array<{ name: string; displayName: string }>).map(({ name, displayName }) => ({ name, displayName })),
	);
	return { name, nodes, credentials };
}
