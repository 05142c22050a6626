/**
 * Everything the e2e tier checks on one n8n line, in the order a self-hosting user meets it:
 * install the package by the README's command, import and run the examples from the CLI, then
 * the editor's REST API and (where asked) the editor itself in a browser.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { DEFAULT_MODELS, startSandbox, type Sandbox } from '../sandbox';
import { checkFor, checkWithoutAiNodeSdk, hasAiNodeSdk, needsAiNodeSdk } from '../harness/expectations';
import { type N8nLine } from './config';
import { query, rawDatabaseBytes } from './database';
import { PACKAGE_NAME } from '../harness/readme';
import { ensureLine, type InstalledLine } from './install';
import { N8nInstance } from './n8n';
import { run } from './processes';
import { type Report } from './report';
import { checkEditor } from './browser';
import { checkRest } from './rest-checks';
import { activateStreamingWorkflows, checkStreaming, streamingWorkflows } from './streaming';
import {
	executionError,
	exampleFiles,
	importCredentials,
	importWorkflows,
	normaliseExecution,
	parseRawOutput,
	readExample,
	workflowId,
	WRONG_KEY_WORKFLOW_ID,
} from './workflows';

/** n8n's own copy; a second one under .n8n/nodes would make our errors foreign classes to n8n. */
const N8N_WORKFLOW = 'n8n-workflow';

export interface LineOptions {
	runDir: string;
	tarball: string;
	/** The README's manual install command, package name included. */
	installCommand: string;
	screenshotsDir: string;
	/** Where the requests the relay saw during the Agent examples are kept (bodies, no headers). */
	requestsDir: string;
	browser: boolean;
}

/** Every folder named `name` below `root` (node_modules trees, nested ones included). */
function findPackageDirs(root: string, name: string): string[] {
	const found: string[] = [];
	const walk = (dir: string) => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			if (!entry.isDirectory()) continue;
			const full = path.join(dir, entry.name);
			if (entry.name === name && path.basename(dir) === 'node_modules') found.push(full);
			walk(full);
		}
	};
	if (existsSync(root)) walk(root);
	return found;
}

/** The relay's view of a run for a reader: path and body of each request; the headers (the key) stay out. */
function saveRequests(dir: string, name: string, requests: Sandbox['requests']): string {
	mkdirSync(dir, { recursive: true });
	const file = path.join(dir, name);
	writeFileSync(file, `${JSON.stringify(requests.map((request) => ({ method: request.method, path: request.path, body: request.body })), null, 2)}\n`);
	return `${requests.length} requests, kept in ${path.relative(process.cwd(), file)}`;
}

export function secretsIn(text: string | Buffer, secrets: string[]): string[] {
	const haystack = Buffer.isBuffer(text) ? text : Buffer.from(text);
	return secrets.filter((secret) => haystack.includes(Buffer.from(secret)));
}

/** The packed package into the instance's .n8n/nodes by the README's command, as a user does it. */
export async function installByReadme(n8n: N8nInstance, installCommand: string, tarball: string): Promise<string> {
	const [npm, ...args] = installCommand.replace(PACKAGE_NAME, tarball).split(/\s+/);
	if (npm !== 'npm') throw new Error(`README install command does not start with npm: ${installCommand}`);
	const result = await n8n.npmInNodesFolder(args);
	if (result.code !== 0) throw new Error(`${installCommand} failed:\n${result.stderr.slice(-1500)}`);
	const ours = path.join(n8n.nodesFolder, 'node_modules', PACKAGE_NAME, 'package.json');
	if (!existsSync(ours)) throw new Error(`${PACKAGE_NAME} is not in ${n8n.nodesFolder}/node_modules`);
	const copies = findPackageDirs(n8n.nodesFolder, N8N_WORKFLOW);
	if (copies.length) throw new Error(`a second ${N8N_WORKFLOW} was installed: ${copies.join(', ')}`);
	return `${installCommand}; no ${N8N_WORKFLOW} under .n8n/nodes`;
}

