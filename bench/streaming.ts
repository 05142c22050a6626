/**
 * 3. Streaming: one large SSE answer of small deltas, assembled by the transport
 * (RelayClient.chat with stream: true -> SseDataDecoder -> ChatStreamAssembler) against the bare
 * baseline (undici request -> TextDecoder -> eventsource-parser createParser -> JSON.parse each
 * event -> `text += choices[0].delta.content`). Both read the same bytes from the same loopback
 * server (server-child.ts, kind "sse": a pre-built body, so the relay's cost is out of the
 * picture). Time: interleaved rounds in one process. Memory: each side in a fresh process with
 * --expose-gc, sampling heap and RSS during the read.
 *
 *   node --expose-gc build/bench/streaming.js                      (the whole bench)
 *   node --expose-gc build/bench/streaming.js memory <side> <url> <textChars>   (one memory probe)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { createParser } from 'eventsource-parser';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';

import { childEnv } from './lib/env';
import { MemorySampler, type MemoryPeaks } from './lib/memory';
import { emit, progress, RESULT_PREFIX, runMain, type BenchRow } from './lib/report';
import { startSseProcess } from './lib/servers';
import { proseChars, type SseBodySpec } from './lib/sse-body';
import { mb, mean, median, ms, nowMs, ownCpuMs, ratio } from './lib/stats';
import { loadTransport } from './lib/transport';

/** The 20 MB read two ways: 20 MB of assembled text (about 560 MB of events), or 20 MB of events. */
const TEXT_CHARS = Number(process.env.BENCH_SSE_TEXT ?? 20 * 1024 * 1024);
const WIRE_BYTES = Number(process.env.BENCH_SSE_BYTES ?? 20 * 1024 * 1024);
/** The sandbox's default delta size (streamChunkSize). */
const DELTA_CHARS = Number(process.env.BENCH_SSE_DELTA ?? 8);
const ROUNDS = Number(process.env.BENCH_SSE_ROUNDS ?? 2);
const API_KEY = 'sk-bench';

type Side = 'transport' | 'baseline';

interface SideRun {
	text: string;
	ms: number;
	/** CPU time of this process (all its threads, GC helpers included) during the read. */
	cpuMs: number;
}

function newAgent(): Dispatcher {
	// The transport's pool type and settings (sharedDispatcher in dispatcher.ts).
	return new EnvHttpProxyAgent({ keepAliveTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0 });
}

const requestBody = () => ({
	model: 'gpt-4o-mini',
	messages: [{ role: 'user', content: 'Write a very long answer.' }],
	stream: true,
	stream_options: { include_usage: true },
});

async function baselineRead(url: string, dispatcher: Dispatcher, onEvent?: () => void): Promise<string> {
	const response = await request(`${url}/v1/chat/completions`, {
		method: 'POST',
		dispatcher,
		headers: {
			authorization: `Bearer ${API_KEY}`,
			accept: 'text/event-stream',
			'user-agent': 'n8n-nodes-deerapi-relay',
			'content-type': 'application/json',
		},
		body: JSON.stringify(requestBody()),
	});
	let text = '';
	const parser = createParser({
		onEvent(event) {
			if (event.data === '[DONE]') return;
			const chunk = JSON.parse(event.data);
			const content = chunk.choices?.[0]?.delta?.content;
			if (content) text += content;
			onEvent?.();
		},
	});
	const decoder = new TextDecoder();
	for await (const bytes of response.body) parser.feed(decoder.decode(bytes as Uint8Array, { stream: true }));
	parser.feed(decoder.decode());
	return text;
}

function makeTransportReader(url: string, dispatcher: Dispatcher) {
	const { RelayClient } = loadTransport();
	const client = new RelayClient({ baseUrl: url, apiKey: API_KEY, dispatcher, maxRetries: 0 });
	return async (onDelta?: () => void): Promise<string> => {
		const response = await client.chat(requestBody(), onDelta ? { onDelta } : {});
		return String(response.body.choices[0].message.content);
	};
}

