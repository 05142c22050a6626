/**
 * `npm run e2e -- --queue`: the package in n8n 2.x queue mode, as a team that outgrew one process
 * runs it. Postgres and Redis (Debian's packages, this test's own processes), a main instance
 * that takes the webhooks and two `n8n worker`s that run the executions, all on one user folder
 * (one .n8n/nodes, as a shared mount), the sandbox relay at 100 ms. Results are read back from
 * Postgres, binary data included (n8n's `database` mode). The video examples' tasks outlast a
 * worker's job lock (JOB_LOCK), so the lock must be renewed while a node waits.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { DEFAULT_MODELS, startSandbox, type ResponseLogEntry } from '../sandbox';
import { checkFor } from '../harness/expectations';
import { LINES } from './config';
import { ensureLine } from './install';
import { installByReadme, secretsIn } from './line';
import { N8nInstance, type N8nWorker } from './n8n';
import { type Report } from './report';
import { Postgres, Redis } from './services';
import { executionError, exampleFiles, importCredentials, normaliseExecution, readExample, workflowId, type RawBinary, type RawExecution } from './workflows';

export const QUEUE_COLUMN = 'queue';
const LATENCY_MS = 100;
/** Jobs each worker runs at once (`n8n worker --concurrency`). */
const WORKER_CONCURRENCY = 5;
const BATCH = { executions: 20, items: 50, maxConcurrency: 5 };
const BATCH_WORKFLOW_ID = 'e2eQueueBatch001';
/** Longer runs for the kill: one request at a time, so each execution lasts 50 x 100 ms. */
const KILL = { executions: 6, items: 50, maxConcurrency: 1 };
const KILL_WORKFLOW_ID = 'e2eQueueKill0001';
/**
 * Bull's job lock in this run. n8n 2.40.7's own defaults (@n8n/config ScalingModeConfig, read by
 * ScalingService.setupQueue): lock 60 s (QUEUE_WORKER_LOCK_DURATION), renewed every 10 s
 * (QUEUE_WORKER_LOCK_RENEW_TIME), stalled-job check every 30 s (QUEUE_WORKER_STALLED_INTERVAL), and
 * maxStalledCount 0: a job whose lock lapsed is failed, never retried. Shorter here so that a
 * killed worker's jobs are noticed within the test.
 */
const JOB_LOCK = { durationMs: 10_000, renewMs: 5_000, stalledIntervalMs: 10_000 };
/** A video task lasts past the lock and a stalled-job check after it: only a renewed lock keeps its job. */
const VIDEO_TASK_MS = JOB_LOCK.durationMs + JOB_LOCK.stalledIntervalMs + 5_000;
const VIDEO_NODE_TYPE = 'n8n-nodes-deerapi-relay.deerApiVideo';

export interface QueueOptions {
	runDir: string;
	tarball: string;
	installCommand: string;
}

interface StoredExecution {
	id: string;
	status: string;
	startedAt: string | null;
	stoppedAt: string | null;
	execution?: RawExecution;
}

export function webhookPath(id: string): string {
	return `e2e-${id.toLowerCase()}`;
}

/**
 * An example with its manual trigger swapped for a webhook of the same name, so its connections
 * hold. Its other triggers (example 12's Schedule Trigger) are disabled: published, they would start
 * runs of their own in the middle of the test.
 */
function asWebhookWorkflow(file: string): Record<string, unknown> {
	const workflow = readExample(file);
	const id = workflowId(file);
	const nodes = (workflow.nodes as Array<Record<string, unknown>>).map((node) =>
		node.type === 'n8n-nodes-base.manualTrigger'
			? { ...node, type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: randomUUID(), parameters: { httpMethod: 'POST', path: webhookPath(id), responseMode: 'onReceived', options: {} } }
			: /Trigger$/.test(String(node.type))
				? { ...node, disabled: true }
				: node,
	);
	if (!nodes.some((node) => node.type === 'n8n-nodes-base.webhook')) throw new Error(`${file} has no manual trigger to start it by`);
	return { ...workflow, id, nodes, active: false };
}

/**
 * Webhook → Code (n items carrying the run and item number) → Chat, whose prompt says which run and
 * item it is. `responseMode` "lastNode" makes the webhook answer when the run is over (the bench waits on it).
 */