export async function runLine(report: Report, line: N8nLine, options: LineOptions): Promise<void> {
	const column = line.label;
	const apiKey = `sk-e2e-good-${line.label.replace('.', '')}-5f0c2a9d`;
	const wrongKey = `sk-e2e-wrong-${line.label.replace('.', '')}-8e13b7c4`;
	let installed: InstalledLine | undefined;
	await report.check('install n8n and its Node (cache reused when complete)', column, async () => {
		installed = await ensureLine(line);
		const node = (await run(installed.nodeBin, ['-p', 'process.version'])).stdout.trim();
		if (!node.startsWith(`v${line.nodeMajor}.`)) throw new Error(`n8n ${line.label} must run on Node ${line.nodeMajor}, got ${node}`);
		return `n8n ${line.n8nVersion} on Node ${node}${installed.fresh ? ', installed now' : ', cached'}`;
	});
	if (!installed) return;
	const n8n = new N8nInstance(installed, options.runDir);
	const sandbox: Sandbox = await startSandbox({ apiKey });
	try {
		const packageInstalled = await report.check('package installs by the README command, peers left out', column, () =>
			installByReadme(n8n, options.installCommand, options.tarball),
		);
		if (!packageInstalled) return;

		// The DeerAPI Chat Model (and so the Agent of the tool streaming check) needs n8n's AI node SDK.
		const withAgent = hasAiNodeSdk(line.n8nVersion);
		const imported = await report.check('import credential and every example (n8n import:*)', column, async () => {
			await importCredentials(n8n, sandbox, wrongKey);
			await importWorkflows(n8n, streamingWorkflows(withAgent));
			return `${exampleFiles().length} examples`;
		});
		if (!imported) return;

		for (const file of exampleFiles()) {
			const workflow = readExample(file);
			// The DeerAPI Chat Model needs n8n's AI node SDK: where n8n has none, the run must fail saying so.
			const withoutSdk = needsAiNodeSdk(workflow) && !withAgent;
			const title = withoutSdk ? `example ${file} fails naming the n8n it needs (n8n execute)` : `example ${file} (n8n execute)`;
			await report.check(title, column, async () => {
				sandbox.clearRequests();
				const result = await n8n.cli(['execute', `--id=${workflowId(file)}`, '--rawOutput'], {
					allowFailure: true,
				});
				const execution = parseRawOutput(result.stdout);
				const error = executionError(execution);
				const context = { workflow, requests: [...sandbox.requests], models: DEFAULT_MODELS };
				if (withoutSdk) {
					checkWithoutAiNodeSdk(error, context);
					return error;
				}
				if (error || result.code !== 0) throw new Error(`the run failed (exit ${result.code}): ${error ?? result.stderr.slice(-800)}`);
				await checkFor(file)(normaliseExecution(n8n, execution), context);
				if (needsAiNodeSdk(workflow)) return saveRequests(options.requestsDir, `${line.label}-${file}`, context.requests);
				return undefined;
			});
		}

		await report.check("wrong key: the relay's message in the output and in n8n's log", column, async () => {
			sandbox.clearRequests();
			const result = await n8n.cli(['execute', `--id=${WRONG_KEY_WORKFLOW_ID}`, '--rawOutput'], {
				allowFailure: true,
			});
			if (result.code === 0) throw new Error('the run with a wrong key exited 0');
			const relayMessage = '无效的令牌';
			const error = executionError(parseRawOutput(result.stdout)) ?? '';
			if (!error.includes(relayMessage)) throw new Error(`the run's error lacks "${relayMessage}": ${error || result.stdout.slice(-1500)}`);
			if (!sandbox.requests.some((request) => request.headers.authorization === `Bearer ${wrongKey}`)) {
				throw new Error('the relay never saw the wrong key: the failure is not the relay answer');
			}
			const log = existsSync(n8n.logFile) ? readFileSync(n8n.logFile, 'utf8') : '';
			if (!log.includes(relayMessage)) throw new Error(`n8n's log file lacks "${relayMessage}" (our error is not n8n's class?)`);
			return error.length > 140 ? `${error.slice(0, 140)}…` : error;
		});

		await report.check('the key in no output, log file or database row', column, async () => checkNoKeyStored(n8n, [apiKey, wrongKey]));

		const streaming = await report.check('streaming webhook workflows activated (n8n publish:workflow / update:workflow)', column, async () => {
			await activateStreamingWorkflows(n8n, withAgent);
			return `${streamingWorkflows(withAgent).length} workflows`;
		});

		const started = await report.check('n8n start on 127.0.0.1, owner setup and login (REST)', column, async () => {
			await n8n.start();
			return n8n.baseUrl;
		});
		if (!started) return;
		if (streaming) await checkStreaming(report, n8n, sandbox, column, withAgent);
		const rest = await checkRest(report, n8n, sandbox, { apiKey, wrongKey });
		if (options.browser) {
			if (rest) await checkEditor(report, n8n, rest, path.join(options.screenshotsDir, line.label));
			else report.record('editor: in a browser', column, { status: 'fail', detail: 'not run: the REST session failed' });
		}
		await report.check('the key in no log file or database row after the editor', column, async () =>
			checkNoKeyStored(n8n, [apiKey, wrongKey]),
		);
	} finally {
		await n8n.stop();
		await sandbox.close();
	}
}

async function checkNoKeyStored(n8n: N8nInstance, keys: string[]): Promise<string> {
	const files = [n8n.outputFile, n8n.logFile].filter((file) => existsSync(file));
	for (const file of files) {
		const leaked = secretsIn(readFileSync(file), keys);
		if (leaked.length) throw new Error(`${path.basename(file)} contains the key`);
	}
	if (secretsIn(rawDatabaseBytes(n8n), keys).length) throw new Error('database.sqlite holds the key in the clear');
	const executions = await query(n8n, 'SELECT executionId, data FROM execution_data');
	if (executions.length === 0) throw new Error('execution_data is empty: nothing was checked');
	for (const row of executions) {
		if (secretsIn(String(row.data), keys).length) throw new Error(`execution_data row ${String(row.executionId)} holds the key`);
	}
	const credentials = await query(n8n, "SELECT name, data FROM credentials_entity WHERE type = 'deerApiRelayApi'");
	if (credentials.length < 2) throw new Error(`expected our credentials in credentials_entity, found ${credentials.length}`);
	for (const row of credentials) {
		// CryptoJS AES output: base64 of "Salted__" + salt + ciphertext.
		if (!String(row.data).startsWith('U2FsdGVkX1')) throw new Error(`credential "${String(row.name)}" is not stored encrypted`);
	}
	return `${executions.length} execution_data rows, ${credentials.length} credentials encrypted, ${files.length} log files`;
}
