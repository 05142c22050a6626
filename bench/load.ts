/**
 * 5. Load time: each built node and the credential (package.json `n8n.nodes` / `n8n.credentials`)
 * required in a fresh `node` process, timed with hrtime around require(); several processes each,
 * median. "cold": nothing loaded before. "n8n-workflow preloaded": what n8n sees (it has
 * n8n-workflow loaded long before it loads community packages). To say what dominates, the same
 * with our runtime dependencies preloaded too, and each dependency alone.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { childEnv } from './lib/env';
import { packageDir } from './lib/package';
import { emit, progress, runMain, type BenchRow } from './lib/report';
import { median, ms } from './lib/stats';

const REPEAT = Number(process.env.BENCH_LOAD_REPEAT ?? 5);
const TARGET_MS = 50;

/** One fresh process: require `preload` (untimed), then time require(target). */
function timeRequire(dir: string, target: string, preload: string[]): { ms: number; modules: number } {
	const script = `
const t = () => process.hrtime.bigint();
for (const id of ${JSON.stringify(preload)}) require(id);
const before = Object.keys(require.cache).length;
const start = t();
require(${JSON.stringify(target)});
const elapsed = Number(t() - start) / 1e6;
process.stdout.write(JSON.stringify({ ms: elapsed, modules: Object.keys(require.cache).length - before }));
`;
	const out = execFileSync(process.execPath, ['-e', script], { cwd: dir, env: childEnv() }).toString();
	return JSON.parse(out) as { ms: number; modules: number };
}

function medianOf(dir: string, target: string, preload: string[]): { ms: number; modules: number; all: number[] } {
	const runs = Array.from({ length: REPEAT }, () => timeRequire(dir, target, preload));
	return { ms: median(runs.map((r) => r.ms)), modules: runs[0].modules, all: runs.map((r) => r.ms) };
}

async function main(): Promise<void> {
	const dir = packageDir();
	const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
		n8n: { nodes: string[]; credentials: string[] };
		dependencies?: Record<string, string>;
	};
	const files = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
	const deps = Object.keys(pkg.dependencies ?? {});
	const rows: BenchRow[] = [];
	const details: Record<string, unknown> = {};

	for (const dep of ['n8n-workflow', ...deps]) {
		const result = medianOf(dir, dep, []);
		details[`dependency ${dep}`] = result;
		rows.push({
			bench: '5 load',
			case: `dependency alone, cold: ${dep} (${result.modules} modules)`,
			value: ms(result.ms, 1),
		});
	}
	for (const file of files) {
		const target = path.join(dir, file);
		const name = path.basename(file, '.js');
		progress(`load: ${name}`);
		const cold = medianOf(dir, target, []);
		const warm = medianOf(dir, target, ['n8n-workflow']);
		const depsLoaded = medianOf(dir, target, ['n8n-workflow', ...deps]);
		details[name] = { cold, withN8nWorkflow: warm, withDependencies: depsLoaded };
		rows.push(
			{
				bench: '5 load',
				case: `${name}: n8n-workflow preloaded, as in n8n (${warm.modules} modules)`,
				value: ms(warm.ms, 1),
				reference: `${TARGET_MS} ms`,
				target: `< ${TARGET_MS} ms`,
				met: warm.ms < TARGET_MS,
			},
			{ bench: '5 load', case: `${name}: cold (${cold.modules} modules)`, value: ms(cold.ms, 1) },
			{
				bench: '5 load',
				case: `${name}: n8n-workflow and ${deps.join(', ')} preloaded (our own code)`,
				value: ms(depsLoaded.ms, 1),
			},
		);
	}
	emit({ name: 'load', rows, details: { packageDir: dir, repeat: REPEAT, ...details } });
}

runMain(main);
