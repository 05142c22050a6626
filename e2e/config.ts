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

/** What `npm run` exports that belongs to this clone, not to the user's npm setup. */
const CLONE_NPM_ENV = /^npm_(package_|lifecycle_|config_ignore_scripts$|config_local_prefix$|execpath$|node_execpath$|command$)/i;

/**
 * This process's environment without what `npm run e2e` adds from the clone (its .npmrc skips
 * install scripts; the installs outside the clone need them). The user's own npm settings
 * (registry, cache, proxy) stay.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...process.env };
	for (const key of Object.keys(env)) if (CLONE_NPM_ENV.test(key)) delete env[key];
	return env;
}

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
