/**
 * 1r. Throughput in real n8n (regular mode): the packed package installed by the README's command
 * into n8n 2.40.7 on Node 24, the e2e tier's install (its cache, processes, ports). A published
 * workflow Webhook -> Code (200 items) -> DeerAPI Chat, Max Concurrent Requests 10 and 20, the
 * sandbox relay at 100 ms. The figure is the Chat node's executionTime from the stored run data,
 * against the ideal ceil(200 / c) x 100 ms; the relay's view (first request in, last answer out)
 * and the n8n process's CPU time beside it.
 *
 *   npm run bench -- --real-n8n        (this bench only: node build/bench/real-n8n.js)
 *   BENCH_REAL_RUNS (measured runs per concurrency, default 5), BENCH_CONCURRENCY (default 10,20),
 *   BENCH_ITEMS (default 200), BENCH_PROFILE=<dir>: n8n runs with --cpu-prof; the summary of the
 *   samples inside the Chat node's runs is printed and written to <dir>/real-n8n-summary.txt.
 *   BENCH_N8N_ENV="N8N_EXPRESSION_ENGINE=legacy,..." adds environment to `n8n start` (another
 *   expression engine, say: 2.x evaluates expressions in isolated-vm by default).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startSandbox, type Sandbox } from '../sandbox';
import { LINES, REPO_ROOT } from '../e2e/config';
import { query } from '../e2e/database';
import { ensureLine } from '../e2e/install';
import { installByReadme } from '../e2e/line';
import { N8nInstance } from '../e2e/n8n';
import { stopAll, stopAllOnSignals } from '../e2e/processes';
import { chatBatchWorkflow, parseStored, webhookPath } from '../e2e/queue';
import { readmeInstallCommand } from '../harness/readme';
import { pack } from '../e2e/run';
import { importCredentials } from '../e2e/workflows';
import { summarise, type Window } from './profile-summary';
import { emit, progress, runMain, type BenchRow } from './lib/report';
import { median, ms, processCpuMs, ratio } from './lib/stats';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 200);
const LATENCY_MS = 100;
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '10,20').split(',').map(Number);
const RUNS = Number(process.env.BENCH_REAL_RUNS ?? 5);
/** The issue's goal for real n8n, per concurrency. */
const GOALS: Record<number, number> = { 10: 1.05, 20: 1.1 };
const N8N_ENV: Record<string, string> = Object.fromEntries(
	(process.env.BENCH_N8N_ENV ?? '')
		.split(',')
		.filter(Boolean)
		.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);

interface Measured {
	concurrency: number;
	/** The Chat node's executionTime in the run data. */
	chatMs: number;
	/** First chat request received to last answer closed, at the relay. */
	relayMs: number;
	/** CPU time of the n8n process over the whole run (webhook, Code node, Chat, saving). */
	n8nCpuMs: number;
	/** The Chat node's run on the monotonic clock (profile windows). */
	window: Window;
}

/** Date.now() milliseconds to the monotonic microseconds of process.hrtime and V8's profiles. */
function monotonicUs(epochMs: number, offsetUs: number): number {
	return epochMs * 1000 - offsetUs;
}

