/**
 * `npm run e2e`: the package in real n8n, both lines, as a self-hosting user meets it. Prints a
 * table (check, 2.x, 1.x) and exits non-zero when a check failed.
 *
 *   --line 2.x|1.x   one line only            --no-browser   REST checks only
 *   --keep           keep the run folder (user folders, logs, database) for a look afterwards
 *   --queue          instead: n8n 2.x in queue mode (Postgres, Redis, main and two workers), see queue.ts
 * Environment: DEERAPI_E2E_CACHE (n8n installs), DEERAPI_E2E_OUT (screenshots and the requests of the Agent runs; default e2e-output/).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { LINES, REPO_ROOT } from './config';
import { runLine } from './line';
import { QUEUE_COLUMN, runQueue } from './queue';
import { run, stopAll, stopAllOnSignals } from './processes';
import { readmeInstallCommand } from '../harness/readme';
import { Report } from './report';

export const OUTPUT_DIR = process.env.DEERAPI_E2E_OUT
	? path.resolve(process.env.DEERAPI_E2E_OUT)
	: path.join(REPO_ROOT, 'e2e-output');

/** `npm pack` of the clone into runDir: the tarball a user would install. */
export async function pack(runDir: string): Promise<string> {
	const result = await run('npm', ['pack', '--json', '--pack-destination', runDir, '--loglevel=error'], { cwd: REPO_ROOT });
	const [packed] = JSON.parse(result.stdout) as Array<{ filename: string }>;
	return path.join(runDir, packed.filename);
}

function flag(name: string): string | undefined {
	const index = process.argv.indexOf(`--${name}`);
	return index < 0 ? undefined : process.argv[index + 1];
}

async function main(): Promise<number> {
	stopAllOnSignals();
	const started = Date.now();
	const queue = process.argv.includes('--queue');
	const only = flag('line');
	const lines = LINES.filter((line) => !only || line.label === only);
	if (lines.length === 0) throw new Error(`--line must be one of ${LINES.map((line) => line.label).join(', ')}`);
	const report = new Report(queue ? [QUEUE_COLUMN] : LINES.map((line) => line.label));
	const runDir = mkdtempSync(path.join(os.tmpdir(), 'deerapi-e2e-'));
	const screenshotsDir = path.join(OUTPUT_DIR, 'screenshots');
	const requestsDir = path.join(OUTPUT_DIR, 'requests');
	rmSync(screenshotsDir, { recursive: true, force: true });
	rmSync(requestsDir, { recursive: true, force: true });
	console.log(`[e2e] run folder ${runDir}; screenshots in ${path.relative(process.cwd(), screenshotsDir) || screenshotsDir}`);
	try {
		const installCommand = readmeInstallCommand(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'));
		const tarball = await pack(runDir);
		console.log(`[e2e] packed ${path.basename(tarball)}; README install command: ${installCommand}`);
		if (queue)
			await runQueue(report, { runDir, tarball, installCommand }).catch((error: unknown) =>
				report.record('queue run aborted', QUEUE_COLUMN, { status: 'fail', detail: error instanceof Error ? error.stack : String(error) }),
			);
		// The lines run side by side: each has its own sandbox, user folder and ports.
		else await Promise.all(
			lines.map((line) =>
				runLine(report, line, { runDir, tarball, installCommand, screenshotsDir, requestsDir, browser: !process.argv.includes('--no-browser') && line.label === '2.x' }).catch(
					(error: unknown) => report.record('line aborted', line.label, { status: 'fail', detail: error instanceof Error ? error.stack : String(error) }),
				),
			),
		);
	} finally {
		await stopAll();
		if (!process.argv.includes('--keep') && !report.failed) rmSync(runDir, { recursive: true, force: true });
		else console.log(`[e2e] kept ${runDir}`);
	}
	console.log(`\n${report.table()}\n`);
	const failures = report.failures();
	if (failures.length) console.log(`Failed:\n${failures.map((failure) => `- ${failure}`).join('\n')}\n`);
	console.log(`[e2e] ${failures.length ? 'FAILED' : 'passed'} in ${Math.round((Date.now() - started) / 1000)} s`);
	return failures.length ? 1 : 0;
}

if (require.main === module) {
	main().then(
		(code) => process.exit(code),
		(error: unknown) => {
			console.error(error instanceof Error ? error.stack : error);
			process.exit(1);
		},
	);
}
