/**
 * 7. Video tasks: DeerAPI Video (the built package, through the harness) against the sandbox relay.
 *
 * 7a waiting: 50 tasks of 20 s each, Max Concurrent Requests 10, Poll Interval 2 s, videos
 *    downloaded: the wall time of the run against 20 s + one interval (target <= 1.15x), and the
 *    polls each task took (target <= ceil(20 / 2) + 2). The sandbox runs in this process: the
 *    polls are counted where they arrive (a poll is a few hundred bytes; it costs no CPU to speak of).
 * 7b memory: 20 videos of 50 MB downloaded in n8n's filesystem binary mode (n8n 2.x's default),
 *    peak RSS growth of a fresh process (VmHWM) against one video (target <= 1.5x); the sandbox in
 *    its own process. Median of BENCH_VIDEO_PROBES (default 3) probes.
 *
 *   node --expose-gc build/bench/videos.js
 *   node --expose-gc build/bench/videos.js probe <sandbox url> <key>
 * Environment: BENCH_VIDEO_TASKS (50), BENCH_VIDEO_TASK_S (20), BENCH_VIDEO_POLL_S (2),
 * BENCH_VIDEO_PROBES (3), BENCH_VIDEO_MB (50), BENCH_VIDEO_COUNT (20).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { startSandbox } from '../sandbox';
import { useBinaryMode } from './lib/binary-mode';
import { childEnv } from './lib/env';
import { gc, MemorySampler } from './lib/memory';
import { byId, credentialsFor, packageDir, packageHarness, singleNodeWorkflow, VIDEO_TYPE } from './lib/package';
import { emit, progress, RESULT_PREFIX, runMain, type BenchRow } from './lib/report';
import { startSandboxProcess } from './lib/servers';
import { mb, median, nowMs, ratio, MB } from './lib/stats';

const TASKS = Number(process.env.BENCH_VIDEO_TASKS ?? 50);
const TASK_S = Number(process.env.BENCH_VIDEO_TASK_S ?? 20);
const POLL_S = Number(process.env.BENCH_VIDEO_POLL_S ?? 2);
const CONCURRENCY = 10;
const PROBES = Number(process.env.BENCH_VIDEO_PROBES ?? 3);
const VIDEO_BYTES = Number(process.env.BENCH_VIDEO_MB ?? 50) * MB;
const VIDEOS = Number(process.env.BENCH_VIDEO_COUNT ?? 20);

/** The Video node generating one clip per input item (`prompt` of the item), as a workflow. */
function videoWorkflow(parameters: Record<string, unknown>) {
	return singleNodeWorkflow({
		type: VIDEO_TYPE,
		name: 'Video',
		parameters: { operation: 'generate', model: byId('veo3-fast'), prompt: '={{ $json.prompt }}', maxWaitMinutes: 10, ...parameters },
	});
}

interface WaitResult {
	wallMs: number;
	nodeMs: number;
	idealMs: number;
	pollsPerTask: { max: number; mean: number; min: number };
	submitSpanMs: number;
	items: number;
}

async function waiting(): Promise<WaitResult> {
	const sandbox = await startSandbox({ videoTaskMs: TASK_S * 1000 });
	try {
		const harness = packageHarness();
		await harness.ready;
		const credentials = credentialsFor(sandbox);
		// Warm-up: the node's code paths, once.
		const warm = await harness.run(videoWorkflow({ pollIntervalSeconds: 0.5 }), { credentials, input: [{ json: { prompt: 'warm-up TASK_MS=0' } }] });
		if (warm.status !== 'success') throw new Error(`warm-up failed: ${warm.error?.message}`);
		sandbox.clearRequests();
		const workflow = videoWorkflow({ pollIntervalSeconds: POLL_S, options: { maxConcurrency: CONCURRENCY } });
		const input = Array.from({ length: TASKS }, (_, index) => ({ json: { prompt: `clip ${index}` } }));
		const started = nowMs();
		const result = await harness.run(workflow, { credentials, input });
		const wallMs = nowMs() - started;
		const items = result.output('Video');
		if (items.length !== TASKS || items.some((item) => item.json.done !== true || !item.binary?.data)) {
			throw new Error(`expected ${TASKS} finished videos, got ${items.filter((item) => item.json.done).length}`);
		}
		const polls = new Map<string, number>();
		for (const request of sandbox.requests) {
			const match = /^\/v1\/videos\/([^/]+)$/.exec(request.path);
			if (request.method === 'GET' && match) polls.set(match[1], (polls.get(match[1]) ?? 0) + 1);
		}
		const counts = [...polls.values()];
		const submits = sandbox.requests.filter((request) => request.method === 'POST').map((request) => request.receivedAt);
		return {
			wallMs,
			nodeMs: result.nodes.Video.executionTime,
			idealMs: (TASK_S + POLL_S) * 1000,
			pollsPerTask: { max: Math.max(...counts), mean: counts.reduce((a, b) => a + b, 0) / counts.length, min: Math.min(...counts) },
			submitSpanMs: Math.max(...submits) - Math.min(...submits),
			items: items.length,
		};
	} finally {
		await sandbox.close();
	}
}

interface ProbeResult {
	videoBytes: number;
	videos: number;
	elapsedMs: number;
	peakRssGrowth: number;
	hwmRssGrowth?: number;
	peakHeapGrowth: number;
	baselineRss: number;
	storedInFiles: boolean;
}