async function timed(run: () => Promise<string>): Promise<SideRun> {
	const cpu = ownCpuMs();
	const start = nowMs();
	const text = await run();
	return { text, ms: nowMs() - start, cpuMs: ownCpuMs() - cpu };
}

/** One side in this (fresh) process: read the stream once while sampling memory. */
async function memoryProbe(side: Side, url: string, textChars: number): Promise<void> {
	const dispatcher = newAgent();
	const transport = makeTransportReader(url, dispatcher);
	// Warm the connection and the code with a first read, then measure a second one.
	const read = (hook?: () => void) => (side === 'transport' ? transport(hook) : baselineRead(url, dispatcher, hook));
	let warm: string | undefined = await read();
	if (warm.length !== textChars) throw new Error(`${side}: got ${warm.length} chars, expected ${textChars}`);
	warm = undefined;
	// undici lets go of the finished response (and what it references) a macrotask later.
	await new Promise((resolve) => setTimeout(resolve, 50));

	const sampler = new MemorySampler();
	let events = 0;
	const hook = () => {
		if ((++events & 4095) === 0) sampler.sample();
	};
	sampler.start(1);
	const start = nowMs();
	let text: string | undefined = await read(hook);
	const elapsed = nowMs() - start;
	const peaks: MemoryPeaks = sampler.stop();
	await new Promise((resolve) => setTimeout(resolve, 50));
	const withText = sampler.retained();
	const length = text.length;
	text = undefined;
	// What the assembled text costs once the read is over: heap with it minus heap without it.
	const retainedWithText = withText - sampler.retained();
	process.stdout.write(
		`${RESULT_PREFIX}${JSON.stringify({ side, length, elapsed, retainedWithText, ...peaks })}\n`,
	);
	await dispatcher.close();
}

type ProbeResult = MemoryPeaks & { side: Side; length: number; elapsed: number; retainedWithText: number };

async function runProbe(side: Side, url: string, textChars: number): Promise<ProbeResult> {
	const { stdout } = await promisify(execFile)(
		process.execPath,
		['--expose-gc', __filename, 'memory', side, url, String(textChars)],
		{ env: childEnv(), maxBuffer: 1 << 20 },
	);
	const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
	if (!line) throw new Error(`memory probe ${side} printed no result:\n${stdout}`);
	return JSON.parse(line.slice(RESULT_PREFIX.length)) as ProbeResult;
}

interface CaseSpec {
	label: string;
	body: SseBodySpec;
	rounds: number;
	/** Whether the 3x memory target is judged on this case. */
	memoryTarget: boolean;
}

interface CaseResult {
	rows: BenchRow[];
	details: Record<string, unknown>;
}

