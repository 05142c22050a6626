/**
 * The example workflows in real n8n: a credential imported with `n8n import:credentials`, every
 * example with `n8n import:workflow`, each run with `n8n execute --id ... --rawOutput`, and its
 * items checked by the same expectations as the jest examples test.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import type { Sandbox } from '../sandbox';
import { summariseBinary, type ExampleWorkflow, type ItemSummary, type NormalisedResult } from '../harness/expectations';
import { REPO_ROOT } from './config';
import type { N8nInstance } from './n8n';

export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
/** The credential the examples reference by id and name. */
const EXAMPLE_CREDENTIAL = { id: 'dEeRaPiExAmPlE01', name: 'DeerAPI account' };
export const WRONG_KEY_CREDENTIAL = { id: 'dEeRaPiWrOnGkEy1', name: 'DeerAPI wrong key' };
export const WRONG_KEY_WORKFLOW_ID = 'e2eWrongKeyRun01';
/** Example 8's AI Agent without its model, for the editor check of the Agent's Chat Model slot. */
export const AGENT_WITHOUT_MODEL_WORKFLOW_ID = 'e2eAgentNoModel1';

export function exampleFiles(): string[] {
	return readdirSync(EXAMPLES_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort();
}

export function readExample(file: string): ExampleWorkflow & { id?: string } & Record<string, unknown> {
	return JSON.parse(readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as ExampleWorkflow & Record<string, unknown>;
}

/** The id each example gets in n8n: its own when it has one, else one made from its file name. */
export function workflowId(file: string): string {
	const own = readExample(file).id;
	if (typeof own === 'string' && own) return own;
	return `e2e${file.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 16).padEnd(16, '0');
}

export async function importCredentials(n8n: N8nInstance, sandbox: Sandbox, wrongKey: string): Promise<void> {
	const file = path.join(n8n.userFolder, 'credentials.json');
	const credential = (ref: { id: string; name: string }, apiKey: string) => ({
		...ref,
		type: 'deerApiRelayApi',
		data: { apiKey, baseUrl: sandbox.url, authFormat: 'bearer' },
	});
	writeFileSync(file, JSON.stringify([credential(EXAMPLE_CREDENTIAL, sandbox.apiKey), credential(WRONG_KEY_CREDENTIAL, wrongKey)]));
	try {
		await n8n.cli(['import:credentials', `--input=${file}`]);
	} finally {
		// The file holds keys in the clear; n8n keeps them encrypted from here on.
		writeFileSync(file, '[]');
	}
}

/**
 * Every example as it is (with a fixed id), plus example 2 (a List Models call) with its
 * credential swapped for the wrong-key one, and `extra` workflows of other checks: one
 * `n8n import:workflow --separate` for them all.
 */
export async function importWorkflows(n8n: N8nInstance, extra: Array<Record<string, unknown>> = []): Promise<void> {
	const folder = path.join(n8n.userFolder, 'import-workflows');
	mkdirSync(folder, { recursive: true });
	for (const file of exampleFiles()) {
		writeFileSync(path.join(folder, file), JSON.stringify({ ...readExample(file), id: workflowId(file) }));
	}
	const wrongKey = readExample('02-model-inventory.json');
	for (const node of wrongKey.nodes as Array<{ credentials?: Record<string, unknown> }>) {
		if (node.credentials?.deerApiRelayApi) node.credentials.deerApiRelayApi = WRONG_KEY_CREDENTIAL;
	}
	writeFileSync(path.join(folder, 'wrong-key.json'), JSON.stringify({ ...wrongKey, id: WRONG_KEY_WORKFLOW_ID, name: 'e2e: wrong key' }));
	const agent = readExample('08-agent-calculator.json');
	const model = agent.nodes.find((node) => node.type === 'n8n-nodes-deerapi-relay.deerApiChatModel');
	const connections = { ...(agent.connections as Record<string, unknown>) };
	if (model) delete connections[model.name];
	writeFileSync(
		path.join(folder, 'agent-without-model.json'),
		JSON.stringify({
			...agent,
			nodes: agent.nodes.filter((node) => node !== model),
			connections,
			id: AGENT_WITHOUT_MODEL_WORKFLOW_ID,
			name: 'e2e: agent without a model',
		}),
	);
	for (const workflow of extra) writeFileSync(path.join(folder, `${String(workflow.id)}.json`), JSON.stringify(workflow));
	await n8n.cli(['import:workflow', '--separate', `--input=${folder}`]);
}

export interface RawBinary {
	mimeType: string;
	fileName?: string;
	/** Base64 bytes in n8n's default (in-memory) mode, or the mode name when `id` is set. */
	data?: string;
	/** `<mode>:<path>` when n8n stores binary data outside the execution. */
	id?: string;
}

interface RawRun {
	data?: { main?: Array<Array<{ json: IDataObject; binary?: Record<string, RawBinary> }> | null> };
	error?: { message?: string; description?: string };
}

export interface RawExecution {
	data: { resultData: { runData: Record<string, RawRun[]>; error?: { message?: string; description?: string } } };
}

/**
 * `n8n execute --rawOutput` logs the run as one JSON object, between the lines n8n logs before
 * and after it: the first line that opens an object, up to the brace that closes it.
 */
export function parseRawOutput(stdout: string): RawExecution {
	const start = stdout.search(/^\{/m);
	if (start < 0) throw new Error(`no JSON in the output of n8n execute:\n${stdout.slice(-1500)}`);
	let depth = 0;
	let inString = false;
	for (let i = start; i < stdout.length; i++) {
		const char = stdout[i];
		if (inString) {
			if (char === '\\') i++;
			else if (char === '"') inString = false;
		} else if (char === '"') inString = true;
		else if (char === '{') depth++;
		else if (char === '}' && --depth === 0) return JSON.parse(stdout.slice(start, i + 1)) as RawExecution;
	}
	throw new Error(`unterminated JSON in the output of n8n execute:\n${stdout.slice(-1500)}`);
}

function binaryBytes(n8n: N8nInstance, binary: RawBinary): Buffer {
	if (!binary.id) return Buffer.from(binary.data ?? '', 'base64');
	const [mode, ...rest] = binary.id.split(':');
	const relative = rest.join(':');
	if (!mode.startsWith('filesystem')) throw new Error(`binary data in mode "${mode}" cannot be read back by the e2e tier`);
	// n8n 2.x keeps binary data under .n8n/storage, 1.x under .n8n/binaryData.
	const candidates = ['storage', 'binaryData'].map((folder) => path.join(n8n.n8nFolder, folder, relative));
	const file = candidates.find((candidate) => existsSync(candidate));
	if (!file) throw new Error(`binary data ${binary.id} not found at ${candidates.join(' or ')}`);
	return readFileSync(file);
}

/** Real n8n's run as the shared checks see it, with each binary's bytes read back from where n8n put them. */
export function normaliseExecution(
	n8n: N8nInstance,
	execution: RawExecution,
	bytesOf: (binary: RawBinary) => Buffer = (binary) => binaryBytes(n8n, binary),
): NormalisedResult {
	const normalised: NormalisedResult = {};
	for (const [name, runs] of Object.entries(execution.data.resultData.runData)) {
		const items = runs[0]?.data?.main?.[0] ?? [];
		normalised[name] = items.map((item): ItemSummary => {
			const binary: ItemSummary['binary'] = {};
			for (const [key, meta] of Object.entries(item.binary ?? {})) binary[key] = summariseBinary(meta, bytesOf(meta));
			return { json: item.json, binary };
		});
	}
	return normalised;
}

export function executionError(execution: RawExecution): string | undefined {
	const error = execution.data.resultData.error;
	if (error) return [error.message, error.description].filter(Boolean).join(': ');
	for (const [name, runs] of Object.entries(execution.data.resultData.runData)) {
		const nodeError = runs[0]?.error;
		if (nodeError) return `${name}: ${[nodeError.message, nodeError.description].filter(Boolean).join(': ')}`;
	}
	return undefined;
}
