import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { IWorkflowBase } from 'n8n-workflow';

import { sniffAudioType, sniffMediaType } from '../../nodes/shared/transport/file-types';
import { readImageInfo, startSandbox } from '../../sandbox';
import { usesN8nAiNodes } from '../../harness/ai-nodes';

const root = path.resolve(__dirname, '../..');
// Generous: in a fresh clone the first demo run builds the sandbox and the demo itself (tsc).
const DEMO_TIMEOUT_MS = 180_000;
/** The demo runs every example workflow but those on n8n's AI Agent, which only n8n has. */
const EXAMPLE_COUNT = readdirSync(path.join(root, 'examples'))
	.filter((file) => file.endsWith('.json'))
	.filter((file) => !usesN8nAiNodes(JSON.parse(readFileSync(path.join(root, 'examples', file), 'utf8')) as IWorkflowBase)).length;

// The launcher itself (plain JS): the test uses its own idea of "out of date".
const launcher = require('../../scripts/demo.js') as { packageBuildReason(): string | undefined };

beforeAll(() => {
	// The launcher would rebuild dist/, and `npm run build` empties it first: other suites load it meanwhile.
	const reason = launcher.packageBuildReason();
	if (reason) throw new Error(`Build first (npm run build): ${reason}`);
});

/** Demo processes still running: a test that times out must not leave its demo behind. */
const running = new Set<ReturnType<typeof spawn>>();
afterEach(() => {
	for (const child of running) child.kill('SIGKILL');
	running.clear();
});

/** `npm run demo` as a user runs it (the launcher builds only what is out of date). */
function demo(args: string[], env: Record<string, string> = {}) {
	const clean = Object.fromEntries(
		Object.entries(process.env).filter(([name]) => !name.startsWith('DEERAPI_')),
	);
	return new Promise<{ code: number | null; output: string }>((resolve) => {
		const child = spawn(process.execPath, ['scripts/demo.js', ...args], {
			cwd: root,
			env: { ...clean, NO_COLOR: '1', ...env },
		});
		running.add(child);
		let output = '';
		child.stdout.on('data', (chunk) => (output += chunk));
		child.stderr.on('data', (chunk) => (output += chunk));
		child.on('close', (code) => {
			running.delete(child);
			resolve({ code, output });
		});
	});
}

function filesUnder(dir: string): string[] {
	return readdirSync(dir, { recursive: true, encoding: 'utf8' })
		.map((file) => path.join(dir, file))
		.filter((file) => statSync(file).isFile());
}

let out: string;
beforeEach(() => {
	out = mkdtempSync(path.join(tmpdir(), 'deerapi-demo-'));
});
afterEach(() => rmSync(out, { recursive: true, force: true }));

it('runs every example against the built-in sandbox and writes real image and audio files', async () => {
	const { code, output } = await demo(['--out', out]);
	expect(code).toBe(0);
	expect(output).toMatch(/Running against the built-in sandbox at http:\/\/127\.0\.0\.1:\d+/);
	for (let step = 1; step <= EXAMPLE_COUNT; step++) expect(output).toContain(`[${step}/${EXAMPLE_COUNT}]`);
	const summary = new RegExp(
		`Done: ${EXAMPLE_COUNT} workflows ran against the built-in sandbox, (\\d+) images \\(\\+8 other files\\) written to (.+?), total`,
	).exec(output);
	expect(summary).not.toBeNull();
	// The balance example: the figures, the routes, and the alert it ends with.
	expect(output).toMatch(/balance: +US\$3\.50 left of US\$25\.00 \(US\$21\.50 used\), until 2027-01-01T00:00:00\.000Z/);
	expect(output).toContain('answered by: /v1/dashboard/billing/subscription, /v1/dashboard/billing/usage, /api/usage/token');
	expect(output).toContain('DeerAPI balance is low: US$3.50 left of US$25.00.');

	const files = filesUnder(out);
	expect(files).toHaveLength(Number(summary![1]) + 8);
	expect(files.length).toBeGreaterThanOrEqual(11);
	const others = files.filter((file) => !readImageInfo(readFileSync(file)));
	// Example 10's clip and example 11's four: real MP4s, each its own.
	const videos = others.filter((file) => sniffMediaType(readFileSync(file))?.kind === 'video');
	const audio = others.filter((file) => !videos.includes(file));
	// The speech, and the jingle's two clips (the first one, passed on by Limit, is written once).
	expect(audio.map((file) => path.basename(file)).sort()).toEqual(['make-a-jingle-0-data.mp3', 'make-a-jingle-1-data.mp3', 'read-aloud-0-data.mp3']);
	for (const file of audio) expect(sniffAudioType(readFileSync(file))?.mimeType).toBe('audio/mpeg');
	expect(videos.map((file) => path.basename(file)).sort()).toEqual([
		'clip-per-product-0-data.mp4',
		'clip-per-product-1-data.mp4',
		'clip-per-product-2-data.mp4',
		'clip-per-product-3-data.mp4',
		'make-a-clip-0-clip.mp4',
	]);
	expect(new Set(videos.map((file) => sniffMediaType(readFileSync(file))?.mimeType))).toEqual(new Set(['video/mp4']));
	expect(output).toContain('Clip per Product');
	for (const file of files.filter((file) => !others.includes(file))) {
		const info = readImageInfo(readFileSync(file))!;
		expect(path.extname(file)).toBe(`.${info.format === 'jpeg' ? 'jpg' : info.format}`);
	}
}, DEMO_TIMEOUT_MS);

