/**
 * 1. Throughput: 200 input items through a real workflow (Manual Trigger -> DeerAPI Chat, the
 * built package loaded from dist/ by the harness as n8n loads a community package), the sandbox
 * (own process) adding 100 ms before every answer. Wall time of the run at Max Concurrent
 * Requests 1, 5, 10 and 20, with Stream on (the default) and off, against the ideal
 * ceil(200 / c) x 100 ms.
 */
import { emit, progress, runMain, type BenchRow } from './lib/report';
import { byId, CHAT_TYPE, credentialsFor, packageHarness, singleNodeWorkflow, type INodeExecutionData } from './lib/package';
import { profiled } from './lib/profile';
import { startSandboxProcess } from './lib/servers';
import { ms, nowMs, ownCpuMs, processCpuMs, ratio } from './lib/stats';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 200);
const LATENCY_MS = 100;
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '1,5,10,20').split(',').map(Number);

interface Run {
	stream: boolean;
	concurrency: number;
	wallMs: number;
	idealMs: number;
	/** CPU time of the bench process (n8n + our nodes) and of the sandbox during the run. */
	clientCpuMs: number;
	sandboxCpuMs: number;
}

async function main(): Promise<void> {
	const sandbox = await startSandboxProcess({ latencyMs: LATENCY_MS });
	// Node's process warnings (e.g. MaxListenersExceededWarning) are what an n8n admin sees in the log.
	const warnings = new Map<string, number>();
	process.on('warning', (warning) => {
		const key = `${warning.name}: ${warning.message.split('.')[0]}`;
		warnings.set(key, (warnings.get(key) ?? 0) + 1);
	});
	try {
		const harness = packageHarness();
		await harness.ready;
		const input: INodeExecutionData[] = Array.from({ length: ITEMS }, (_, i) => ({
			json: { product: `Product ${i}`, sku: `SKU-${1000 + i}` },
		}));
		const runOnce = async (stream: boolean, concurrency: number, items = input) => {
			const workflow = singleNodeWorkflow({
				type: CHAT_TYPE,
				parameters: {
					model: byId('gpt-4o-mini'),
					messages: { values: [{ role: 'user', content: '=Write a tagline for {{ $json.product }} ({{ $json.sku }})' }] },
					options: { stream, maxConcurrency: concurrency },
				},
			});
			const start = nowMs();
			const result = await harness.run(workflow, { credentials: credentialsFor(sandbox), input: items });
			const wallMs = nowMs() - start;
			const out = result.json('deerApiChat');
			if (out.length !== items.length) throw new Error(`expected ${items.length} items, got ${out.length}`);
			out.forEach((json, i) => {
				const text = JSON.stringify(json);
				if (!text.includes(`Product ${i} (SKU-${1000 + i})`)) throw new Error(`item ${i} is out of order or wrong: ${text.slice(0, 200)}`);
			});
			return wallMs;
		};

		progress('throughput: warm-up');
		await runOnce(true, 10, input.slice(0, 20));
		await runOnce(false, 10, input.slice(0, 20));

		const runs: Run[] = [];
		for (const stream of [true, false]) {
			for (const concurrency of CONCURRENCIES) {
				const client0 = ownCpuMs();
				const sandbox0 = processCpuMs(sandbox.pid);
				const wallMs = await profiled(`throughput-stream-${stream ? 'on' : 'off'}-c${concurrency}`, () => runOnce(stream, concurrency));
				const clientCpuMs = ownCpuMs() - client0;
				const sandboxCpuMs = processCpuMs(sandbox.pid) - sandbox0;
				const idealMs = Math.ceil(ITEMS / concurrency) * LATENCY_MS;
				runs.push({ stream, concurrency, wallMs, idealMs, clientCpuMs, sandboxCpuMs });
				progress(
					`throughput: stream ${stream ? 'on' : 'off'}, c=${concurrency}: ${wallMs.toFixed(0)} ms (ideal ${idealMs}); CPU n8n+nodes ${clientCpuMs.toFixed(0)} ms, sandbox ${sandboxCpuMs.toFixed(0)} ms`,
				);
			}
		}

		const rows: BenchRow[] = [];
		for (const stream of [true, false]) {
			const mode = stream ? 'stream on (default)' : 'stream off';
			const c1 = runs.find((r) => r.stream === stream && r.concurrency === 1);
			for (const run of runs.filter((r) => r.stream === stream)) {
				const judged = stream && run.concurrency === 10;
				rows.push({
					bench: '1 throughput',
					case: `${ITEMS} items, c=${run.concurrency}, ${mode}`,
					value: ms(run.wallMs, 0),
					reference: `ideal ${ms(run.idealMs, 0)}`,
					ratio: ratio(run.wallMs / run.idealMs),
					target: judged ? '<= 1.2x ideal' : undefined,
					met: judged ? run.wallMs / run.idealMs <= 1.2 : undefined,
				});
			}
			const c10 = runs.find((r) => r.stream === stream && r.concurrency === 10);
			if (c1 && c10) {
				rows.push({
					bench: '1 throughput',
					case: `speed-up c=10 over c=1, ${mode}`,
					value: ratio(c1.wallMs / c10.wallMs, 2),
					reference: 'ideal 10x',
					target: stream ? '>= 10x' : undefined,
					met: stream ? c1.wallMs / c10.wallMs >= 10 : undefined,
				});
				const cpu = runs.filter((r) => r.stream === stream);
				rows.push({
					bench: '1 throughput',
					case: `CPU per item, ${mode}: n8n + our node (bench process) / sandbox`,
					value: `${(cpu.reduce((a, r) => a + r.clientCpuMs, 0) / (cpu.length * ITEMS)).toFixed(2)} ms / ${(cpu.reduce((a, r) => a + r.sandboxCpuMs, 0) / (cpu.length * ITEMS)).toFixed(2)} ms`,
				});
				// What each item adds beyond the relay's 100 ms, per concurrent slot.
				rows.push({
					bench: '1 throughput',
					case: `added per request beyond 100 ms, ${mode}: c=1 / c=10`,
					value: `${((c1.wallMs - c1.idealMs) / Math.ceil(ITEMS / 1)).toFixed(2)} ms / ${((c10.wallMs - c10.idealMs) / Math.ceil(ITEMS / 10)).toFixed(2)} ms`,
				});
			}
		}
		rows.push({
			bench: '1 throughput',
			case: 'process warnings during the runs',
			value: warnings.size ? [...warnings].map(([text, count]) => `${count} x ${text}`).join('; ') : 'none',
		});
		emit({ name: 'throughput', rows, details: { items: ITEMS, latencyMs: LATENCY_MS, runs, warnings: Object.fromEntries(warnings) } });
	} finally {
		await sandbox.close();
	}
}

runMain(main);
