/**
 * Postgres and Redis for the queue-mode scenario, from Debian's packages, run as this test's own
 * processes: their own data folders in the run folder, free ports, 127.0.0.1 only, stopped with
 * everything else the e2e tier starts. Never the machine's own clusters or services.
 */
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { cleanEnv } from './config';
import { ensureDebianPackages } from './install';
import { freePort } from './ports';
import { run, startProcess, stopProcess } from './processes';

const POSTGRES_ROOT = '/usr/lib/postgresql';
/** Debian's postgres refuses to run as root; as root the test runs its binaries as this user. */
const POSTGRES_OS_USER = 'postgres';
export const DATABASE = { user: 'n8n', name: 'n8n' };

function postgresBinDir(): string | undefined {
	if (!existsSync(POSTGRES_ROOT)) return undefined;
	const majors = readdirSync(POSTGRES_ROOT)
		.filter((entry) => existsSync(path.join(POSTGRES_ROOT, entry, 'bin', 'postgres')))
		.sort((a, b) => Number(b) - Number(a));
	return majors.length ? path.join(POSTGRES_ROOT, majors[0], 'bin') : undefined;
}

async function waitFor(what: string, ready: () => Promise<boolean>, exited: () => boolean, output: () => string, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (exited()) throw new Error(`${what} exited:\n${output().slice(-1500)}`);
		if (await ready()) return;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	throw new Error(`${what} did not answer within ${timeoutMs / 1000} s:\n${output().slice(-1500)}`);
}

export class Postgres {
	private constructor(
		readonly port: number,
		private readonly bin: string,
		private readonly stopServer: () => Promise<void>,
	) {}

	/**
	 * initdb into a fresh temp folder and postgres on a free port; trust auth, as the only client is
	 * this test on loopback. Its own folder (not the run folder, which only root may enter), removed on stop.
	 */
	static async start(): Promise<Postgres> {
		await ensureDebianPackages(['postgresql'], () => postgresBinDir() !== undefined);
		const bin = postgresBinDir()!;
		const dir = mkdtempSync(path.join(os.tmpdir(), 'deerapi-e2e-postgres-'));
		const data = path.join(dir, 'data');
		const sockets = path.join(dir, 'sockets');
		mkdirSync(sockets, { recursive: true });
		const asRoot = process.getuid?.() === 0;
		const as = (command: string, args: string[]): [string, string[]] =>
			asRoot ? ['runuser', ['-u', POSTGRES_OS_USER, '--', command, ...args]] : [command, args];
		if (asRoot) {
			const { uid, gid } = await postgresIds();
			chownSync(dir, uid, gid);
			chownSync(sockets, uid, gid);
		}
		const env = { ...cleanEnv(), LC_ALL: 'C.UTF-8' };
		const [initdb, initArgs] = as(path.join(bin, 'initdb'), ['-D', data, '-U', DATABASE.user, '--auth=trust', '--encoding=UTF8', '--no-sync']);
		await run(initdb, initArgs, { env });
		const port = await freePort();
		// A test database: durability off (fsync, synchronous_commit) so the disk is not what is measured.
		const [postgres, args] = as(path.join(bin, 'postgres'), [
			'-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', sockets,
			'-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
		]);
		let output = '';
		const server = startProcess(postgres, args, { env, onOutput: (chunk) => (output += chunk) });
		const instance = new Postgres(port, bin, async () => {
			await stopProcess(server, 10_000);
			rmSync(dir, { recursive: true, force: true });
		});
		await waitFor('postgres', async () => (await instance.psql('postgres', 'SELECT 1', true)).code === 0, () => server.exitCode !== null, () => output);
		await instance.psql('postgres', `CREATE DATABASE ${DATABASE.name}`);
		return instance;
	}

	private psql(database: string, sql: string, allowFailure = false) {
		return run(path.join(this.bin, 'psql'), ['-h', '127.0.0.1', '-p', String(this.port), '-U', DATABASE.user, '-d', database, '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
			env: cleanEnv(),
			allowFailure,
		});
	}

	/** Rows of `sql` in n8n's database, as JSON objects. */
	async query(sql: string): Promise<Array<Record<string, any>>> {
		const result = await this.psql(DATABASE.name, `SELECT coalesce(json_agg(row_to_json(q)), '[]') FROM (${sql}) q`);
		return JSON.parse(result.stdout) as Array<Record<string, any>>;
	}

	/** What n8n needs to use this database. */
	n8nEnv(): Record<string, string> {
		return {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(this.port),
			DB_POSTGRESDB_DATABASE: DATABASE.name,
			DB_POSTGRESDB_USER: DATABASE.user,
			DB_POSTGRESDB_PASSWORD: '',
		};
	}

	stop(): Promise<void> {
		return this.stopServer();
	}
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
	const [uid, gid] = await Promise.all(['-u', '-g'].map(async (flag) => Number((await run('id', [flag, POSTGRES_OS_USER])).stdout.trim())));
	return { uid, gid };
}

export class Redis {
	private constructor(
		readonly port: number,
		private readonly stopServer: () => Promise<void>,
	) {}

	/** redis-server on a free port with its folder in `dir`, nothing persisted. */
	static async start(dir: string): Promise<Redis> {
		await ensureDebianPackages(['redis-server'], () => existsSync('/usr/bin/redis-server'));
		mkdirSync(dir, { recursive: true });
		const port = await freePort();
		let output = '';
		const server = startProcess(
			'/usr/bin/redis-server',
			['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes'],
			{ env: cleanEnv(), onOutput: (chunk) => (output += chunk) },
		);
		await waitFor('redis-server', async () => /Ready to accept connections/.test(output), () => server.exitCode !== null, () => output);
		return new Redis(port, () => stopProcess(server, 10_000));
	}

	n8nEnv(): Record<string, string> {
		return { QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(this.port) };
	}

	stop(): Promise<void> {
		return this.stopServer();
	}
}
