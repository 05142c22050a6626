import { readFileSync } from 'node:fs';

/** Small statistics and formatting helpers for the bench scripts. */

export function sum(values: number[]): number {
	let total = 0;
	for (const value of values) total += value;
	return total;
}

export function mean(values: number[]): number {
	return values.length ? sum(values) / values.length : NaN;
}

/** Nearest-rank percentile, p in [0, 100]. */
export function percentile(values: number[], p: number): number {
	if (!values.length) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[rank];
}

export function median(values: number[]): number {
	if (!values.length) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = sorted.length >> 1;
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const MB = 1024 * 1024;

export function mb(bytes: number, digits = 1): string {
	return `${(bytes / MB).toFixed(digits)} MB`;
}

export function ms(value: number, digits = 1): string {
	return `${value.toFixed(digits)} ms`;
}

export function ratio(value: number, digits = 2): string {
	return `${value.toFixed(digits)}x`;
}

export function nowMs(): number {
	return Number(process.hrtime.bigint()) / 1e6;
}

/** CPU time (user + system) of another process so far, in ms (Linux /proc); NaN elsewhere. */
export function processCpuMs(pid: number): number {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		// utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second).
		return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
	} catch {
		return NaN;
	}
}

/** CPU time (user + system) of this process so far, in ms. */
export function ownCpuMs(): number {
	const usage = process.cpuUsage();
	return (usage.user + usage.system) / 1000;
}