/** One memory measurement, in a fresh process: 20 big videos into n8n's filesystem binary store. */
async function probe(url: string, apiKey: string): Promise<void> {
	const harness = packageHarness();
	await harness.ready;
	const cleanUp = await useBinaryMode('filesystem');
	const credentials = credentialsFor({ url, apiKey });
	const warm = await harness.run(videoWorkflow({ pollIntervalSeconds: 0.5 }), { credentials, input: [{ json: { prompt: 'warm-up TASK_MS=0' } }] });
	if (warm.status !== 'success') throw new Error(`warm-up failed: ${warm.error?.message}`);
	await new Promise((resolve) => setTimeout(resolve, 50));
	gc();
	const sampler = new MemorySampler();
	sampler.start(1);
	const started = nowMs();
	const input = Array.from({ length: VIDEOS }, (_, index) => ({ json: { prompt: `VIDEO_BYTES=${VIDEO_BYTES} TASK_MS=0 clip ${index}` } }));
	const result = await harness.run(videoWorkflow({ pollIntervalSeconds: 0.5, options: { maxDownloadMb: 2 * VIDEO_BYTES / MB } }), { credentials, input });
	const elapsedMs = nowMs() - started;
	const peaks = sampler.stop();
	const items = result.output('Video');
	if (items.length !== VIDEOS || items.some((item) => item.json.fileSize !== VIDEO_BYTES)) throw new Error(`expected ${VIDEOS} videos of ${VIDEO_BYTES} bytes`);
	const storedInFiles = items.every((item) => typeof item.binary?.data?.id === 'string' && item.binary.data.id.startsWith('filesystem'));
	cleanUp();
	const probeResult: ProbeResult = {
		videoBytes: VIDEO_BYTES,
		videos: VIDEOS,
		elapsedMs,
		peakRssGrowth: peaks.peakRssGrowth,
		hwmRssGrowth: peaks.hwmRssGrowth,
		peakHeapGrowth: peaks.peakHeapGrowth,
		baselineRss: peaks.baselineRss,
		storedInFiles,
	};
	process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(probeResult)}\n`);
}

async function memory(): Promise<ProbeResult[]> {
	const sandbox = await startSandboxProcess({ videoTaskMs: 0 });
	try {
		const probes: ProbeResult[] = [];
		for (let i = 0; i < PROBES; i++) {
			const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', __filename, 'probe', sandbox.url, sandbox.apiKey], {
				env: childEnv(),
				maxBuffer: 1 << 20,
			});
			const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
			if (!line) throw new Error(`video probe printed no result:\n${stdout}`);
			const result = JSON.parse(line.slice(RESULT_PREFIX.length)) as ProbeResult;
			probes.push(result);
			progress(`videos: probe ${i + 1}: peak RSS +${mb(result.hwmRssGrowth ?? result.peakRssGrowth)}, heap +${mb(result.peakHeapGrowth)}, ${(result.elapsedMs / 1000).toFixed(1)} s`);
		}
		return probes;
	} finally {
		await sandbox.close();
	}
}

async function main(): Promise<void> {
	if (process.argv[2] === 'probe') {
		await probe(process.argv[3], process.argv[4]);
		return;
	}
	progress(`videos: ${TASKS} tasks of ${TASK_S} s, Max Concurrent ${CONCURRENCY}, poll every ${POLL_S} s`);
	const wait = await waiting();
	progress(`videos: wall ${(wait.wallMs / 1000).toFixed(1)} s, polls per task max ${wait.pollsPerTask.max}`);
	const probes = await memory();
	const rss = median(probes.map((p) => p.hwmRssGrowth ?? p.peakRssGrowth));
	const pollLimit = Math.ceil(TASK_S / POLL_S) + 2;
	const rows: BenchRow[] = [
		{
			bench: '7 videos',
			case: `${TASKS} tasks of ${TASK_S} s, Max Concurrent ${CONCURRENCY}, poll every ${POLL_S} s, downloaded: wall time of the run`,
			value: `${(wait.wallMs / 1000).toFixed(2)} s`,
			reference: `${TASK_S} s + one interval = ${wait.idealMs / 1000} s`,
			ratio: ratio(wait.wallMs / wait.idealMs, 3),
			target: '<= 1.15x',
			met: wait.wallMs / wait.idealMs <= 1.15,
		},
		{
			bench: '7 videos',
			case: 'polls per task (max / mean / min)',
			value: `${wait.pollsPerTask.max} / ${wait.pollsPerTask.mean.toFixed(1)} / ${wait.pollsPerTask.min}`,
			reference: `ceil(${TASK_S} / ${POLL_S}) + 2 = ${pollLimit}`,
			target: `<= ${pollLimit}`,
			met: wait.pollsPerTask.max <= pollLimit,
		},
		{ bench: '7 videos', case: 'all submits went out within', value: `${wait.submitSpanMs} ms` },
		{
			bench: '7 videos',
			case: `${VIDEOS} videos of ${mb(VIDEO_BYTES, 0)}, filesystem binary mode: peak RSS growth (VmHWM), median of ${PROBES}`,
			value: mb(rss),
			reference: `one video ${mb(VIDEO_BYTES, 0)}`,
			ratio: ratio(rss / VIDEO_BYTES),
			target: '<= 1.5x',
			met: rss / VIDEO_BYTES <= 1.5 && probes.every((p) => p.storedInFiles),
		},
		{ bench: '7 videos', case: `${VIDEOS} x ${mb(VIDEO_BYTES, 0)}: wall time of the run, median`, value: `${(median(probes.map((p) => p.elapsedMs)) / 1000).toFixed(1)} s` },
	];
	emit({ name: 'videos', rows, details: { packageDir: packageDir(), wait, probes } });
}

runMain(main);
