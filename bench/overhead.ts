/**
 * 2. Overhead: RelayClient.chat (non-streamed) against a raw undici `request` of the same body,
 * with the same headers, to the same zero-latency sandbox endpoint, reading and parsing the JSON
 * answer (`JSON.parse(await body.text())`). The transport uses its own process-wide pool (what
 * the nodes use); the raw side a pool of the same type and settings (EnvHttpProxyAgent,
 * keep-alive). Calls alternate transport / raw (the order flips every pair), after a warm-up.
 * The sandbox runs in its own process. Besides wall time per call, the client process's CPU time
 * per call is summed per side: that is the part the transport itself adds.
 */
import { EnvHttpProxyAgent, request } from 'undici';

import { emit, progress, runMain, type BenchRow } from './lib/report';
import { startSandboxProcess } from './lib/servers';
import { mean, ms, nowMs, percentile, ratio } from './lib/stats';
import { loadTransport } from './lib/transport';

const CALLS = Number(process.env.BENCH_OVERHEAD_CALLS ?? 2000);
const WARMUP = Number(process.env.BENCH_OVERHEAD_WARMUP ?? 300);

type Side = 'transport' | 'raw';

function cpuMicros(): number {
	const usage = process.cpuUsage();
	return usage.user + usage.system;
}

async function main(): Promise<void> {
	const sandbox = await startSandboxProcess({ latencyMs: 0 });
	try {
		const { RelayClient } = loadTransport();
		const client = new RelayClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
		const rawAgent = new EnvHttpProxyAgent({ keepAliveTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0 });
		const url = `${sandbox.url}/v1/chat/completions`;
		const headers = {
			authorization: `Bearer ${sandbox.apiKey}`,
			accept: 'application/json',
			'user-agent': 'n8n-nodes-deerapi-relay',
			'content-type': 'application/json',
		};
		const bodyFor = (i: number) => ({
			model: 'gpt-4o-mini',
			messages: [
				{ role: 'system', content: 'You write short product taglines.' },
				{ role: 'user', content: `Write a tagline for product ${i}: a waterproof hiking backpack, 30 litres.` },
			],
			temperature: 0.7,
		});

		const calls: Record<Side, (i: number) => Promise<string>> = {
			async transport(i) {
				const response = await client.chat(bodyFor(i));
				return String(response.body.choices[0].message.content);
			},
			async raw(i) {
				const response = await request(url, {
					method: 'POST',
					dispatcher: rawAgent,
					headers,
					body: JSON.stringify(bodyFor(i)),
				});
				const parsed = JSON.parse(await response.body.text());
				if (response.statusCode !== 200) throw new Error(`raw call: ${response.statusCode}`);
				return String(parsed.choices[0].message.content);
			},
		};

		const times: Record<Side, number[]> = { transport: [], raw: [] };
		const cpu: Record<Side, number> = { transport: 0, raw: 0 };
		const run = async (side: Side, i: number, record: boolean) => {
			const cpu0 = cpuMicros();
			const start = nowMs();
			const content = await calls[side](i);
			const elapsed = nowMs() - start;
			const cpu1 = cpuMicros();
			if (!content.startsWith('Sandbox reply to:')) throw new Error(`${side}: unexpected answer ${content}`);
			if (record) {
				times[side].push(elapsed);
				cpu[side] += cpu1 - cpu0;
			}
		};

		progress(`overhead: warm-up ${WARMUP} pairs, then ${CALLS} calls each, interleaved`);
		for (let i = 0; i < WARMUP; i++) {
			await run('transport', i, false);
			await run('raw', i, false);
		}
		for (let i = 0; i < CALLS; i++) {
			const order: Side[] = i % 2 ? ['raw', 'transport'] : ['transport', 'raw'];
			for (const side of order) await run(side, i, true);
		}
		await rawAgent.close();

		const stat = (side: Side) => ({
			mean: mean(times[side]),
			p50: percentile(times[side], 50),
			p99: percentile(times[side], 99),
			cpuUsPerCall: cpu[side] / times[side].length,
		});
		const t = stat('transport');
		const r = stat('raw');
		const rows: BenchRow[] = [
			{
				bench: '2 overhead',
				case: `chat call, ${CALLS} each, interleaved: mean`,
				value: ms(t.mean, 3),
				reference: `${ms(r.mean, 3)} raw undici`,
				ratio: ratio(t.mean / r.mean),
				target: '<= 1.15x',
				met: t.mean / r.mean <= 1.15,
			},
			{ bench: '2 overhead', case: 'p50 per call', value: ms(t.p50, 3), reference: ms(r.p50, 3), ratio: ratio(t.p50 / r.p50) },
			{ bench: '2 overhead', case: 'p99 per call', value: ms(t.p99, 3), reference: ms(r.p99, 3), ratio: ratio(t.p99 / r.p99) },
			{
				bench: '2 overhead',
				case: 'client CPU per call (user + system)',
				value: `${t.cpuUsPerCall.toFixed(0)} us`,
				reference: `${r.cpuUsPerCall.toFixed(0)} us`,
				ratio: ratio(t.cpuUsPerCall / r.cpuUsPerCall),
			},
		];
		emit({ name: 'overhead', rows, details: { calls: CALLS, warmup: WARMUP, transport: t, raw: r } });
	} finally {
		await sandbox.close();
	}
}

runMain(main);
