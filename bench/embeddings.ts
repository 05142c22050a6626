/**
 * 6. Embeddings batching: DeerAPI Embeddings (built package, through the harness) on 1,000 items
 * against the sandbox in its own process with 100 ms latency per request. With the default batch
 * size (100) the items need 10 requests: wall time against the ideal (10 requests of 100 ms, run
 * "Max Concurrent Requests" at a time), and against one request per item (Batch Size 1).
 * The same run without latency is the CPU floor of this machine: the sandbox making and
 * serialising 1.5 million numbers, the client parsing them, n8n evaluating 1,000 expressions.
 *
 *   node --expose-gc build/bench/embeddings.js
 */
import { byId, credentialsFor, EMBEDDINGS_TYPE, packageHarness, singleNodeWorkflow } from './lib/package';
import { emit, progress, runMain, type BenchRow } from './lib/report';
import { startSandboxProcess } from './lib/servers';
import { median, ms, nowMs, ratio } from './lib/stats';

const ITEMS = 1000;
const LATENCY_MS = 100;
const RUNS = Number(process.env.BENCH_EMBEDDINGS_RUNS ?? 3);

interface Case {
	label: string;
	batchSize: number;
	concurrency: number;
	runs: number;
	latencyMs: number;
	base64?: boolean;
}

function idealMs({ batchSize, concurrency, latencyMs }: Case): number {
	const requests = Math.ceil(ITEMS / batchSize);
	return Math.ceil(requests / concurrency) * latencyMs;
}

runMain(async () => {
	const server = await startSandboxProcess({ latencyMs: LATENCY_MS });
	try {
		const harness = packageHarness();
		await harness.ready;
		const input = Array.from({ length: ITEMS }, (_, i) => ({
			json: { text: `Product ${i}: ${i % 3 ? 'a soft merino wool scarf' : 'a stainless steel kettle'} in size ${i % 7}` },
		}));
		const run = async (spec: Case) => {
			const workflow = singleNodeWorkflow({
				type: EMBEDDINGS_TYPE,
				name: 'Embed',
				parameters: {
					model: byId('text-embedding-3-small'),
					text: '={{ $json.text }}',
					options: {
						batchSize: spec.batchSize,
						maxConcurrency: spec.concurrency,
						...(spec.base64 ? { encodingFormat: 'base64' } : {}),
					},
				},
			});
			await server.setLatency(spec.latencyMs);
			const started = nowMs();
			const result = await harness.run(workflow, { credentials: credentialsFor(server), input });
			const elapsed = nowMs() - started;
			const output = result.output('Embed');
			if (output.length !== ITEMS || (output[ITEMS - 1].json.embedding as number[]).length !== 1536) {
				throw new Error(`${spec.label}: expected ${ITEMS} items of 1536 numbers, got ${output.length}`);
			}
			return elapsed;
		};
		const cases: Case[] = [
			{ label: 'batch 100, 5 requests at once (defaults)', batchSize: 100, concurrency: 5, runs: RUNS, latencyMs: LATENCY_MS },
			{ label: 'the same without relay latency (CPU floor)', batchSize: 100, concurrency: 5, runs: RUNS, latencyMs: 0 },
			{ label: 'batch 100, 1 request at a time', batchSize: 100, concurrency: 1, runs: RUNS, latencyMs: LATENCY_MS },
			{ label: 'batch 100, 5 at once, encoding base64', batchSize: 100, concurrency: 5, runs: RUNS, latencyMs: LATENCY_MS, base64: true },
			{ label: 'batch 1 (one request per item), 5 at once', batchSize: 1, concurrency: 5, runs: 1, latencyMs: LATENCY_MS },
		];
		// Warm-up: loads the package and the n8n code paths once.
		await run({ label: 'warm-up', batchSize: 100, concurrency: 5, runs: 1, latencyMs: 0 });
		const measured: Array<{ spec: Case; ms: number; runs: number[] }> = [];
		for (const spec of cases) {
			const runs: number[] = [];
			for (let i = 0; i < spec.runs; i++) runs.push(await run(spec));
			measured.push({ spec, ms: median(runs), runs });
			progress(`${spec.label}: ${runs.map((value) => ms(value, 0)).join(', ')} (ideal ${idealMs(spec)} ms)`);
		}
		const [batched, floor, serial, base64, perItem] = measured;
		const row = (entry: (typeof measured)[number], extra: Partial<BenchRow> = {}): BenchRow => ({
			bench: '6 embeddings',
			case: `${ITEMS} items, ${entry.spec.label}: ${Math.ceil(ITEMS / entry.spec.batchSize)} requests`,
			value: ms(entry.ms, 0),
			reference: `ideal ${idealMs(entry.spec)} ms`,
			ratio: idealMs(entry.spec) > 0 ? ratio(entry.ms / idealMs(entry.spec)) : undefined,
			...extra,
		});
		// What latency costs beyond the CPU floor is what batching is for: it must stay near the ideal.
		const latencyCost = (entry: (typeof measured)[number]) => entry.ms - floor.ms;
		const rows: BenchRow[] = [
			row(batched, {
				target: '<= ideal + CPU floor (x1.2)',
				met: batched.ms <= 1.2 * (idealMs(batched.spec) + floor.ms),
			}),
			row(floor, { reference: undefined, ratio: undefined }),
			{
				bench: '6 embeddings',
				case: 'defaults: wall time minus the CPU floor, against the ideal',
				value: ms(latencyCost(batched), 0),
				reference: `ideal ${idealMs(batched.spec)} ms`,
				ratio: ratio(latencyCost(batched) / idealMs(batched.spec)),
			},
			row(serial, { target: '<= ideal + CPU floor (x1.2)', met: serial.ms <= 1.2 * (idealMs(serial.spec) + floor.ms) }),
			row(base64),
			row(perItem),
			{
				bench: '6 embeddings',
				case: `${ITEMS} items: one request per item against batch 100 (both 5 at once)`,
				value: ms(perItem.ms, 0),
				reference: ms(batched.ms, 0),
				ratio: ratio(perItem.ms / batched.ms, 1),
				target: '>= 5x',
				met: perItem.ms >= 5 * batched.ms,
			},
		];
		emit({
			name: 'embeddings',
			rows,
			details: { items: ITEMS, latencyMs: LATENCY_MS, cases: measured.map(({ spec, runs }) => ({ ...spec, runs, idealMs: idealMs(spec) })) },
		});
	} finally {
		await server.close();
	}
});
