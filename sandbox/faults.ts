import type { Fault } from './types';

interface ActiveFault {
	fault: Fault;
	remaining: number;
}

/** Registered faults, consumed in order: a request takes the first still-active match. */
export class FaultQueue {
	private active: ActiveFault[] = [];

	add(fault: Fault): void {
		const times = fault.times ?? 1;
		if (times > 0) this.active.push({ fault, remaining: times });
	}

	clear(): void {
		this.active = [];
	}

	/**
	 * @param fullPath the path as received, e.g. '/openai/v1/chat/completions'
	 * @param routePath the path after any prefix, e.g. '/v1/chat/completions'
	 */
	take(method: string, fullPath: string, routePath: string): Fault | undefined {
		const index = this.active.findIndex(({ fault }) => matches(fault, method, fullPath, routePath));
		if (index < 0) return undefined;
		const entry = this.active[index];
		if (--entry.remaining <= 0) this.active.splice(index, 1);
		return entry.fault;
	}
}

function matches(fault: Fault, method: string, fullPath: string, routePath: string): boolean {
	if (fault.method && fault.method.toUpperCase() !== method.toUpperCase()) return false;
	if (fault.path === undefined) return true;
	if (typeof fault.path === 'string') return fault.path === routePath || fault.path === fullPath;
	fault.path.lastIndex = 0; // a /g or /y RegExp keeps state between test() calls
	return fault.path.test(fullPath);
}
