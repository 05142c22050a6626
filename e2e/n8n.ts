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
	port?: number;

	constructor(
		readonly installed: InstalledLine,
		runDir: string,
	) {
		this.userFolder = path.join(runDir, `n8n-${installed.line.label.replace('.', '')}`);
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

	/** `n8n start`, resolved once the editor answers on its port. */
	async start(timeoutMs = 180_000): Promise<void> {
		this.port = await freePort();
		const env = this.env({ N8N_PORT: String(this.port), N8N_RUNNERS_BROKER_PORT: String(await freePort()) });
		let output = '';
		this.server = startProcess(this.installed.nodeBin, [this.installed.n8nBin, 'start'], {
			cwd: this.userFolder,
			env,
			onOutput: (chunk) => {
				output += chunk;
				appendFileSync(this.outputFile, chunk);
			},
		});
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (this.server.exitCode !== null) throw new Error(`n8n start exited ${this.server.exitCode}:\n${output.slice(-2000)}`);
			if (/Editor is now accessible/.test(output)) {
				const answer = await fetch(`${this.baseUrl}/healthz`).catch(() => undefined);
				if (answer?.ok) return;
			}
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		throw new Error(`n8n start did not answer within ${timeoutMs / 1000} s:\n${output.slice(-2000)}`);
	}

	async stop(): Promise<void> {
		if (this.server) await stopProcess(this.server, 15_000);
		this.server = undefined;
	}
}
