/**
 * `node build/bench/profile-summary.js <file.cpuprofile> [top]`: self time by package and by
 * function, to say what dominates a profile written with BENCH_PROFILE or --cpu-prof. `windows`
 * (monotonic-clock microseconds, the clock of a profile's timestamps and of process.hrtime) keeps
 * only the samples inside them: the measured runs of a long-lived process such as n8n.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}

function packageOf(url: string, fn: string): string {
	if (fn === '(garbage collector)') return '(gc)';
	if (fn === '(idle)') return '(idle)';
	if (!url) return '(native)';
	const match = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
	if (match) return match[1];
	if (url.includes('/dist/')) return 'n8n-nodes-deerapi-relay (dist)';
	if (url.includes('/build/')) return 'bench / harness / sandbox (build)';
	if (url.startsWith('node:')) return 'node core';
	return url;
}

export type Window = [startUs: number, endUs: number];

export function summarise(file: string, top = 25, windows?: Window[]): string {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number };
	const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
	const selfByNode = new Map<number, number>();
	let at = profile.startTime;
	profile.samples.forEach((id, i) => {
		// A sample's delta is the time since the one before: the time this stack was seen running.
		const delta = profile.timeDeltas[i] ?? 0;
		at += delta;
		if (windows && !windows.some(([start, end]) => at >= start && at <= end)) return;
		selfByNode.set(id, (selfByNode.get(id) ?? 0) + delta);
	});
	const byPackage = new Map<string, number>();
	const byFunction = new Map<string, number>();
	let total = 0;
	for (const [id, micros] of selfByNode) {
		const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
		total += micros;
		const pkg = packageOf(url, functionName);
		byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
		const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
		byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
	}
	const windowed = windows ? ` in ${windows.length} window(s) of ${(windows.reduce((sum, [start, end]) => sum + end - start, 0) / 1000).toFixed(0)} ms` : '';
	const lines = [`${file}: ${(total / 1000).toFixed(0)} ms sampled${windowed}`, 'self time by package:'];
	const fmt = (micros: number) => `${(micros / 1000).toFixed(1).padStart(8)} ms ${((100 * micros) / total).toFixed(1).padStart(5)}%`;
	for (const [key, micros] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`${fmt(micros)}  ${key}`);
	lines.push('self time by function:');
	for (const [key, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${fmt(micros)}  ${key}`);
	return lines.join('\n');
}

if (require.main === module) {
	console.log(summarise(process.argv[2], Number(process.argv[3] ?? 25)));
}
