import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
	date: string;
	cpus: number;
	cpuModel: string;
	memory: string;
	node: string;
	os: string;
}

function shell(command: string, args: string[]): string | undefined {
	try {
		return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
	} catch {
		return undefined;
	}
}

export function describeMachine(): Machine {
	let cpuModel = os.cpus()[0]?.model ?? 'unknown';
	try {
		const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
		if (match) cpuModel = match[1].trim();
	} catch {
		// not Linux
	}
	const free = shell('free', ['-h']);
	const memLine = free?.split('\n').find((line) => line.startsWith('Mem:'));
	return {
		date: new Date().toISOString(),
		cpus: Number(shell('nproc', [])) || os.availableParallelism(),
		cpuModel,
		memory: memLine ? `free -h: ${memLine.replace(/\s+/g, ' ')}` : `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB total`,
		node: process.version,
		os: `${os.type()} ${os.release()} ${os.arch()}`,
	};
}
