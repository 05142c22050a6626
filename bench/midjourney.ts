/**
 * Midjourney: 20 imagines at once, each a sandbox task of 10 s, through DeerAPI Midjourney (built
 * package, through the harness) with its defaults (Max Concurrent Requests 5) and two poll
 * intervals (2 s, and the default 10 s). Wall time of the run against the ideal (one task plus
 * one interval: every task waited for side by side), and polls per task against
 * ceil(task / interval) + 1. The sandbox runs in this process so that its request log counts the
 * polls; the run is idle waiting, so it shares the CPU with little.
 *
 *   node build/bench/midjourney.js         (also in npm run bench; alone: node build/bench/run.js --only midjourney)
 */
import { startSandbox, type RecordedRequest } from '../sandbox';
import { credentialsFor, MIDJOURNEY_TYPE, packageHarness, singleNodeWorkflow } from './lib/package';
import { emit, progress, runMain, type BenchRow } from './lib/report';
import { median, nowMs, ratio } from './lib/stats';

const TASKS = Number(process.env.BENCH_MJ_TASKS ?? 20);
const TASK_MS = Number(process.env.BENCH_MJ_TASK_MS ?? 10_000);
const INTERVALS_S = (process.env.BENCH_MJ_INTERVALS ?? '2,10').split(',').map(Number);
const NODE_NAME = 'Midjourney';

interface RunFigures {
	intervalS: number;
	wallMs: number;
	idealMs: number;
	polls: number[];
	submitSpreadMs: number;
	lastSubmitToLastDoneMs: number;
	downloads: number;
}

async function main(): Promise<void> {
	const sandbox = await startSandbox({ midjourneyTaskMs: TASK_MS });
	const harness = packageHarness();
	await harness.ready;
	const credentials = credentialsFor({ url: sandbox.url, apiKey: sandbox.apiKey });
	const input = Array.from({ length: TASKS }, (_, index) => ({ json: { product: `product ${index + 1}` } }));
	const runs: RunFigures[] = [];
	try {
		for (const intervalS of INTERVALS_S) {
			sandbox.clearRequests();
			const workflow = singleNodeWorkflow({
				type: MIDJOURNEY_TYPE,
				name: NODE_NAME,
				parameters: { operation: 'imagine', prompt: '={{ $json.product }} on a marble table --ar 3:2', pollIntervalSeconds: intervalS },
			});
			const started = nowMs();
			const result = await harness.run(workflow, { credentials, input });
			const wallMs = nowMs() - started;
			const items = result.output(NODE_NAME);
			if (items.length !== TASKS || items.some((item) => item.json.done !== true)) {
				throw new Error(`expected ${TASKS} finished tasks, got ${items.filter((item) => item.json.done === true).length} of ${items.length}`);
			}
			const requests: RecordedRequest[] = [...sandbox.requests];
			const ids = items.map((item) => String(item.json.taskId));
			const polls = ids.map((id) => requests.filter((request) => request.path === `/mj/task/${id}/fetch`).length);
			const submits = requests.filter((request) => request.path === '/mj/submit/imagine').map((request) => request.receivedAt);
			const downloads = requests.filter((request) => request.path.startsWith('/files/mj/'));
			const figures: RunFigures = {
				intervalS,
				wallMs,
				idealMs: TASK_MS + intervalS * 1000,
				polls,
				submitSpreadMs: Math.max(...submits) - Math.min(...submits),
				lastSubmitToLastDoneMs: Math.max(...downloads.map((request) => request.receivedAt)) - Math.max(...submits),
				downloads: downloads.length,
			};
			runs.push(figures);
			progress(
				`interval ${intervalS} s: wall ${(wallMs / 1000).toFixed(2)} s (ideal ${(figures.idealMs / 1000).toFixed(1)} s), polls per task ${Math.min(...polls)}-${Math.max(...polls)} (median ${median(polls)}), submits spread over ${figures.submitSpreadMs} ms, ${downloads.length} downloads`,
			);
		}
	} finally {
		await sandbox.close();
	}

	const rows: BenchRow[] = runs.flatMap((run) => {
		const limit = Math.ceil(TASK_MS / (run.intervalS * 1000)) + 1;
		const label = `${TASKS} imagines at once, ${TASK_MS / 1000} s each, poll every ${run.intervalS} s, Max Concurrent 5`;
		return [
			{
				bench: '8 midjourney',
				case: `${label}: wall time against one task + one interval`,
				value: `${(run.wallMs / 1000).toFixed(2)} s`,
				reference: `${(run.idealMs / 1000).toFixed(1)} s`,
				ratio: ratio(run.wallMs / run.idealMs),
				target: '<= 1.15x',
				met: run.wallMs / run.idealMs <= 1.15,
			},
			{
				bench: '8 midjourney',
				case: `${label}: polls per task, max (median)`,
				value: `${Math.max(...run.polls)} (${median(run.polls)})`,
				reference: `ceil(${TASK_MS / 1000} / ${run.intervalS}) + 1 = ${limit}`,
				target: `<= ${limit}`,
				met: Math.max(...run.polls) <= limit,
			},
		];
	});
	emit({ name: 'midjourney', rows, details: { tasks: TASKS, taskMs: TASK_MS, runs } });
}

runMain(main);
