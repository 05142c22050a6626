/**
 * 4. Images: Image Generate (built package, through the harness) with gpt-image-1, n = 4, the
 * sandbox (own process, so its memory is not counted) answering with 4 MB images as b64_json
 * (one ~22 MB JSON body). Peak RSS growth of this process over its baseline, against the decoded
 * bytes (16 MB). Each measurement runs in a fresh process (--expose-gc): a small warm-up run
 * loads the code, then GC, baseline, VmHWM reset, the measured run with memory sampled every
 * millisecond, and VmHWM read at the end (it catches peaks inside synchronous steps such as
 * JSON.parse, which no timer can sample).
 *
 *   node --expose-gc build/bench/images.js              (the bench: 3 probes, median)
 *   node --expose-gc build/bench/images.js probe <url> <warm-up url> <key> <filesystem|memory>
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { useBinaryMode, type BinaryMode } from './lib/binary-mode';
import { childEnv } from './lib/env';
import { gc, MemorySampler, peakRss } from './lib/memory';
import { byId, credentialsFor, IMAGE_TYPE, packageDir, packageHarness, singleNodeWorkflow } from './lib/package';
import { emit, progress, RESULT_PREFIX, runMain, type BenchRow } from './lib/report';
import { startSandboxProcess } from './lib/servers';
import { mb, median, nowMs, ratio } from './lib/stats';

const IMAGE_BYTES = Number(process.env.BENCH_IMAGE_BYTES ?? 4 * 1024 * 1024);
const IMAGES = 4;
const PROBES = Number(process.env.BENCH_IMAGE_PROBES ?? 5);

interface ProbeResult {
	decodedBytes: number;
	bodyBytes: number;
	elapsedMs: number;
	peakRssGrowth: number;
	hwmRssGrowth?: number;
	peakHeapGrowth: number;
	/** Heap (V8 + external) still held after GC while the run's output items are kept. */
	retainedWithOutput: number;
	baselineRss: number;
	marks?: unknown[];
}

