/**
 * What the e2e tier installs and where. The cache lives outside the clone so a fresh clone, CI
 * and `git clean` never pay for a cold install twice; DEERAPI_E2E_CACHE moves it.
 */
import os from 'node:os';
import path from 'node:path';

export interface N8nLine {
	/** Short label for the table: "2.x" or "1.x". */
	label: string;
	n8nVersion: string;
	/** The Node major n8n runs on for this line. */
	nodeMajor: number;
	/** npm `overrides` without which the tree does not resolve on the reachable registry. */
	overrides: Record<string, string>;
	/** Extra environment every n8n command of this line needs. */
	env: Record<string, string>;
}

export const LINES: N8nLine[] = [
	{
		label: '2.x',
		n8nVersion: '2.40.7',
		nodeMajor: 24,
		// linkedom 0.18.15 needs cssomnom, which the registry lacks.
		overrides: { linkedom: '0.18.12' },
		env: {},
	},
	{
		label: '1.x',
		n8nVersion: '1.123.81',
		nodeMajor: 20,
		// n8n-nodes-base 1.x takes xlsx from a URL outside the registry.
		overrides: { xlsx: '0.18.5' },
		// Its default expression engine needs isolated-vm 6, which does not build on Node 20.
		env: { N8N_EXPRESSION_ENGINE: 'legacy' },
	},
];

export const CACHE_DIR = process.env.DEERAPI_E2E_CACHE
	? path.resolve(process.env.DEERAPI_E2E_CACHE)
	: path.join(os.homedir(), '.cache', 'n8n-nodes-deerapi-relay', 'e2e');

/**
 * This process's environment without what `npm run` adds (npm_config_*, npm_package_*): the
 * clone's .npmrc (ignore-scripts) must not reach the installs or n8n, which run elsewhere.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...process.env };
	for (const key of Object.keys(env)) if (key.toLowerCase().startsWith('npm_')) delete env[key];
	return env;
}

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
