/**
 * One real n8n of one line, with its own user folder: the environment every command gets, the CLI
 * commands a self-hosting user runs (import, execute) and `n8n start` on a free loopback port.
 */
import { type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { cleanEnv } from './config';
import type { InstalledLine } from './install';
import { freePort } from './ports';
import { run, startProcess, stopProcess, type RunResult } from './processes';

/** Fixed so a test instance's credentials can be read back; never a real instance's key. */
const ENCRYPTION_KEY = 'e2e-only-encryption-key-4b1d0c';

export class N8nInstance {
	readonly userFolder: string;
	/** `<userFolder>/.n8n`: database.sqlite, nodes/, binaryData/. */
	readonly n8nFolder: string;
	readonly logFile: string;
	/** Everything n8n printed, all commands, for the "no key in any log" check. */
	readonly outputFile: string;
	private server?: ChildProcess;
	private readonly workers: N8nWorker[] = [];
	/** Counted before the first await, so workers started side by side get distinct numbers and log files. */
	private workersStarted = 0;
	port?: number;

	/** `options.env`: added to every command (queue mode: database, Redis, binary data mode). */
	constructor(
		readonly installed: InstalledLine,
		runDir: string,
		private readonly options: { folderName?: string; env?: Record<string, string> } = {},
	) {
		this.userFolder = path.join(runDir, options.folderName ?? `n8n-${installed.line.label.replace('.', '')}`);
		this.n8nFolder = path.join(this.userFolder, '.n8n');
		this.logFile = path.join(this.userFolder, 'n8n.log');
		this.outputFile = path.join(this.userFolder, 'n8n-output.log');
		mkdirSync(path.join(this.n8nFolder, 'nodes'), { recursive: true });
		writeFileSync(this.outputFile, '');
	}

	get label(): string {
		return this.installed.line.label;
	}

	get nodesFolder(): string {
		return path.join(this.n8nFolder, 'nodes');
	}

	get baseUrl(): string {
		if (!this.port) throw new Error('n8n is not started');
		return `http://127.0.0.1:${this.port}`;
	}

	/** The environment of every command: PATH with this line's node first, loopback only, no phoning home. */
	env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
		return {
			...cleanEnv(),
			PATH: `${this.installed.nodeBinDir}${path.delimiter}${process.env.PATH ?? ''}`,
			N8N_USER_FOLDER: this.userFolder,
			N8N_HOST: '127.0.0.1',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_SECURE_COOKIE: 'false',
			N8N_LOG_OUTPUT: 'console,file',
			N8N_LOG_FILE_LOCATION: this.logFile,
			N8N_LOG_LEVEL: 'info',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			...this.installed.line.env,
			...this.options.env,
			...extra,
		};
	}

	private record(command: string, result: RunResult): void {
		appendFileSync(this.outputFile, `$ ${command}\n${result.stdout}\n${result.stderr}\n`);
	}

	/** `n8n <args>` with this line's node; output is kept in outputFile. */
	async cli(args: string[], options: { allowFailure?: boolean; env?: Record<string, string> } = {}): Promise<RunResult> {
		const brokerPort = await freePort();
		const result = await run(this.installed.nodeBin, [this.installed.n8nBin, ...args], {
			cwd: this.userFolder,
			env: this.env({ N8N_PORT: String(await freePort()), N8N_RUNNERS_BROKER_PORT: String(brokerPort), ...options.env }),
			allowFailure: true,
			timeoutMs: 5 * 60_000,
		});
		this.record(`n8n ${args.join(' ')}`, result);
		if (result.code !== 0 && !options.allowFailure) {
			const tail = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-20).join('\n');
			throw new Error(`n8n ${args.join(' ')} exited ${result.code}:\n${tail}`);
		}
		return result;
	}

	/** npm in the user's nodes folder, as a user installs a community package by hand. */
	async npmInNodesFolder(args: string[]): Promise<RunResult> {
		const result = await run('npm', args, { cwd: this.nodesFolder, env: this.env(), timeoutMs: 5 * 60_000 });
		this.record(`npm ${args.join(' ')}`, result);
		return result;
	}

	/** `n8n start`, resolved once the editor answers on its port; `extraEnv` for this process only (e.g. NODE_OPTIONS). */
	async start(timeoutMs = 180_000, extraEnv: Record<string, string> = {}): Promise<void> {
		this.port = await freePort();
		const env = this.env({ N8N_PORT: String(this.port), N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...extraEnv });
		this.server = await this.startServer(['start'], env, timeoutMs, async (output) => {
			if (!/Editor is now accessible/.test(output)) return false;
			return (await fetch(`${this.baseUrl}/healthz`).catch(() => undefined))?.ok === true;
		});
	}

	/**
	 * `n8n worker` on the same user folder (so the same .n8n/nodes), with its own log file and
	 * ports; resolved once its health check answers. Queue mode only.
	 */
	async startWorker(concurrency: number, timeoutMs = 180_000): Promise<N8nWorker> {
		const index = ++this.workersStarted;
		const healthPort = await freePort();
		const logFile = path.join(this.userFolder, `worker-${index}.log`);
		const env = this.env({
			N8N_PORT: String(await freePort()),
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			N8N_LOG_FILE_LOCATION: logFile,
		});
		const child = await this.startServer(['worker', `--concurrency=${concurrency}`], env, timeoutMs, async (output) => {
			if (!/n8n worker is now ready/.test(output)) return false;
			return (await fetch(`http://127.0.0.1:${healthPort}/healthz`).catch(() => undefined))?.ok === true;
		});
		const worker: N8nWorker = { index, child, pid: child.pid!, logFile };
		this.workers.push(worker);
		return worker;
	}

	private async startServer(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, ready: (output: string) => Promise<boolean>): Promise<ChildProcess> {
		let output = '';
		const child = startProcess(this.installed.nodeBin, [this.installed.n8nBin, ...args], {
			cwd: this.userFolder,
			env,
			onOutput: (chunk) => {
				output += chunk;
				appendFileSync(this.outputFile, chunk);
			},
		});
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (child.exitCode !== null) throw new Error(`n8n ${args[0]} exited ${child.exitCode}:\n${output.slice(-2000)}`);
			if (await ready(output)) return child;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		await stopProcess(child, 5_000);
		throw new Error(`n8n ${args[0]} did not answer within ${timeoutMs / 1000} s:\n${output.slice(-2000)}`);
	}

	/** The pid of `n8n start`, while it runs. */
	get serverPid(): number | undefined {
		return this.server?.pid;
	}

	/** Every log file of this instance: the main's, the workers'. */
	get logFiles(): string[] {
		return [this.logFile, ...this.workers.map((worker) => worker.logFile)];
	}

	async stop(): Promise<void> {
		await Promise.all(this.workers.map((worker) => stopProcess(worker.child, 15_000)));
		if (this.server) await stopProcess(this.server, 15_000);
		this.server = undefined;
	}
}

export interface N8nWorker {
	/** 1, 2, ...: the order the workers started in. */
	index: number;
	child: ChildProcess;
	pid: number;
	logFile: string;
}
