/**
 * Every process the e2e tier starts goes through here: each in its own process group, tracked by
 * pid, and the whole group killed at the end, on a failure and on Ctrl-C alike.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const running = new Set<ChildProcess>();

export interface RunResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

export interface RunOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	/** Resolve with a non-zero code instead of throwing. */
	allowFailure?: boolean;
	timeoutMs?: number;
	/** Called with every chunk of output, stdout and stderr alike. */
	onOutput?: (chunk: string) => void;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		// The group is already gone.
	}
}

/** Tracks a process started elsewhere (the browser puppeteer launches in its own group). */
export function track(child: ChildProcess): void {
	running.add(child);
	child.on('exit', () => running.delete(child));
}

/** Starts a long-running process (n8n start, the sandbox); stop it with stopProcess. */
export function startProcess(command: string, args: string[], options: RunOptions = {}): ChildProcess {
	const spawnOptions: SpawnOptions = { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] };
	const child = spawn(command, args, spawnOptions);
	running.add(child);
	child.on('exit', () => running.delete(child));
	if (options.onOutput) {
		child.stdout?.on('data', (chunk: Buffer) => options.onOutput!(chunk.toString()));
		child.stderr?.on('data', (chunk: Buffer) => options.onOutput!(chunk.toString()));
	}
	return child;
}

/** SIGTERM to the group, SIGKILL after graceMs if it still runs. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) {
		running.delete(child);
		return;
	}
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	killGroup(child, 'SIGTERM');
	const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
	await exited;
	clearTimeout(timer);
	// Children that outlived the group leader.
	killGroup(child, 'SIGKILL');
	running.delete(child);
}

export async function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
	const child = startProcess(command, args, options);
	let stdout = '';
	let stderr = '';
	child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const timer = options.timeoutMs ? setTimeout(() => killGroup(child, 'SIGKILL'), options.timeoutMs) : undefined;
	const code = await new Promise<number | null>((resolve, reject) => {
		child.once('error', reject);
		child.once('close', (exitCode) => resolve(exitCode));
	});
	if (timer) clearTimeout(timer);
	running.delete(child);
	if (code !== 0 && !options.allowFailure) {
		const tail = (stderr || stdout).trim().split('\n').slice(-15).join('\n');
		throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${tail}`);
	}
	return { code, stdout, stderr };
}

/** Kills every group still running: for exit paths that cannot await. */
export function killAllSync(): void {
	for (const child of running) killGroup(child, 'SIGKILL');
	running.clear();
}

export async function stopAll(): Promise<void> {
	await Promise.all([...running].map((child) => stopProcess(child, 5_000)));
}

let installed = false;
/** On Ctrl-C / SIGTERM: kill what we started, then exit with the signal's code. */
export function stopAllOnSignals(): void {
	if (installed) return;
	installed = true;
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.on(signal, () => {
			console.error(`\n[e2e] ${signal}: stopping every process started`);
			killAllSync();
			process.exit(signal === 'SIGINT' ? 130 : 143);
		});
	}
	process.on('exit', killAllSync);
}
