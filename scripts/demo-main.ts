/**
 * `npm run demo` (after scripts/demo.js has built what is needed): runs every workflow in
 * examples/ through n8n-core's workflow engine, with the BUILT package loaded the way n8n loads
 * an installed community package, against the built-in sandbox (default) or the real API
 * (DEERAPI_API_KEY, optionally DEERAPI_BASE_URL). Prints what each node emitted and writes the
 * images, audio and video files to a folder.
 *
 *   node build/scripts/demo-main.js [--out DIR]
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import type { ITaskData, IWorkflowBase } from 'n8n-workflow';

import { imageDimensions, sniffAudioType, sniffImageType, sniffMediaType } from '../nodes/shared/transport/file-types';
import { startSandbox, type Sandbox } from '../sandbox';
import { usesN8nAiNodes } from '../harness/ai-nodes';
import { createHarness, type WorkflowHarness, type WorkflowRunResult } from '../harness/workflow';
import {
	OUR_TYPES,
	clip,
	describeOurNode,
	formatBytes,
	formatMs,
	itemsReport,
	plural,
	table,
} from './demo-report';

const DEFAULT_BASE_URL = 'https://api.deerapi.com';
const PACKAGE_NAME = 'n8n-nodes-deerapi-relay';

interface Target {
	baseUrl: string;
	apiKey: string;
	/** Set when the demo runs against its own sandbox. */
	sandbox?: Sandbox;
	/** "the built-in sandbox" or the base URL, for the summary. */
	label: string;
}

interface WrittenFile {
	file: string;
	node: string;
	mimeType: string;
	size: string;
	bytes: number;
}

interface WorkflowOutcome {
	name: string;
	ok: boolean;
	files: WrittenFile[];
}

class DemoError extends Error {}

// ------------------------------------------------------------------ output

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const bold = paint('1');
const dim = paint('2');
const green = paint('32');
const red = paint('31');

/** Everything printed goes through here: the API key never reaches the terminal, even inside an error text. */
let secret: string | undefined;
let secretMask = '';

function redact(text: string): string {
	return secret ? text.split(secret).join(secretMask) : text;
}

function print(line = ''): void {
	process.stdout.write(`${redact(line)}\n`);
}

function printError(line: string): void {
	process.stderr.write(`${redact(line)}\n`);
}

function maskKey(key: string): string {
	const prefix = key.startsWith('sk-') ? 'sk-' : '';
	return key.length >= 12 ? `${prefix}…${key.slice(-4)}` : `${prefix}…`;
}

// ------------------------------------------------------------------ setup

function findRoot(): string {
	let dir = __dirname;
	for (;;) {
		const manifest = path.join(dir, 'package.json');
		if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === PACKAGE_NAME) return dir;
		const parent = path.dirname(dir);
		if (parent === dir) throw new DemoError(`Could not find the ${PACKAGE_NAME} folder above ${__dirname}`);
		dir = parent;
	}
}

function parseArgs(argv: string[], root: string): { outDir: string } {
	let outDir = process.env.DEERAPI_DEMO_OUT || path.join(root, 'demo-output');
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--help' || arg === '-h') {
			print('usage: npm run demo [-- --out DIR]');
			print('  Runs the workflows in examples/ against the built-in sandbox, or against the real API');
			print('  when DEERAPI_API_KEY is set (base URL: DEERAPI_BASE_URL, default https://api.deerapi.com).');
			print('  Images, audio and video files are written to DIR (default demo-output/, or DEERAPI_DEMO_OUT).');
			process.exit(0);
		} else if (arg === '--out' || arg.startsWith('--out=')) {
			const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
			if (!value) throw new DemoError('--out needs a folder, e.g. --out demo-output');
			outDir = value;
		} else {
			throw new DemoError(`Unknown argument "${arg}" (try --help)`);
		}
	}
	return { outDir: path.resolve(outDir) };
}

async function chooseTarget(): Promise<Target> {
	const apiKey = process.env.DEERAPI_API_KEY?.trim();
	const baseUrl = process.env.DEERAPI_BASE_URL?.trim();
	if (apiKey) {
		secret = apiKey;
		secretMask = maskKey(apiKey);
		const url = baseUrl || DEFAULT_BASE_URL;
		print(bold(`Running against ${url} with your key (${secretMask}).`));
		print(
			dim(
				'  These are real, billed requests to gpt-4o-mini, gpt-image-1 (quality low), gpt-4o-image, gpt-4o, ' +
					'text-embedding-3-small, tts-1, whisper-1, veo3-fast, kling-v1 and Suno (chirp-v4), and Midjourney; image and video models and songs take a while. The balance routes cost nothing.',
			),
		);
		return { baseUrl: url, apiKey, label: url };
	}
	const sandbox = await startSandbox({ port: 0 });
	print(
		bold(`Running against the built-in sandbox at ${sandbox.url}`) +
			' (fake, deterministic answers; set DEERAPI_API_KEY to use the real API)',
	);
	if (baseUrl) print(dim('  DEERAPI_BASE_URL is set but DEERAPI_API_KEY is not: using the sandbox.'));
	return { baseUrl: sandbox.url, apiKey: sandbox.apiKey, sandbox, label: 'the built-in sandbox' };
}