async function runCase(spec: CaseSpec): Promise<CaseResult> {
	progress(`streaming: ${spec.label}: building the SSE body`);
	const server = await startSseProcess(spec.body);
	try {
		const info = server.info!;
		const textChars = info.textChars;
		const expected = proseChars(textChars);
		const dispatcher = newAgent();
		const transport = makeTransportReader(server.url, dispatcher);
		const sides: Record<Side, () => Promise<string>> = {
			transport: () => transport(),
			baseline: () => baselineRead(server.url, dispatcher),
		};
		const times: Record<Side, number[]> = { transport: [], baseline: [] };
		const cpu: Record<Side, number[]> = { transport: [], baseline: [] };
		// Warm-up: one read each (JIT, connection), checking both assemble exactly what was sent.
		for (const side of ['transport', 'baseline'] as Side[]) {
			const { text } = await timed(sides[side]);
			if (text !== expected) throw new Error(`${side}: the assembled text differs from what was sent`);
		}
		for (let round = 0; round < spec.rounds; round++) {
			const order: Side[] = round % 2 ? ['baseline', 'transport'] : ['transport', 'baseline'];
			for (const side of order) {
				const { text, ms: elapsed, cpuMs } = await timed(sides[side]);
				if (text.length !== textChars) throw new Error(`${side}: ${text.length} chars, expected ${textChars}`);
				times[side].push(elapsed);
				cpu[side].push(cpuMs);
			}
		}
		await dispatcher.close();
		progress(
			`streaming: ${spec.label}: transport ${times.transport.map((t) => t.toFixed(0)).join(', ')} ms / baseline ${times.baseline.map((t) => t.toFixed(0)).join(', ')} ms; memory probes...`,
		);
		const memory: Record<Side, ProbeResult> = {
			transport: await runProbe('transport', server.url, textChars),
			baseline: await runProbe('baseline', server.url, textChars),
		};

		const t = median(times.transport);
		const b = median(times.baseline);
		const what = `${spec.label} (${mb(info.bodyBytes)} SSE, ${info.events} events, ${spec.body.deltaChars}-char deltas, text ${mb(textChars)})`;
		const memRow = (side: Side, kind: 'heap' | 'rss' | 'retained'): BenchRow => {
			const probe = memory[side];
			const value =
				kind === 'heap'
					? probe.peakHeapGrowth
					: kind === 'rss'
						? (probe.hwmRssGrowth ?? probe.peakRssGrowth)
						: probe.retainedWithText;
			const label = { heap: 'peak heap growth (V8 heap + external)', rss: 'peak RSS growth (VmHWM)', retained: 'heap held by the text after GC' }[kind];
			const judged = spec.memoryTarget && side === 'transport' && kind === 'heap';
			return {
				bench: '3 streaming',
				case: `${side}: ${label} / text`,
				value: mb(value),
				reference: `text ${mb(textChars)}`,
				ratio: ratio(value / textChars),
				target: judged ? '<= 3x' : undefined,
				met: judged ? value / textChars <= 3 : undefined,
			};
		};
		const rows: BenchRow[] = [
			{
				bench: '3 streaming',
				case: `${what}: time, median of ${spec.rounds}`,
				value: ms(t, 0),
				reference: `${ms(b, 0)} (eventsource-parser + join)`,
				ratio: ratio(t / b),
				target: '<= 1.3x',
				met: t / b <= 1.3,
			},
			{
				bench: '3 streaming',
				case: 'client CPU time per read (all threads, GC included), median',
				value: ms(median(cpu.transport), 0),
				reference: ms(median(cpu.baseline), 0),
				ratio: ratio(median(cpu.transport) / median(cpu.baseline)),
			},
			memRow('transport', 'heap'),
			memRow('transport', 'rss'),
			memRow('transport', 'retained'),
			memRow('baseline', 'heap'),
			memRow('baseline', 'rss'),
			memRow('baseline', 'retained'),
		];
		return {
			rows,
			details: {
				label: spec.label,
				bodyBytes: info.bodyBytes,
				events: info.events,
				textChars,
				deltaChars: spec.body.deltaChars,
				timesMs: times,
				cpuMs: cpu,
				meanMs: { transport: mean(times.transport), baseline: mean(times.baseline) },
				memory,
			},
		};
	} finally {
		await server.close();
	}
}

async function main(): Promise<void> {
	if (process.argv[2] === 'memory') {
		await memoryProbe(process.argv[3] as Side, process.argv[4], Number(process.argv[5]));
		return;
	}
	const cases: CaseSpec[] = [
		{
			label: '20 MB answer text',
			body: { textChars: TEXT_CHARS, deltaChars: DELTA_CHARS },
			rounds: ROUNDS,
			memoryTarget: true,
		},
		{
			label: '20 MB on the wire',
			body: { bodyBytes: WIRE_BYTES, deltaChars: DELTA_CHARS },
			rounds: 6,
			memoryTarget: false,
		},
	];
	const results: CaseResult[] = [];
	for (const spec of cases) {
		if (process.env.BENCH_SSE_ONLY && !spec.label.includes(process.env.BENCH_SSE_ONLY)) continue;
		results.push(await runCase(spec));
	}
	emit({ name: 'streaming', rows: results.flatMap((r) => r.rows), details: results.map((r) => r.details) });
}

runMain(main);