export function chatBatchWorkflow(id: string, name: string, items: number, maxConcurrency: number, responseMode: 'onReceived' | 'lastNode' = 'onReceived'): Record<string, unknown> {
	const trigger = 'Start';
	const code = 'Items';
	const chat = 'Chat';
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: randomUUID(), name: trigger, type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'POST', path: webhookPath(id), responseMode, options: {} } },
			{
				id: randomUUID(),
				name: code,
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
				parameters: { jsCode: `const run = $input.first().json.body.run;\nreturn Array.from({ length: ${items} }, (_, item) => ({ json: { run, item } }));` },
			},
			{
				id: randomUUID(),
				name: chat,
				type: 'n8n-nodes-deerapi-relay.deerApiChat',
				typeVersion: 1,
				position: [440, 0],
				parameters: {
					model: { __rl: true, mode: 'list', value: 'gpt-4o-mini', cachedResultName: 'gpt-4o-mini' },
					messages: { values: [{ content: '=run {{ $json.run }} item {{ $json.item }}' }] },
					options: { maxConcurrency },
				},
				credentials: { deerApiRelayApi: { id: 'dEeRaPiExAmPlE01', name: 'DeerAPI account' } },
			},
		],
		connections: {
			[trigger]: { main: [[{ node: code, type: 'main', index: 0 }]] },
			[code]: { main: [[{ node: chat, type: 'main', index: 0 }]] },
		},
	};
}

/** Parses n8n's stored run data (flatted) with the flatted of that n8n install. */
export function parseStored(n8n: N8nInstance, data: string): RawExecution {
	const flatted = require(path.join(n8n.installed.n8nDir, 'node_modules', 'flatted')) as { parse: (text: string) => RawExecution['data'] };
	return { data: flatted.parse(data) };
}

async function storedExecutions(postgres: Postgres, n8n: N8nInstance, workflow: string, withData: boolean): Promise<StoredExecution[]> {
	const rows = await postgres.query(
		`SELECT e.id::text AS id, e.status, e."startedAt" AS "startedAt", e."stoppedAt" AS "stoppedAt"${withData ? ', d.data' : ''}
		 FROM execution_entity e LEFT JOIN execution_data d ON d."executionId" = e.id
		 WHERE e."workflowId" = '${workflow}' ORDER BY e.id`,
	);
	return rows.map((row) => ({
		id: String(row.id),
		status: String(row.status),
		startedAt: row.startedAt as string | null,
		stoppedAt: row.stoppedAt as string | null,
		execution: withData && typeof row.data === 'string' ? parseStored(n8n, row.data) : undefined,
	}));
}

const DONE = new Set(['success', 'error', 'crashed', 'canceled']);

/** Waits until `count` executions of `workflow` are stored and none is still running or waiting. */
async function waitForExecutions(postgres: Postgres, n8n: N8nInstance, workflow: string, count: number, timeoutMs: number): Promise<StoredExecution[]> {
	const deadline = Date.now() + timeoutMs;
	let seen: StoredExecution[] = [];
	while (Date.now() < deadline) {
		seen = await storedExecutions(postgres, n8n, workflow, false);
		if (seen.length >= count && seen.every((execution) => DONE.has(execution.status))) return storedExecutions(postgres, n8n, workflow, true);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`after ${timeoutMs / 1000} s: ${seen.length}/${count} executions stored, statuses ${seen.map((e) => e.status).join(',')}`);
}