function listExamples(root: string): string[] {
	const dir = path.join(root, 'examples');
	const files = readdirSync(dir)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => path.join(dir, file));
	if (files.length === 0) throw new DemoError(`No workflow JSON files in ${dir}`);
	const runnable = files.filter((file) => !usesN8nAiNodes(JSON.parse(readFileSync(file, 'utf8')) as IWorkflowBase));
	for (const file of files.filter((candidate) => !runnable.includes(candidate))) {
		print(dim(`  ${path.basename(file)}: uses n8n's AI Agent, which comes with n8n: import it into n8n 2.16+ (npm run e2e runs it there)`));
	}
	return runnable;
}

function displayPath(file: string): string {
	const relative = path.relative(process.cwd(), file);
	return relative && !relative.startsWith('..') ? relative : file;
}

function slug(text: string): string {
	return (
		text
			.normalize('NFKD')
			.toLowerCase()
			.replace(/[^a-z0-9]+/g, '-')
			.replace(/^-+|-+$/g, '') || 'node'
	);
}

// ------------------------------------------------------------------ one workflow

/** Progress lines: in a terminal one line per node that turns into its result; in a log, a line when each node ends. */
function progress(nodeTypes: Map<string, string>) {
	const live = process.stdout.isTTY;
	return {
		onNodeStart(nodeName: string) {
			if (live) process.stdout.write(redact(`  ${dim('…')} ${nodeName}`));
			else if (OUR_TYPES.has(nodeTypes.get(nodeName) ?? '')) print(`  … ${nodeName}`);
		},
		onNodeEnd(nodeName: string, task: ITaskData) {
			const items = task.data?.main?.[0]?.length ?? 0;
			const ok = !task.error;
			const mark = ok ? green('✓') : red('✗');
			const detail = ok ? plural(items, 'item') : red(clip(task.error?.message ?? 'failed', 80));
			const line = `  ${mark} ${nodeName.padEnd(34)} ${detail.padEnd(ok ? 9 : 0)}  ${dim(formatMs(task.executionTime ?? 0))}`;
			if (live) process.stdout.write(`\r\x1b[K${redact(line)}\n`);
			else print(line);
		},
	};
}

function failureText(result: WorkflowRunResult): string {
	const failed = Object.entries(result.nodes).find(([, run]) => run.error);
	const error = (failed?.[1].error ?? result.error) as (Error & { description?: string }) | undefined;
	const where = failed ? `"${failed[0]}" failed: ` : '';
	const message = error ? `${where}${error.message}` : `the workflow ended with status "${result.status}"`;
	return error?.description ? `${message}\n      ${error.description}` : message;
}

async function writeFiles(result: WorkflowRunResult, outDir: string): Promise<WrittenFile[]> {
	const written: WrittenFile[] = [];
	const seen = new Set<string>();
	for (const nodeName of new Set(result.order)) {
		const items = result.nodes[nodeName]?.items ?? [];
		for (const [index, item] of items.entries()) {
			for (const [property, data] of Object.entries(item.binary ?? {})) {
				const bytes = await result.binary(nodeName, index, property);
				// Nodes pass files on (Set keeps the poster): each file is written once, under the node that made it.
				const digest = createHash('sha256').update(bytes).digest('hex');
				if (seen.has(digest)) continue;
				seen.add(digest);
				const image = sniffImageType(bytes);
				const type = sniffMediaType(bytes) ?? sniffAudioType(bytes);
				const extension = type?.extension ?? data.fileExtension ?? 'bin';
				const file = path.join(outDir, `${slug(nodeName)}-${index}-${slug(property)}.${extension}`);
				mkdirSync(outDir, { recursive: true });
				writeFileSync(file, bytes);
				const dimensions = image ? imageDimensions(bytes, image) : undefined;
				written.push({
					file,
					node: nodeName,
					mimeType: type?.mimeType ?? data.mimeType,
					size: dimensions ? `${dimensions.width}x${dimensions.height}` : '-',
					bytes: bytes.length,
				});
			}
		}
	}
	return written;
}

