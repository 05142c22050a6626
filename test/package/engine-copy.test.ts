/**
 * One engine per run: every module that asks for n8n-workflow (our sources, the built dist/ n8n
 * loads, n8n-core, n8n-nodes-base, the harness) gets the same copy, the one of the line this run
 * is on (`npm test`: the package's devDependencies; `npm run test:n8n1`: test/engines/n8n-1). Two
 * copies would pass most tests and still break in n8n: an error our node throws would not be n8n's
 * NodeApiError, so n8n would show it as a bare object with no message.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { WorkflowHasIssuesError } from 'n8n-core';
import { NodeApiError, NodeOperationError, WorkflowOperationError } from 'n8n-workflow';

import { DeerApiRelayApi } from '../../credentials/DeerApiRelayApi.credentials';
import { DeerApiChat } from '../../nodes/DeerApiChat/DeerApiChat.node';
import { startSandbox, type Sandbox } from '../../sandbox';
import { ENGINE_DIR, ENGINE_PACKAGES, N8N_WORKFLOW_VERSION } from '../support/engine';
import { createHarness, singleNodeWorkflow, type WorkflowHarness } from '../support/workflow';

const root = path.resolve(__dirname, '../..');
const CHAT_TYPE = 'n8n-nodes-deerapi-relay.deerApiChat';

function packageJson(file: string): { version: string; dependencies?: Record<string, string> } {
	return JSON.parse(readFileSync(file, 'utf8'));
}

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ apiKey: 'sk-engine-copy-test-5d1f' });
});
afterAll(() => sandbox.close());

describe(`one engine copy in this run (n8n-workflow ${N8N_WORKFLOW_VERSION} from ${path.relative(root, ENGINE_DIR) || '.'})`, () => {
	it.each(ENGINE_PACKAGES)('%s resolves to this line\'s folder, at the version it pins', (name) => {
		const file = require.resolve(`${name}/package.json`);
		expect(file).toBe(path.join(ENGINE_DIR, 'node_modules', name, 'package.json'));
		const pinned = packageJson(path.join(ENGINE_DIR, 'package.json')).dependencies?.[name];
		if (ENGINE_DIR !== root) expect(packageJson(file).version).toBe(pinned);
	});

	it('n8n-core\'s errors extend this n8n-workflow\'s classes', () => {
		expect(Object.getPrototypeOf(WorkflowHasIssuesError)).toBe(WorkflowOperationError);
	});

	async function failingChat(harness: WorkflowHarness) {
		const result = await harness.run(
			singleNodeWorkflow({
				type: CHAT_TYPE,
				parameters: {
					model: { __rl: true, mode: 'id', value: 'gpt-4o' },
					messages: { values: [{ role: 'user', content: 'hi' }] },
				},
			}),
			{ credentials: { deerApiRelayApi: { apiKey: 'sk-wrong-key', baseUrl: sandbox.url } } },
		);
		expect(result.status).toBe('error');
		return result.nodes.deerApiChat.error;
	}

	it('the built package, loaded as n8n loads it, throws this n8n-workflow\'s NodeApiError', async () => {
		const error = await failingChat(createHarness({ packageDir: root }));
		expect(error?.constructor).toBe(NodeApiError);
		expect(error?.message).toMatch(/^401 Unauthorized/);
	});

	it('our sources throw this n8n-workflow\'s NodeApiError', async () => {
		const error = await failingChat(
			createHarness({ nodeTypes: { [CHAT_TYPE]: new DeerApiChat() }, credentialTypes: [new DeerApiRelayApi()] }),
		);
		expect(error?.constructor).toBe(NodeApiError);
	});

	it('n8n-nodes-base\'s nodes throw this n8n-workflow\'s NodeOperationError', async () => {
		const result = await createHarness().run(
			singleNodeWorkflow({
				type: 'n8n-nodes-base.splitOut',
				parameters: { fieldToSplitOut: 'a, b', options: { destinationFieldName: 'x' } },
			}),
			{ input: [{ json: { a: [1], b: [2] } }] },
		);
		const error = result.nodes.splitOut?.error;
		expect(error?.constructor).toBe(NodeOperationError);
		expect(error?.message).toMatch(/same number of destination fields/);
	});
});