async function lastExecution(n8n: N8nInstance, workflowId: string, after: number): Promise<{ id: number; data: string }> {
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		const rows = await query(
			n8n,
			`SELECT e.id AS id, e.status AS status, d.data AS data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id
			 WHERE e.workflowId = '${workflowId}' AND e.id > ${after} ORDER BY e.id DESC LIMIT 1`,
		);
		const row = rows[0] as { id: number; status: string; data: string } | undefined;
		if (row && row.status === 'success') return row;
		if (row && row.status !== 'running' && row.status !== 'new') throw new Error(`execution ${row.id} ended ${row.status}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`no successful execution of ${workflowId} within 30 s`);
}

/** POST to a workflow's webhook; a 404 is retried for a while, as n8n registers published webhooks after it starts listening. */
async function postWebhook(n8n: N8nInstance, workflowId: string, body: unknown): Promise<{ ok: boolean; status: number; text: string }> {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const answer = await fetch(`${n8n.baseUrl}/webhook/${webhookPath(workflowId)}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		const text = await answer.text();
		if (answer.status !== 404 || Date.now() > deadline) return { ok: answer.ok, status: answer.status, text };
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
}

async function main(): Promise<void> {
	stopAllOnSignals();
	const line = LINES.find((candidate) => candidate.label === '2.x')!;
	progress(`real-n8n: n8n ${line.n8nVersion} on Node ${line.nodeMajor} (e2e cache; cold install takes minutes)`);
	const installed = await ensureLine(line);
	const runDir = mkdtempSync(path.join(os.tmpdir(), 'deerapi-bench-n8n-'));
	const profileDir = process.env.BENCH_PROFILE ? path.resolve(process.env.BENCH_PROFILE) : undefined;
	const closedAt: number[] = [];
	let sandbox: Sandbox | undefined;
	const n8n = new N8nInstance(installed, runDir, { folderName: 'n8n-bench' });
	try {
		sandbox = await startSandbox({
			apiKey: 'sk-bench-real-n8n-3e9a1c',
			latencyMs: LATENCY_MS,
			onResponse: (entry) => {
				if (entry.path.endsWith('/chat/completions')) closedAt.push(Date.now());
			},
		});
		const tarball = await pack(runDir);
		await installByReadme(n8n, readmeInstallCommand(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')), tarball);
		await importCredentials(n8n, sandbox, 'sk-bench-unused-wrong-key');
		const folder = path.join(n8n.userFolder, 'import-workflows');
		mkdirSync(folder, { recursive: true });
		const workflowIds = new Map(CONCURRENCIES.map((c) => [c, `benchRealC${String(c).padStart(3, '0')}000000`.slice(0, 16)]));
		for (const [c, id] of workflowIds) {
			writeFileSync(path.join(folder, `${id}.json`), JSON.stringify(chatBatchWorkflow(id, `bench: ${ITEMS} Chat items, c=${c}`, ITEMS, c, 'lastNode')));
		}
		await n8n.cli(['import:workflow', '--separate', `--input=${folder}`]);
		for (const id of workflowIds.values()) await n8n.cli(['publish:workflow', `--id=${id}`]);
		if (profileDir) mkdirSync(profileDir, { recursive: true });
		await n8n.start(180_000, { ...N8N_ENV, ...(profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir} --cpu-prof-interval=250` } : {}) });
		const pid = n8n.serverPid!;
		progress(`real-n8n: n8n started (pid ${pid}) at ${n8n.baseUrl}${profileDir ? `, profiling into ${profileDir}` : ''}`);

		const offsetUs = Date.now() * 1000 - Number(process.hrtime.bigint() / 1000n);
		let lastId = 0;
		const runOnce = async (c: number, runIndex: number): Promise<Measured> => {
			const id = workflowIds.get(c)!;
			sandbox!.clearRequests();
			closedAt.length = 0;
			const cpu0 = processCpuMs(pid);
			const answer = await postWebhook(n8n, id, { run: runIndex });
			if (!answer.ok) throw new Error(`webhook answered ${answer.status}: ${answer.text.slice(0, 300)}`);
			const row = await lastExecution(n8n, id, lastId);
			const n8nCpuMs = processCpuMs(pid) - cpu0;
			lastId = row.id;
			const chatRun = parseStored(n8n, row.data).data.resultData.runData.Chat?.[0] as
				| { startTime: number; executionTime: number; data?: { main?: Array<Array<{ json: { content?: string } }>> } }
				| undefined;
			if (!chatRun) throw new Error(`execution ${row.id} has no Chat run`);
			const items = chatRun.data?.main?.[0] ?? [];
			if (items.length !== ITEMS) throw new Error(`execution ${row.id}: ${items.length} Chat items, not ${ITEMS}`);
			items.forEach((item, index) => {
				const expected = `Sandbox reply to: run ${runIndex} item ${index}`;
				if (item.json.content !== expected) throw new Error(`execution ${row.id} item ${index}: "${item.json.content}", expected "${expected}"`);
			});
			const chats = sandbox!.requests.filter((request) => request.path.endsWith('/chat/completions'));
			if (chats.length !== ITEMS || closedAt.length !== ITEMS) throw new Error(`the relay saw ${chats.length} requests, ${closedAt.length} answers, not ${ITEMS}`);
			const relayMs = Math.max(...closedAt) - Math.min(...chats.map((request) => request.receivedAt));
			const start = monotonicUs(chatRun.startTime, offsetUs);
			// A pause between runs: n8n finishes saving, the next run starts on a quiet event loop.
			await new Promise((resolve) => setTimeout(resolve, 1000));
			return { concurrency: c, chatMs: chatRun.executionTime, relayMs, n8nCpuMs, window: [start, start + chatRun.executionTime * 1000] };
		};

		progress('real-n8n: warm-up, one run per concurrency');
		for (const c of CONCURRENCIES) await runOnce(c, 0);
		const runs: Measured[] = [];
		const loadBefore = os.loadavg()[0];
		for (let r = 1; r <= RUNS; r++) {
			for (const c of CONCURRENCIES) {
				const measured = await runOnce(c, r);
				runs.push(measured);
				const idealMs = Math.ceil(ITEMS / c) * LATENCY_MS;
				progress(
					`real-n8n: c=${c} run ${r}: Chat node ${measured.chatMs} ms (${(measured.chatMs / idealMs).toFixed(3)}x of ${idealMs}), relay ${measured.relayMs} ms, n8n CPU ${measured.n8nCpuMs.toFixed(0)} ms`,
				);
			}
		}
		const loadAfter = os.loadavg()[0];
		await n8n.stop();

		const setting = Object.keys(N8N_ENV).length ? `, ${Object.entries(N8N_ENV).map(([key, value]) => `${key}=${value}`).join(' ')}` : '';
		const rows: BenchRow[] = [
			{
				bench: '1r real n8n',
				// n8n, its task runner, the sandbox and whatever else runs share the CPUs: say how busy they were.
				case: `machine load (1-minute load average, ${os.cpus().length} CPUs) before / after the measured runs`,
				value: `${loadBefore.toFixed(1)} / ${loadAfter.toFixed(1)}`,
			},
		];
		for (const c of CONCURRENCIES) {
			const mine = runs.filter((run) => run.concurrency === c);
			const idealMs = Math.ceil(ITEMS / c) * LATENCY_MS;
			const chat = median(mine.map((run) => run.chatMs));
			const goal = GOALS[c];
			rows.push({
				bench: '1r real n8n',
				case: `${ITEMS} items, c=${c}, n8n ${line.n8nVersion} regular mode${setting}: Chat node executionTime, median of ${mine.length} (all: ${mine.map((run) => run.chatMs).join(', ')})`,
				value: ms(chat, 0),
				reference: `ideal ${ms(idealMs, 0)}`,
				ratio: ratio(chat / idealMs, 3),
				target: goal ? `<= ${goal}x ideal` : undefined,
				met: goal ? chat / idealMs <= goal : undefined,
			});
			rows.push({
				bench: '1r real n8n',
				case: `${ITEMS} items, c=${c}: at the relay, first request in to last answer out, median`,
				value: ms(median(mine.map((run) => run.relayMs)), 0),
				reference: `ideal ${ms(idealMs, 0)}`,
				ratio: ratio(median(mine.map((run) => run.relayMs)) / idealMs, 3),
			});
			rows.push({
				bench: '1r real n8n',
				case: `${ITEMS} items, c=${c}: n8n process CPU per item (whole run: webhook, Code node, Chat, saving), median`,
				value: ms(median(mine.map((run) => run.n8nCpuMs)) / ITEMS, 2),
			});
		}
		let notes: string[] | undefined;
		if (profileDir) {
			const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile') && name.includes(`.${pid}.`));
			if (!file) throw new Error(`no CPU profile of pid ${pid} in ${profileDir}`);
			const summaries = CONCURRENCIES.map(
				(c) => `== c=${c}: the Chat node's ${RUNS} measured runs\n${summarise(path.join(profileDir, file), 30, runs.filter((run) => run.concurrency === c).map((run) => run.window))}`,
			);
			writeFileSync(path.join(profileDir, 'real-n8n-summary.txt'), `${summaries.join('\n\n')}\n`);
			for (const summary of summaries) progress(summary.replace(/\n/g, '\n  '));
			notes = [`profile: ${path.join(profileDir, file)}`];
		}
		emit({ name: 'real-n8n', rows, details: { items: ITEMS, latencyMs: LATENCY_MS, n8n: line.n8nVersion, runs }, notes });
	} finally {
		await n8n.stop();
		await sandbox?.close();
		await stopAll();
		rmSync(runDir, { recursive: true, force: true });
	}
}

runMain(main);