async function runExample(
	harness: WorkflowHarness,
	target: Target,
	file: string,
	position: string,
	outRoot: string,
	signal: AbortSignal,
): Promise<WorkflowOutcome> {
	let workflow: IWorkflowBase;
	try {
		workflow = JSON.parse(readFileSync(file, 'utf8')) as IWorkflowBase;
	} catch (error) {
		throw new DemoError(`Could not read ${displayPath(file)}: ${(error as Error).message}`);
	}
	const name = workflow.name ?? path.basename(file);
	print();
	print(`${bold(`[${position}] ${name}`)}  ${dim(displayPath(file))}`);

	// Emptied first, so that a failed run leaves no earlier images that look like its own.
	const outDir = path.join(outRoot, slug(path.basename(file, '.json')));
	rmSync(outDir, { recursive: true, force: true });

	const nodeTypes = new Map(workflow.nodes.map((node) => [node.name, node.type]));
	const started = performance.now();
	let result: WorkflowRunResult;
	try {
		result = await harness.run(workflow, {
			credentials: { deerApiRelayApi: { apiKey: target.apiKey, baseUrl: target.baseUrl } },
			signal,
			...progress(nodeTypes),
		});
	} catch (error) {
		// n8n refuses workflows with parameter issues before running them.
		printError(`  ${red('✗')} ${name} did not start: ${(error as Error).message}`);
		return { name, ok: false, files: [] };
	}
	if (signal.aborted) return { name, ok: false, files: [] };
	if (result.status !== 'success') {
		printError(`  ${red('✗')} ${failureText(result)}`);
		return { name, ok: false, files: [] };
	}

	const order = [...new Set(result.order)];
	for (const nodeName of order) {
		const type = nodeTypes.get(nodeName) ?? '';
		const lines = describeOurNode(type, result.nodes[nodeName].items);
		if (!lines) continue;
		print();
		print(`  ${bold(nodeName)} ${dim(`(${type.split('.')[1]})`)}`);
		lines.forEach((line) => print(line));
	}
	const last = order[order.length - 1];
	if (last && !OUR_TYPES.has(nodeTypes.get(last) ?? '')) {
		print();
		print(`  ${bold(last)} ${dim('(output of the workflow)')}`);
		itemsReport(result.nodes[last].items).forEach((line) => print(line));
	}

	const files = await writeFiles(result, outDir);
	if (files.length > 0) {
		print();
		print(`  ${bold(`Files written to ${displayPath(outDir)}${path.sep}`)}`);
		table(
			['file', 'from node', 'mime', 'size', 'bytes'],
			files.map((f) => [path.basename(f.file), f.node, f.mimeType, f.size, formatBytes(f.bytes)]),
		).forEach((line) => print(line));
	}
	print(dim(`  ${name}: done in ${formatMs(performance.now() - started)}`));
	return { name, ok: true, files };
}

// ------------------------------------------------------------------ main

async function main(): Promise<number> {
	const started = performance.now();
	const root = findRoot();
	const { outDir } = parseArgs(process.argv.slice(2), root);
	const examples = listExamples(root);

	const controller = new AbortController();
	let target: Target | undefined;
	const interrupt = () => {
		printError('\nInterrupted: stopping the workflows and the sandbox.');
		controller.abort();
		void (target?.sandbox?.close() ?? Promise.resolve()).finally(() => process.exit(130));
	};
	process.once('SIGINT', interrupt);
	process.once('SIGTERM', interrupt);

	target = await chooseTarget();
	try {
		print(dim(`Loading the built package from ${displayPath(path.join(root, 'dist'))} the way n8n loads a community package.`));
		const harness = createHarness({ packageDir: root });
		try {
			await harness.ready;
		} catch (error) {
			throw new DemoError(`The built package did not load (run "npm run build"): ${(error as Error).message}`);
		}

		const outcomes: WorkflowOutcome[] = [];
		for (const [index, file] of examples.entries()) {
			outcomes.push(await runExample(harness, target, file, `${index + 1}/${examples.length}`, outDir, controller.signal));
		}

		const failed = outcomes.filter((outcome) => !outcome.ok);
		const files = outcomes.flatMap((outcome) => outcome.files);
		const images = files.filter((f) => f.mimeType.startsWith('image/')).length;
		const written =
			`${plural(images, 'image')}${files.length > images ? ` (+${plural(files.length - images, 'other file')})` : ''}` +
			` written to ${displayPath(outDir)}${path.sep}`;
		const took = formatMs(performance.now() - started);
		print();
		if (failed.length > 0) {
			printError(
				red(bold(`Demo failed: ${failed.length} of ${plural(outcomes.length, 'workflow')} failed against ${target.label}`)) +
					` (the ✗ lines above say why). ${written}, ${took}.`,
			);
			if (!target.sandbox) printError('Check DEERAPI_API_KEY and DEERAPI_BASE_URL, or unset DEERAPI_API_KEY to use the sandbox.');
			return 1;
		}
		print(green(bold(`Done: ${plural(outcomes.length, 'workflow')} ran against ${target.label}, ${written}, total ${took}.`)));
		return 0;
	} finally {
		await target.sandbox?.close();
	}
}

main()
	.catch((error: unknown) => {
		const message = error instanceof DemoError ? error.message : error instanceof Error ? error.stack ?? error.message : String(error);
		printError(red(`Demo failed: ${message}`));
		return 1;
	})
	.then((code) => {
		// n8n-core and pooled HTTP connections may keep timers alive: leave once the output is out.
		process.stdout.write('', () => process.exit(code));
	});
