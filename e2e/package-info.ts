/**
 * What the packed package declares, read from the built dist/ the tarball is made of: the node
 * types n8n must list (with their display names for the node-panel search) and the credential.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { REPO_ROOT } from './config';

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

export function declaredPackage(): DeclaredPackage {
	const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
		name: string;
		n8n: { nodes: string[]; credentials: string[] };
	};
	const load = (file: string) => {
		const exports = require(path.join(REPO_ROOT, file)) as Record<string, new () => unknown>;
		return Object.values(exports).map((Class) => new Class());
	};
	const nodes = manifest.n8n.nodes.flatMap((file) =>
		(load(file) as Described[]).map(({ description }) => ({
			type: `${manifest.name}.${description.name}`,
			displayName: description.displayName,
			version: Math.max(...[description.version].flat()),
		})),
	);
	const credentials = manifest.n8n.credentials.flatMap((file) =>
		(load(file) as Array<{ name: string; displayName: string }>).map(({ name, displayName }) => ({ name, displayName })),
	);
	return { name: manifest.name, nodes, credentials };
}
