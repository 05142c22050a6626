import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { parse } from 'yaml';

/**
 * .github/workflows/publish.yml cannot run here (it needs GitHub and an npm token): what can be
 * checked is that it runs on a version tag, runs the unit tiers before publishing, publishes with
 * provenance, and that its shell steps do what they say.
 */
const root = path.resolve(__dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
	version: string;
	scripts: Record<string, string>;
	repository?: unknown;
};

interface Step {
	name?: string;
	uses?: string;
	run?: string;
	if?: string;
	with?: Record<string, unknown>;
	env?: Record<string, string>;
}
interface Job {
	needs?: string | string[];
	permissions?: Record<string, string>;
	strategy?: { matrix?: Record<string, unknown[]> };
	steps: Step[];
}
interface Workflow {
	on: { push?: { tags?: string[]; branches?: string[] } } & Record<string, unknown>;
	permissions?: Record<string, string>;
	jobs: Record<string, Job>;
}

const workflow = parse(readFileSync(path.join(root, '.github/workflows/publish.yml'), 'utf8')) as Workflow;
const runs = (job: Job) => job.steps.flatMap((step) => (step.run ? [step.run.trim()] : []));
const publishJob = () => Object.values(workflow.jobs).find((job) => runs(job).some((run) => run.startsWith('npm publish')))!;

/** Runs a step's shell script as GitHub does (bash -e), in a folder holding a copy of package.json. */
function runStep(script: string, env: Record<string, string>, packageJson?: object): { status: number | null; manifest: Record<string, unknown> } {
	const dir = mkdtempSync(path.join(tmpdir(), 'publish-step-'));
	try {
		if (packageJson) writeFileSync(path.join(dir, 'package.json'), JSON.stringify(packageJson, null, 2));
		else copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
		const result = spawnSync('bash', ['-e', '-c', script], { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8' });
		return { status: result.status, manifest: JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

describe('the publish workflow', () => {
	it('runs on version tags only, with read-only rights except the publish job\'s OIDC token', () => {
		expect(Object.keys(workflow.on)).toEqual(['push']);
		expect(workflow.on.push).toEqual({ tags: ['v*'] });
		expect(workflow.permissions).toEqual({ contents: 'read' });
		for (const job of Object.values(workflow.jobs)) {
			const expected = job === publishJob() ? { contents: 'read', 'id-token': 'write' } : undefined;
			expect(job.permissions).toEqual(expected);
		}
	});

	it('runs the unit tiers (install, build, lint, type-check, jest on Node 20 and 24, the n8n 1.x line) before publishing', () => {
		const [name, tests] = Object.entries(workflow.jobs).find(([, job]) => job !== publishJob())!;
		expect([publishJob().needs].flat()).toContain(name);
		expect(tests.strategy?.matrix?.node).toEqual(['20', '24']);
		const commands = runs(tests);
		const order = ['npm ci', 'npm run build', 'npm run lint', 'npx tsc -p tsconfig.json --noEmit', 'npm test'].map((command) =>
			commands.findIndex((run) => run === command || run.startsWith(`${command} `)),
		);
		expect(order.every((index) => index >= 0)).toBe(true);
		expect([...order].sort((a, b) => a - b)).toEqual(order);
		const engineLine = tests.steps.find((step) => step.run?.includes('npm run test:n8n1'));
		expect(engineLine).toMatchObject({ if: "matrix.node == '20'" });
		expect(engineLine?.run).toContain('npm run install:n8n1');
		// The same type-check as CI's.
		expect(readFileSync(path.join(root, '.ci/run'), 'utf8')).toContain('npx tsc -p tsconfig.json --noEmit');
	});

	it('names only npm scripts that exist', () => {
		const named = Object.values(workflow.jobs)
			.flatMap(runs)
			.flatMap((run) => [...run.matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1]));
		expect(named.length).toBeGreaterThan(3);
		for (const script of named) expect(Object.keys(manifest.scripts)).toContain(script);
	});

	it('publishes with provenance to the public registry, the token from the repository secrets, after a fresh build', () => {
		const job = publishJob();
		const setup = job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
		expect(setup?.with).toMatchObject({ 'registry-url': 'https://registry.npmjs.org' });
		const publish = job.steps.find((step) => step.run?.startsWith('npm publish'))!;
		expect(publish.run?.trim()).toBe('npm publish --provenance --access public');
		expect(publish.env).toEqual({ NODE_AUTH_TOKEN: '${{ secrets.NPM_TOKEN }}' });
		const commands = runs(job);
		const at = (command: string) => commands.findIndex((run) => run.startsWith(command));
		expect(at('npm ci')).toBeGreaterThanOrEqual(0);
		expect(at('npm ci')).toBeLessThan(at('npm run build'));
		expect(at('npm run build')).toBeLessThan(at('npm publish'));
	});

	it('refuses a tag that is not the version in package.json', () => {
		const step = publishJob().steps.find((candidate) => candidate.run?.includes('GITHUB_REF_NAME'))!;
		expect(runStep(step.run!, { GITHUB_REF_NAME: `v${manifest.version}` }).status).toBe(0);
		expect(runStep(step.run!, { GITHUB_REF_NAME: 'v99.0.0' }).status).not.toBe(0);
		expect(runStep(step.run!, { GITHUB_REF_NAME: manifest.version }).status).not.toBe(0);
	});

	it('gives package.json the repository provenance is checked against, when it has none, and keeps one it has', () => {
		const job = publishJob();
		const step = job.steps.find((candidate) => candidate.run?.includes('GITHUB_REPOSITORY'))!;
		expect(job.steps.indexOf(step)).toBeLessThan(job.steps.findIndex((candidate) => candidate.run?.startsWith('npm publish')));
		const env = { GITHUB_REPOSITORY: 'deer-team/n8n-nodes-deerapi-relay' };

		const filled = runStep(step.run!, env);
		expect(filled.status).toBe(0);
		expect(filled.manifest.repository).toEqual(
			manifest.repository ?? { type: 'git', url: 'git+https://github.com/deer-team/n8n-nodes-deerapi-relay.git' },
		);
		// The rest of package.json is left as it was.
		const { repository: _added, ...rest } = filled.manifest;
		const { repository: _own, ...original } = manifest as Record<string, unknown>;
		expect(rest).toEqual(original);

		const own = { name: 'x', version: '1.0.0', repository: { type: 'git', url: 'git+https://github.com/someone/else.git' } };
		expect(runStep(step.run!, env, own).manifest.repository).toEqual(own.repository);
	});
});