it('with DEERAPI_API_KEY and DEERAPI_BASE_URL it runs against that relay with that key, and says so without the key', async () => {
	const key = 'sk-demo-relay-key-4321';
	const relay = await startSandbox({ apiKey: key });
	try {
		const { code, output } = await demo(['--out', out], { DEERAPI_API_KEY: key, DEERAPI_BASE_URL: `${relay.url}/v1/` });
		expect(code).toBe(0);
		expect(output).toContain(`Running against ${relay.url}/v1/ with your key (sk-…4321)`);
		expect(output).toContain(`Done: ${EXAMPLE_COUNT} workflows ran against ${relay.url}/v1/`);
		expect(output).not.toContain(key);
		// Every workflow reached this relay, with this key.
		const api = relay.requests.filter((request) => request.path.startsWith('/v1/'));
		expect(new Set(api.map((request) => request.path.replace(/\/(video|task)_\w+/, '/{id}')))).toEqual(
			new Set([
				'/v1/chat/completions',
				'/v1/images/edits',
				'/v1/images/generations',
				'/v1/models',
				'/v1/embeddings',
				'/v1/audio/speech',
				'/v1/audio/transcriptions',
				'/v1/dashboard/billing/subscription',
				'/v1/dashboard/billing/usage',
				'/v1/videos',
				'/v1/videos/{id}',
				'/v1/videos/{id}/content',
				'/v1/video/generations',
				'/v1/video/generations/{id}',
			]),
		);
		expect(api.every((request) => request.headers.authorization === `Bearer ${key}`)).toBe(true);
		const midjourney = relay.requests.filter((request) => request.path.includes('/mj/submit/'));
		expect(new Set(midjourney.map((request) => request.path))).toEqual(new Set(['/mj/submit/imagine', '/mj-fast/mj/submit/imagine', '/mj/submit/action']));
		expect(midjourney.every((request) => request.headers.authorization === `Bearer ${key}`)).toBe(true);
		// Suno sits beside /v1 at the relay's root: the jingle's task, with the same key.
		const suno = relay.requests.filter((request) => request.path.startsWith('/suno/'));
		expect(suno.map((request) => request.path)).toContain('/suno/submit/music');
		expect(suno.every((request) => request.headers.authorization === `Bearer ${key}`)).toBe(true);
	} finally {
		await relay.close();
	}
}, DEMO_TIMEOUT_MS);

it('fails with a clear message and a non-zero exit when the relay cannot be reached, never printing the key', async () => {
	const closed = await startSandbox();
	const url = closed.url;
	await closed.close();
	const key = 'sk-demo-secret-0123456789';
	const { code, output } = await demo(['--out', out], { DEERAPI_API_KEY: key, DEERAPI_BASE_URL: url });
	expect(code).not.toBe(0);
	expect(output).toContain(`Running against ${url}`);
	expect(output).toMatch(/connection refused \(ECONNREFUSED\)/);
	expect(output).toContain('Check DEERAPI_API_KEY and DEERAPI_BASE_URL');
	expect(output).not.toContain(key);
	expect(output).not.toContain('0123456789');
}, DEMO_TIMEOUT_MS);
