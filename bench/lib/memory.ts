import { readFileSync, writeFileSync } from 'node:fs';

/** Peak resident set size since the last reset (Linux VmHWM), in bytes; undefined elsewhere. */
export function peakRss(): number | undefined {
	try {
		const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
		return match ? Number(match[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}

/** Resets VmHWM to the current RSS (Linux: "5" > /proc/self/clear_refs). */
export function resetPeakRss(): boolean {
	try {
		writeFileSync('/proc/self/clear_refs', '5');
		return true;
	} catch {
		return false;
	}
}

export function gc(): void {
	const collect = (globalThis as { gc?: () => void }).gc;
	if (!collect) throw new Error('run with --expose-gc');
	collect();
	collect();
}

export interface MemoryPeaks {
	baselineHeap: number;
	baselineRss: number;
	/** Highest heapUsed + external + arrayBuffers seen, minus the baseline. */
	peakHeapGrowth: number;
	/** Highest sampled RSS minus the baseline. */
	peakRssGrowth: number;
	/** VmHWM after the run minus the baseline RSS (catches peaks between samples). */
	hwmRssGrowth?: number;
	samples: number;
}

/**
 * Samples memory every `intervalMs` (timers run between network chunks) and whenever `sample()`
 * is called from inside the measured code. Heap figures count V8's heap plus memory held
 * outside it (Buffers): heapUsed + external.
 */
export class MemorySampler {
	private timer?: NodeJS.Timeout;

	private baselineHeap = 0;

	private baselineRss = 0;

	private maxHeap = 0;

	private maxRss = 0;

	private count = 0;

	hwmSupported = false;

	start(intervalMs = 1): void {
		gc();
		const usage = process.memoryUsage();
		this.baselineHeap = usage.heapUsed + usage.external;
		this.baselineRss = usage.rss;
		this.maxHeap = this.baselineHeap;
		this.maxRss = this.baselineRss;
		this.hwmSupported = resetPeakRss();
		this.timer = setInterval(() => this.sample(), intervalMs);
	}

	readonly sample = (): void => {
		const usage = process.memoryUsage();
		const heap = usage.heapUsed + usage.external;
		if (heap > this.maxHeap) this.maxHeap = heap;
		if (usage.rss > this.maxRss) this.maxRss = usage.rss;
		this.count++;
	};

	stop(): MemoryPeaks {
		if (this.timer) clearInterval(this.timer);
		this.sample();
		const hwm = this.hwmSupported ? peakRss() : undefined;
		return {
			baselineHeap: this.baselineHeap,
			baselineRss: this.baselineRss,
			peakHeapGrowth: this.maxHeap - this.baselineHeap,
			peakRssGrowth: this.maxRss - this.baselineRss,
			hwmRssGrowth: hwm === undefined ? undefined : hwm - this.baselineRss,
			samples: this.count,
		};
	}

	/** Heap (V8 + external) still held after a full GC, above the baseline. */
	retained(): number {
		gc();
		const usage = process.memoryUsage();
		return usage.heapUsed + usage.external - this.baselineHeap;
	}
}
