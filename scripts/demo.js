#!/usr/bin/env node
/**
 * `npm run demo`: builds what is missing or older than its sources, then runs the demo
 * (build/scripts/demo-main.js, compiled from scripts/demo-main.ts). Plain JavaScript with no
 * dependencies, so it runs on a fresh clone before anything is compiled.
 *
 *   dist/   (the package: npm run build)        from nodes/, credentials/ (.ts .svg .json)
 *   build/  (sandbox, scripts, harness:         from nodes/, credentials/, sandbox/, scripts/,
 *            npm run build:tools)                    harness/ (.ts)
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DEMO_MAIN = path.join(ROOT, 'build', 'scripts', 'demo-main.js');
/**
 * tsc's incremental state for the tools build. tsc rewrites only the outputs that changed, so no
 * output's mtime says when it last ran; this file is rewritten whenever a build changed anything,
 * by the demo, `npm run build:tools` or `npm test` alike.
 */
const TOOLS_BUILD_INFO = path.join(ROOT, 'build', '.tsbuildinfo.tools');

const PACKAGE_SOURCES = { dirs: ['nodes', 'credentials'], extensions: ['.ts', '.svg', '.json'] };
const PACKAGE_CONFIG = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'gulpfile.js'];
const TOOLS_SOURCES = { dirs: ['nodes', 'credentials', 'sandbox', 'scripts', 'harness'], extensions: ['.ts'] };
const TOOLS_CONFIG = ['tsconfig.json', 'tsconfig.tools.json'];
/** Compiled by the tools build on their own (the rest of nodes/ and credentials/ only when imported). */
const TOOLS_OWN_DIRS = ['sandbox', 'scripts', 'harness'];

function mtime(file) {
	try {
		return fs.statSync(file).mtimeMs;
	} catch {
		return undefined;
	}
}

function isSource(file, extensions) {
	return extensions.some((ext) => file.endsWith(ext)) && !file.endsWith('.test.ts') && !file.endsWith('.d.ts');
}

function sourceFiles(dirs, extensions) {
	const files = [];
	const walk = (dir) => {
		let entries;
		try {
			entries = fs.readdirSync(dir, { withFileTypes: true });
		} catch {
			return;
		}
		for (const entry of entries) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) {
				if (entry.name !== 'node_modules') walk(full);
			} else if (isSource(entry.name, extensions)) {
				files.push(full);
			}
		}
	};
	dirs.forEach((dir) => walk(path.join(ROOT, dir)));
	return files;
}

/** The newest of the files, as [mtime, file]. */
function newest(files) {
	let found = [0, undefined];
	for (const file of files) {
		const time = mtime(file);
		if (time !== undefined && time > found[0]) found = [time, file];
	}
	return found;
}

function relative(file) {
	return path.relative(ROOT, file);
}

/** Why dist/ must be built, or undefined when it is up to date. */
function packageBuildReason() {
	const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	const outputs = [...manifest.n8n.nodes, ...manifest.n8n.credentials].map((file) => path.join(ROOT, file));
	const missing = outputs.find((file) => mtime(file) === undefined);
	if (missing) return `${relative(missing)} is missing`;
	// `npm run build` cleans dist/ first, so its oldest file tells when it last ran.
	const builtAt = Math.min(...outputs.map(mtime));
	const sources = sourceFiles(PACKAGE_SOURCES.dirs, PACKAGE_SOURCES.extensions);
	const [changedAt, changed] = newest([...sources, ...PACKAGE_CONFIG.map((file) => path.join(ROOT, file))]);
	return changedAt > builtAt ? `${relative(changed)} changed since the last build` : undefined;
}

/** Why build/ must be built, or undefined when it is up to date; `full` when outputs are missing. */
function toolsBuildReason() {
	for (const source of sourceFiles(TOOLS_OWN_DIRS, TOOLS_SOURCES.extensions)) {
		const output = path.join(ROOT, 'build', relative(source)).replace(/\.ts$/, '.js');
		if (mtime(output) === undefined) return { reason: `${relative(output)} is missing`, full: true };
	}
	const builtAt = mtime(TOOLS_BUILD_INFO);
	if (builtAt === undefined) return { reason: `${relative(TOOLS_BUILD_INFO)} is missing`, full: false };
	const sources = sourceFiles(TOOLS_SOURCES.dirs, TOOLS_SOURCES.extensions);
	const [changedAt, changed] = newest([...sources, ...TOOLS_CONFIG.map((file) => path.join(ROOT, file))]);
	return changedAt > builtAt ? { reason: `${relative(changed)} changed since the last build`, full: false } : undefined;
}

function npm(args) {
	// Under `npm run`, npm_execpath is the npm that started us: no PATH or Windows .cmd lookup needed.
	const npmCli = process.env.npm_execpath;
	const [command, commandArgs] =
		npmCli && /npm-cli\.js$/.test(npmCli)
			? [process.execPath, [npmCli, ...args]]
			: [process.platform === 'win32' ? 'npm.cmd' : 'npm', args];
	const result = spawnSync(command, commandArgs, {
		cwd: ROOT,
		stdio: 'inherit',
		shell: process.platform === 'win32' && command === 'npm.cmd',
	});
	if (result.error) throw new Error(`could not run npm ${args.join(' ')}: ${result.error.message}`);
	if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (exit code ${result.status ?? result.signal})`);
}

/** Builds dist/ if needed. */
function ensurePackageBuild(log = console.log) {
	const reason = packageBuildReason();
	if (!reason) return false;
	log(`demo: building the package (${reason}): npm run build`);
	npm(['run', 'build', '--silent']);
	return true;
}

/** Builds build/ if needed. */
function ensureToolsBuild(log = console.log) {
	const stale = toolsBuildReason();
	if (!stale) return false;
	log(`demo: compiling the sandbox, the harness and the demo (${stale.reason}): npm run build:tools`);
	// tsc's incremental state does not notice deleted outputs: without it every file is emitted again.
	if (stale.full) fs.rmSync(TOOLS_BUILD_INFO, { force: true });
	npm(['run', 'build:tools', '--silent']);
	// A source saved without changes is not rebuilt, and must not make every later run build again.
	const now = new Date();
	if (mtime(TOOLS_BUILD_INFO) !== undefined) fs.utimesSync(TOOLS_BUILD_INFO, now, now);
	return true;
}

module.exports = { ensurePackageBuild, ensureToolsBuild, packageBuildReason, toolsBuildReason, DEMO_MAIN };

if (require.main === module) {
	try {
		ensurePackageBuild();
		ensureToolsBuild();
	} catch (error) {
		console.error(`demo: ${error.message}`);
		process.exit(1);
	}
	require(DEMO_MAIN);
}