async function post(n8n: N8nInstance, workflow: string, body: unknown): Promise<void> {
	const answer = await fetch(`${n8n.baseUrl}/webhook/${webhookPath(workflow)}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	if (!answer.ok) throw new Error(`POST /webhook/${webhookPath(workflow)} answered ${answer.status}: ${(await answer.text()).slice(0, 300)}`);
}

/** Binary bytes in `database` mode: the rows of n8n's binary_data table for this execution. */
async function binaryReader(postgres: Postgres, executionId: string): Promise<(binary: RawBinary) => Buffer> {
	const rows = await postgres.query(`SELECT "fileId"::text AS "fileId", encode(data, 'base64') AS data FROM binary_data WHERE "sourceId" = '${executionId}'`);
	const files = new Map(rows.map((row) => [String(row.fileId), Buffer.from(String(row.data), 'base64')]));
	return (binary) => {
		if (!binary.id) return Buffer.from(binary.data ?? '', 'base64');
		const fileId = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(binary.id)?.[0];
		const bytes = fileId ? files.get(fileId) : undefined;
		if (!bytes) throw new Error(`binary ${binary.id} is not in binary_data for execution ${executionId} (${files.size} rows there)`);
		return bytes;
	};
}

/** Which worker ran which execution, from each worker's "Worker started execution N" log lines. */
function executionsByWorker(workers: N8nWorker[]): Map<string, number> {
	const owner = new Map<string, number>();
	for (const worker of workers) {
		if (!existsSync(worker.logFile)) continue;
		for (const match of readFileSync(worker.logFile, 'utf8').matchAll(/Worker started execution (\d+)/g)) owner.set(match[1], worker.index);
	}
	return owner;
}

/** The run and item a Chat request came from, read from its prompt. */
function origin(body: any): { run: number; item: number } | undefined {
	const text = JSON.stringify(body?.messages ?? '');
	const match = /run (\d+) item (\d+)/.exec(text);
	return match ? { run: Number(match[1]), item: Number(match[2]) } : undefined;
}

function chatItems(execution: RawExecution): Array<{ content?: string }> {
	return (execution.data.resultData.runData.Chat?.[0]?.data?.main?.[0] ?? []).map((item) => item.json as { content?: string });
}

export async function runQueue(report: Report, options: QueueOptions): Promise<void> {
	const column = QUEUE_COLUMN;
	const line = LINES.find((candidate) => candidate.label === '2.x')!;
	const apiKey = 'sk-e2e-good-queue-7c21e0b4';
	const wrongKey = 'sk-e2e-wrong-queue-19ad53f2';
	const installed = await report.check('install n8n 2.x (cache reused when complete)', column, async () => ensureLine(line));
	if (!installed) return;
	const responses: ResponseLogEntry[] = [];
	const sandbox = await startSandbox({ apiKey, latencyMs: LATENCY_MS, videoTaskMs: VIDEO_TASK_MS, onResponse: (entry) => responses.push(entry) });
	let postgres: Postgres | undefined;
	let redis: Redis | undefined;
	let n8n: N8nInstance | undefined;
	try {
		const services = await report.check('Postgres and Redis (Debian packages) on free loopback ports', column, async () => {
			[postgres, redis] = await Promise.all([Postgres.start(), Redis.start(path.join(options.runDir, 'redis'))]);
			return `postgres on ${postgres.port}, redis on ${redis.port}`;
		});
		if (!services || !postgres || !redis) return;
		const db = postgres;
		n8n = new N8nInstance(installed, options.runDir, {
			folderName: 'n8n-queue',
			env: {
				...db.n8nEnv(),
				...redis.n8nEnv(),
				EXECUTIONS_MODE: 'queue',
				// Binary data where main and every worker read it without a shared disk or S3 licence.
				N8N_DEFAULT_BINARY_DATA_MODE: 'database',
				QUEUE_WORKER_LOCK_DURATION: String(JOB_LOCK.durationMs),
				QUEUE_WORKER_LOCK_RENEW_TIME: String(JOB_LOCK.renewMs),
				QUEUE_WORKER_STALLED_INTERVAL: String(JOB_LOCK.stalledIntervalMs),
			},
		});
		const instance = n8n;
		const ready = await report.check('package by the README command into the one shared .n8n/nodes; credential and workflows imported once', column, async () => {
			const installedBy = await installByReadme(instance, options.installCommand, options.tarball);
			await importCredentials(instance, sandbox, wrongKey);
			const folder = path.join(instance.userFolder, 'import-workflows');
			mkdirSync(folder, { recursive: true });
			const workflows = [
				...exampleFiles().map((file) => asWebhookWorkflow(file)),
				chatBatchWorkflow(BATCH_WORKFLOW_ID, 'e2e queue: chat batch', BATCH.items, BATCH.maxConcurrency),
				chatBatchWorkflow(KILL_WORKFLOW_ID, 'e2e queue: worker kill', KILL.items, KILL.maxConcurrency),
			];
			for (const workflow of workflows) writeFileSync(path.join(folder, `${String(workflow.id)}.json`), JSON.stringify(workflow));
			await instance.cli(['import:workflow', '--separate', `--input=${folder}`]);
			for (const workflow of workflows) await instance.cli(['publish:workflow', `--id=${String(workflow.id)}`]);
			return `${installedBy}; ${workflows.length} workflows published`;
		});
		if (!ready) return;

		const workers: N8nWorker[] = [];
		const started = await report.check('main (EXECUTIONS_MODE=queue, DB_TYPE=postgresdb) and two n8n workers', column, async () => {
			await instance.start();
			workers.push(...(await Promise.all([instance.startWorker(WORKER_CONCURRENCY), instance.startWorker(WORKER_CONCURRENCY)])));
			return `main ${instance.baseUrl}, workers pid ${workers.map((worker) => worker.pid).join(' and ')}, concurrency ${WORKER_CONCURRENCY} each`;
		});
		if (!started) return;

		const videoRuns: Array<{ file: string; stored: StoredExecution; submits: number }> = [];
		for (const file of exampleFiles()) {
			await report.check(`example ${file} (webhook on main, run by a worker, read from Postgres)`, column, async () => {
				sandbox.clearRequests();
				const id = workflowId(file);
				const before = (await storedExecutions(db, instance, id, false)).length;
				await post(instance, id, {});
				const [stored] = (await waitForExecutions(db, instance, id, before + 1, 120_000)).slice(before);
				if (!stored.execution) throw new Error(`execution ${stored.id} has no stored data`);
				const error = executionError(stored.execution);
				if (error || stored.status !== 'success') throw new Error(`execution ${stored.id} ${stored.status}: ${error ?? ''}`);
				const worker = executionsByWorker(workers).get(stored.id);
				if (!worker) throw new Error(`no worker logged execution ${stored.id}: it did not run on a worker`);
				await checkFor(file)(normaliseExecution(instance, stored.execution, await binaryReader(db, stored.id)), {
					workflow: readExample(file),
					requests: [...sandbox.requests],
					models: DEFAULT_MODELS,
				});
				if (readExample(file).nodes.some((node) => node.type === VIDEO_NODE_TYPE)) {
					videoRuns.push({ file, stored, submits: sandbox.requests.filter((request) => request.method === 'POST').length });
				}
				return `execution ${stored.id} on worker ${worker}`;
			});
		}

		await report.check(
			`video tasks of ${VIDEO_TASK_MS / 1000} s outlast the job lock (${JOB_LOCK.durationMs / 1000} s, renewed every ${JOB_LOCK.renewMs / 1000} s, stalled check every ${JOB_LOCK.stalledIntervalMs / 1000} s): each run once, on one worker, no stalled-job retry`,
			column,
			async () => {
				if (videoRuns.length === 0) throw new Error('no video example ran');
				const logs = [...workers.map((worker) => worker.logFile), instance.logFile].filter((file) => existsSync(file)).map((file) => readFileSync(file, 'utf8'));
				// Bull's word for a job whose lock lapsed ("job stalled more than maxStalledCount"); not "InstalledNode...".
				const stalled = logs.flatMap((log) => log.split('\n').filter((line) => /\bstalled\b/i.test(line)));
				if (stalled.length) throw new Error(`n8n logged a stalled job: ${stalled[0].slice(0, 300)}`);
				return videoRuns
					.map(({ file, stored, submits }) => {
						const ranMs = Date.parse(stored.stoppedAt ?? '') - Date.parse(stored.startedAt ?? '');
						if (!(ranMs > JOB_LOCK.durationMs + JOB_LOCK.stalledIntervalMs)) throw new Error(`${file}: execution ${stored.id} ran ${ranMs} ms, not past the lock and a stalled check`);
						const starts = logs.reduce((count, log) => count + [...log.matchAll(new RegExp(`Worker started execution ${stored.id} \\(`, 'g'))].length, 0);
						if (starts !== 1) throw new Error(`${file}: execution ${stored.id} was started ${starts} times by the workers`);
						const items = readExample(file).nodes.some((node) => node.name === 'Products') ? 'one submit per product' : 'one submit';
						return `${file}: execution ${stored.id} ${stored.status} after ${(ranMs / 1000).toFixed(1)} s, started once, ${submits} submits (${items})`;
					})
					.join('; ');
			},
		);

		await report.check(`${BATCH.executions} executions x ${BATCH.items} Chat items at once: every item answered once, in order`, column, async () => {
			sandbox.clearRequests();
			const startedAt = Date.now();
			await Promise.all(Array.from({ length: BATCH.executions }, (_, run) => post(instance, BATCH_WORKFLOW_ID, { run })));
			const stored = await waitForExecutions(db, instance, BATCH_WORKFLOW_ID, BATCH.executions, 300_000);
			const lastStop = Math.max(...stored.map((execution) => Date.parse(execution.stoppedAt ?? '')));
			const wallMs = lastStop - startedAt;
			const failed = stored.filter((execution) => execution.status !== 'success');
			if (failed.length) throw new Error(`executions not successful: ${failed.map((e) => `${e.id} ${e.status}`).join(', ')}`);
			const runsSeen = new Set<number>();
			for (const execution of stored) {
				const items = chatItems(execution.execution!);
				const run = Number(/run (\d+)/.exec(items[0]?.content ?? '')?.[1]);
				if (items.length !== BATCH.items) throw new Error(`execution ${execution.id} put out ${items.length} items, not ${BATCH.items}`);
				items.forEach((item, index) => {
					const expected = `Sandbox reply to: run ${run} item ${index}`;
					if (item.content !== expected) throw new Error(`execution ${execution.id} item ${index}: "${item.content}", expected "${expected}"`);
				});
				runsSeen.add(run);
			}
			if (runsSeen.size !== BATCH.executions) throw new Error(`runs answered: ${[...runsSeen].sort((a, b) => a - b).join(',')}`);
			const counts = new Map<string, number>();
			for (const request of sandbox.requests.filter((r) => r.path.endsWith('/chat/completions'))) {
				const from = origin(request.body);
				if (!from) throw new Error(`a chat request without run and item: ${request.rawBody.toString().slice(0, 200)}`);
				counts.set(`${from.run}/${from.item}`, (counts.get(`${from.run}/${from.item}`) ?? 0) + 1);
			}
			const expected = BATCH.executions * BATCH.items;
			let lost = 0;
			for (let run = 0; run < BATCH.executions; run++) for (let item = 0; item < BATCH.items; item++) if (!counts.has(`${run}/${item}`)) lost++;
			const duplicates = [...counts.values()].reduce((sum, count) => sum + count - 1, 0);
			if (lost || duplicates) throw new Error(`requests lost ${lost}, duplicated ${duplicates}`);
			const byWorker = executionsByWorker(workers);
			const perWorker = workers.map((worker) => stored.filter((execution) => byWorker.get(execution.id) === worker.index).length);
			// Two workers x WORKER_CONCURRENCY jobs at once, each job ceil(items / maxConcurrency) rounds of the latency.
			const idealMs = Math.ceil(BATCH.executions / (workers.length * WORKER_CONCURRENCY)) * Math.ceil(BATCH.items / BATCH.maxConcurrency) * LATENCY_MS;
			return `${stored.length} executions, ${expected} items, ${counts.size} distinct requests, lost 0, duplicates 0; executions per worker ${perWorker.join(' / ')}; wall ${wallMs} ms vs ideal ${idealMs} ms (${(wallMs / idealMs).toFixed(2)}x; main, 2 workers, Postgres, Redis and the sandbox share 2 CPUs)`;
		});

		await report.check('a worker killed by its pid mid-run: what n8n does, the other worker unharmed, no request left hanging', column, async () => {
			sandbox.clearRequests();
			responses.length = 0;
			await Promise.all(Array.from({ length: KILL.executions }, (_, run) => post(instance, KILL_WORKFLOW_ID, { run: 100 + run })));
			// Until both workers run some of them and requests flow.
			const deadline = Date.now() + 60_000;
			let owners = executionsByWorker(workers);
			const killIds = () => [...owners.entries()].filter(([, worker]) => worker === workers[0].index).map(([id]) => id);
			const running = async () => (await storedExecutions(db, instance, KILL_WORKFLOW_ID, false)).map((e) => e.id);
			while (Date.now() < deadline) {
				const ids = await running();
				owners = new Map([...executionsByWorker(workers)].filter(([id]) => ids.includes(id)));
				const mine = ids.filter((id) => owners.get(id) === workers[0].index);
				const theirs = ids.filter((id) => owners.get(id) === workers[1].index);
				if (mine.length && theirs.length && sandbox.requests.length >= 10) break;
				await new Promise((resolve) => setTimeout(resolve, 200));
			}
			const victim = workers[0];
			const killedRuns = killIds();
			const survivorRuns = [...owners.entries()].filter(([, worker]) => worker === workers[1].index).map(([id]) => id);
			if (!killedRuns.length || !survivorRuns.length) throw new Error(`both workers must hold executions: worker 1 ${killedRuns.length}, worker 2 ${survivorRuns.length}`);
			const requestsAtKill = sandbox.requests.length;
			process.kill(victim.pid, 'SIGKILL');
			await new Promise<void>((resolve) => (victim.child.exitCode !== null || victim.child.signalCode !== null ? resolve() : victim.child.once('exit', () => resolve())));
			try {
				// The task runner it started, if still there: same process group, started by us.
				process.kill(-victim.pid, 'SIGKILL');
			} catch {
				// Gone with it.
			}
			// n8n decides what becomes of the killed worker's jobs (Bull's stalled-job check); wait for it, a while.
			const stored = await waitForExecutions(db, instance, KILL_WORKFLOW_ID, KILL.executions, 90_000).catch(() => storedExecutions(db, instance, KILL_WORKFLOW_ID, true));
			const status = (id: string) => stored.find((execution) => execution.id === id)?.status;
			const survivorsFailed = survivorRuns.filter((id) => status(id) !== 'success');
			if (survivorsFailed.length) throw new Error(`the other worker's executions did not all succeed: ${survivorsFailed.map((id) => `${id}:${status(id)}`).join(', ')}`);
			for (const id of survivorRuns) {
				const items = chatItems(stored.find((execution) => execution.id === id)!.execution!);
				if (items.length !== KILL.items || items.some((item, index) => !item.content?.endsWith(` item ${index}`))) throw new Error(`execution ${id} (other worker) items wrong`);
			}
			// Every request the relay took got an answer or saw its connection close: nothing hangs on our side.
			const settle = Date.now() + 10_000;
			const apiRequests = () => sandbox.requests.filter((r) => r.path.includes('/v1/')).length;
			while (Date.now() < settle && responses.length < apiRequests()) await new Promise((resolve) => setTimeout(resolve, 100));
			const hanging = apiRequests() - responses.length;
			if (hanging) throw new Error(`${hanging} requests still open at the relay after the kill`);
			const aborted = responses.filter((entry) => !entry.completed).length;
			const rerunOn = executionsByWorker(workers);
			const killedOutcome = killedRuns.map((id) => `${id}:${status(id)}${rerunOn.get(id) === workers[1].index ? ' (re-run by worker 2)' : ''}`).join(', ');
			return `killed worker 1 (pid ${victim.pid}) after ${requestsAtKill} requests; its executions ${killedOutcome}; worker 2's ${survivorRuns.join(', ')} all success with ${KILL.items} items in order; ${responses.length} requests closed (${aborted} cut by the kill), 0 hanging; ${sandbox.openConnections()} connections open at the relay (worker 2's keep-alive pool)`;
		});

		await report.check('the key in no log file or Postgres row', column, async () => {
			for (const file of [instance.outputFile, ...instance.logFiles].filter((f) => existsSync(f))) {
				if (secretsIn(readFileSync(file), [apiKey, wrongKey]).length) throw new Error(`${path.basename(file)} contains the key`);
			}
			const rows = await db.query(`SELECT count(*)::int AS n FROM execution_data WHERE data LIKE '%${apiKey}%' OR data LIKE '%${wrongKey}%' OR "workflowData"::text LIKE '%${apiKey}%'`);
			if (rows[0].n) throw new Error(`${rows[0].n} execution_data rows hold the key`);
			const credentials = await db.query(`SELECT data FROM credentials_entity WHERE type = 'deerApiRelayApi'`);
			if (credentials.some((row) => !String(row.data).startsWith('U2FsdGVkX1'))) throw new Error('a credential is stored unencrypted');
			return `${credentials.length} credentials encrypted; no key in execution_data or the logs`;
		});
	} finally {
		await n8n?.stop();
		await Promise.all([postgres?.stop(), redis?.stop()]);
		await sandbox.close();
	}
}