async function probe(url: string, warmUrl: string, apiKey: string, mode: BinaryMode): Promise<void> {
	const harness = packageHarness();
	await harness.ready;
	const cleanUp = await useBinaryMode(mode);
	const workflow = singleNodeWorkflow({
		type: IMAGE_TYPE,
		name: 'Image',
		parameters: {
			mode: 'images',
			model: byId('gpt-image-1'),
			prompt: 'A red poster of a deer',
			numberOfImages: IMAGES,
			size: '1024x1024',
		},
	});
	const credentials = credentialsFor({ url, apiKey });
	// Warm-up against a second sandbox with small images: loads and compiles every code path
	// without growing the heap to the measured size.
	const warm = await harness.run(
		singleNodeWorkflow({
			type: IMAGE_TYPE,
			name: 'Image',
			parameters: { mode: 'images', model: byId('gpt-image-1'), prompt: 'warm-up', numberOfImages: 1, size: '1024x1024' },
		}),
		{ credentials: credentialsFor({ url: warmUrl, apiKey }) },
	);
	if (warm.status !== 'success') throw new Error(`warm-up failed: ${warm.error?.message}`);
	await new Promise((resolve) => setTimeout(resolve, 50));
	gc();

	const sampler = new MemorySampler();
	// Experimental package copies may call globalThis.__benchMark('step') to see memory per step.
	const marks: Array<{ step: string; heapMB: number; externalMB: number; rssMB: number; hwmMB?: number }> = [];
	(globalThis as { __benchMark?: (step: string) => void }).__benchMark = (step) => {
		const usage = process.memoryUsage();
		const toMB = (bytes: number) => Math.round((bytes - 0) / 1e5) / 10;
		marks.push({ step, heapMB: toMB(usage.heapUsed), externalMB: toMB(usage.external), rssMB: toMB(usage.rss), hwmMB: toMB(peakRss() ?? 0) });
	};
	sampler.start(1);
	marks.length = 0;
	const start = nowMs();
	let result: Awaited<ReturnType<typeof harness.run>> | undefined = await harness.run(workflow, { credentials });
	const elapsedMs = nowMs() - start;
	const peaks = sampler.stop();
	const items = result.output('Image');
	if (items.length !== IMAGES) throw new Error(`expected ${IMAGES} items, got ${items.length}`);
	let decodedBytes = 0;
	for (let i = 0; i < items.length; i++) {
		const bytes = await result.binary('Image', i, 'data');
		if (bytes.length !== items[i].json.fileSize) throw new Error('binary size differs from fileSize');
		decodedBytes += bytes.length;
	}
	await new Promise((resolve) => setTimeout(resolve, 50));
	const retainedWithOutput = sampler.retained();
	result = undefined;
	cleanUp();
	const probeResult: ProbeResult = {
		marks: marks.length ? marks : undefined,
		decodedBytes,
		bodyBytes: Math.ceil(decodedBytes / 3) * 4,
		elapsedMs,
		peakRssGrowth: peaks.peakRssGrowth,
		hwmRssGrowth: peaks.hwmRssGrowth,
		peakHeapGrowth: peaks.peakHeapGrowth,
		retainedWithOutput,
		baselineRss: peaks.baselineRss,
	};
	process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(probeResult)}\n`);
}

async function main(): Promise<void> {
	if (process.argv[2] === 'probe') {
		await probe(process.argv[3], process.argv[4], process.argv[5], process.argv[6] as BinaryMode);
		return;
	}
	const sandbox = await startSandboxProcess({ imageBytes: IMAGE_BYTES });
	const small = await startSandboxProcess({ apiKey: sandbox.apiKey });
	try {
		const rows: BenchRow[] = [];
		const details: Record<string, ProbeResult[]> = {};
		for (const mode of ['filesystem', 'memory'] as BinaryMode[]) {
			const probes: ProbeResult[] = [];
			for (let i = 0; i < PROBES; i++) {
				const { stdout } = await promisify(execFile)(
					process.execPath,
					['--expose-gc', __filename, 'probe', sandbox.url, small.url, sandbox.apiKey, mode],
					{ env: childEnv(), maxBuffer: 1 << 20 },
				);
				const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
				if (!line) throw new Error(`image probe printed no result:\n${stdout}`);
				const result = JSON.parse(line.slice(RESULT_PREFIX.length)) as ProbeResult;
				probes.push(result);
				progress(
					`images (${mode}): probe ${i + 1}: peak RSS +${mb(result.hwmRssGrowth ?? result.peakRssGrowth)}, heap +${mb(result.peakHeapGrowth)}, held with output ${mb(result.retainedWithOutput)}, ${result.elapsedMs.toFixed(0)} ms`,
				);
			}
			details[mode] = probes;
			const decoded = probes[0].decodedBytes;
			const rss = median(probes.map((p) => p.hwmRssGrowth ?? p.peakRssGrowth));
			const heap = median(probes.map((p) => p.peakHeapGrowth));
			const held = median(probes.map((p) => p.retainedWithOutput));
			const label =
				mode === 'filesystem'
					? 'binary data in files (n8n 2.x default)'
					: 'binary data inline as base64 (harness; n8n in-memory mode)';
			rows.push(
				{
					bench: '4 images',
					case: `gpt-image-1, n=${IMAGES} x ${mb(IMAGE_BYTES)} b64_json, ${label}: peak RSS growth (VmHWM), median of ${PROBES}`,
					value: mb(rss),
					reference: `decoded ${mb(decoded)}`,
					ratio: ratio(rss / decoded),
					target: '<= 3x',
					met: rss / decoded <= 3,
				},
				{ bench: '4 images', case: `${mode}: peak heap growth (V8 heap + external, sampled)`, value: mb(heap), reference: `decoded ${mb(decoded)}`, ratio: ratio(heap / decoded) },
				{ bench: '4 images', case: `${mode}: heap held after GC with the output items`, value: mb(held), reference: `decoded ${mb(decoded)}`, ratio: ratio(held / decoded) },
				{ bench: '4 images', case: `${mode}: wall time of the run`, value: `${median(probes.map((p) => p.elapsedMs)).toFixed(0)} ms` },
			);
		}
		emit({ name: 'images', rows, details: { packageDir: packageDir(), imageBytes: IMAGE_BYTES, probes: details } });
	} finally {
		await sandbox.close();
		await small.close();
	}
}

runMain(main);
