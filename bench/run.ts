/**
 * `npm run bench`: every benchmark, each in its own process (node --expose-gc), against the sandbox
 * relay on loopback; prints one table. Not part of `npm test`.
 *
 *   node build/bench/run.js [--only overhead,streaming,throughput,images,load,embeddings,videos,midjourney] [--json file] [--markdown file]
 *   node build/bench/run.js --real-n8n   the throughput in real n8n 2.40.7 instead (real-n8n.ts; the e2e tier's install)
 *   node build/bench/run.js --only videos-real   video tasks in real n8n 2.40.7 beside n8n's OpenAI node (videos-real.ts)
 *
 * Environment: BENCH_PACKAGE_DIR (another built package folder, e.g. an experimental copy),
 * BENCH_TRANSPORT (another compiled transport folder, for 2 and 3), BENCH_PROFILE (a folder:
 * CPU profiles of the throughput runs). Each bench script also runs alone: node --expose-gc
 * build/bench/<name>.js.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { childEnv } from './lib/env';
import { describeMachine, type Machine } from './lib/machine';
import { RESULT_PREFIX, type BenchReport, type BenchRow } from './lib/report';

const BENCHES = ['throughput', 'overhead', 'streaming', 'images', 'load', 'embeddings', 'videos', 'midjourney'];
/** Run only when asked (--real-n8n or --only): they need the e2e tier's n8n install. */
const REAL_N8N = 'real-n8n';
const VIDEOS_REAL = 'videos-real';
/** A bench that runs longer than this is stopped (the whole run must end by itself). */
const BENCH_TIMEOUT_MS = 6 * 60_000;
/** Real n8n may install itself first (cold: several minutes). */
const REAL_N8N_TIMEOUT_MS = 20 * 60_000;

function option(name: string): string | undefined {
	const index = process.argv.indexOf(`--${name}`);
	return index >= 0 ? process.argv[index + 1] : undefined;
}

function runBench(name: string): Promise<BenchReport> {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		process.stderr.write(`\n[${name}]\n`);
		const child = spawn(process.execPath, ['--expose-gc', path.join(__dirname, `${name}.js`)], {
			env: childEnv(),
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		let stdout = '';
		child.stdout.on('data', (chunk: Buffer) => {
			stdout += chunk.toString();
		});
		const timeoutMs = name === REAL_N8N || name === VIDEOS_REAL ? REAL_N8N_TIMEOUT_MS : BENCH_TIMEOUT_MS;
		const timer = setTimeout(() => {
			process.stderr.write(`  ${name}: over ${timeoutMs / 60000} min, stopping it\n`);
			// SIGTERM first: real-n8n stops the n8n it started on the way out.
			child.kill('SIGTERM');
			setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
		}, timeoutMs);
		child.on('error', reject);
		child.on('exit', (code, signal) => {
			clearTimeout(timer);
			const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
			for (const other of stdout.split('\n')) if (other && !other.startsWith(RESULT_PREFIX)) process.stderr.write(`  ${other}\n`);
			if (code !== 0 || !line) {
				reject(new Error(`bench "${name}" failed (exit ${code ?? signal})`));
				return;
			}
			process.stderr.write(`  ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
			resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as BenchReport);
		});
	});
}

const COLUMNS: Array<[keyof BenchRow | 'status', string]> = [
	['bench', 'bench'],
	['case', 'case'],
	['value', 'measured'],
	['reference', 'against'],
	['ratio', 'ratio'],
	['target', 'target'],
	['status', 'met'],
];

function cell(row: BenchRow, key: keyof BenchRow | 'status'): string {
	if (key === 'status') return row.met === undefined ? '' : row.met ? 'yes' : 'NO';
	const value = row[key];
	return value === undefined ? '' : String(value);
}

export function textTable(rows: BenchRow[]): string {
	const widths = COLUMNS.map(([key, title]) => Math.max(title.length, ...rows.map((row) => cell(row, key).length)));
	const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
	return [line(COLUMNS.map(([, title]) => title)), line(widths.map((w) => '-'.repeat(w))), ...rows.map((row) => line(COLUMNS.map(([key]) => cell(row, key))))].join('\n');
}

export function markdownTable(rows: BenchRow[]): string {
	const escape = (text: string) => text.replace(/\|/g, '\\|');
	return [
		`| ${COLUMNS.map(([, title]) => title).join(' | ')} |`,
		`| ${COLUMNS.map(() => '---').join(' | ')} |`,
		...rows.map((row) => `| ${COLUMNS.map(([key]) => escape(cell(row, key))).join(' | ')} |`),
	].join('\n');
}

function machineLines(machine: Machine): string[] {
	return [
		`date: ${machine.date}`,
		`machine: ${machine.cpus} CPUs (nproc), ${machine.cpuModel}; ${machine.memory}`,
		`node ${machine.node} on ${machine.os}`,
	];
}

async function main(): Promise<void> {
	const only = option('only')?.split(',').map((s) => s.trim());
	const selected = only
		? [...BENCHES, REAL_N8N, VIDEOS_REAL].filter((name) => only.includes(name))
		: process.argv.includes(`--${REAL_N8N}`)
			? [REAL_N8N]
			: BENCHES;
	const machine = describeMachine();
	process.stderr.write(`${machineLines(machine).join('\n')}\n`);
	const started = Date.now();
	const reports: BenchReport[] = [];
	const failures: string[] = [];
	for (const name of selected) {
		try {
			reports.push(await runBench(name));
		} catch (error) {
			failures.push((error as Error).message);
			process.stderr.write(`  ${(error as Error).message}\n`);
		}
	}
	const rows = reports.flatMap((report) => report.rows);
	const seconds = (Date.now() - started) / 1000;
	console.log(`\n${machineLines(machine).join('\n')}\nwall time of the bench: ${seconds.toFixed(0)} s\n`);
	console.log(textTable(rows));
	const missed = rows.filter((row) => row.met === false);
	console.log(`\ntargets: ${rows.filter((row) => row.met === true).length} met, ${missed.length} missed${failures.length ? `; ${failures.length} bench(es) failed: ${failures.join('; ')}` : ''}`);

	const record = { machine, seconds, reports, failures };
	const jsonFile = option('json') ?? path.join(__dirname, 'last-run.json');
	mkdirSync(path.dirname(jsonFile), { recursive: true });
	writeFileSync(jsonFile, `${JSON.stringify(record, null, 2)}\n`);
	const markdownFile = option('markdown');
	if (markdownFile) {
		writeFileSync(markdownFile, `${machineLines(machine).map((l) => `- ${l}`).join('\n')}\n- bench wall time: ${seconds.toFixed(0)} s\n\n${markdownTable(rows)}\n`);
	}
	process.exitCode = failures.length ? 1 : 0;
}

if (require.main === module) {
	main().catch((error: unknown) => {
		console.error(error);
		process.exit(1);
	});
}
