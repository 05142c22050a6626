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
import { NodeApiError, NodeOperationError, VersionedNodeType, WorkflowOperationError, type INode } from 'n8n-workflow';

import * as sourceErrors from '../../nodes/shared/n8n/errors';
import * as sourceTransport from '../../nodes/shared/transport';
import { ENGINE_DIR, ENGINE_PACKAGES, N8N_WORKFLOW_VERSION } from '../support/engine';

const root = path.resolve(__dirname, '../..');

function packageJson(file: string): { version: string; dependencies?: Record<string, string> } {
	return JSON.parse(readFileSync(file, 'utf8'));
}

const NODE: INode = {
	id: 'engine-copy',
	name: 'DeerAPI Chat',
	type: 'n8n-nodes-deerapi-relay.deerApiChat',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/**
 * The errors a node throws, made by the one mapper every node's failures go through, fed a 401 from
 * the relay and a plain failure. Errors are checked where they are made: the harness's run data
 * holds n8n-core's plain copies, which it revives with its own classes.
 */
function nodeErrors(errors: typeof sourceErrors, transport: typeof sourceTransport) {
	const relay401 = new transport.RelayApiError({ status: 401, relayMessage: '无效的令牌' });
	return {
		api: errors.toNodeError(NODE, relay401, 0),
		operation: errors.toNodeError(NODE, new Error('something else'), 0),
	};
}

describe(`one engine copy in this run (n8n-workflow ${N8N_WORKFLOW_VERSION} from ${path.relative(root, ENGINE_DIR) || '.'})`, () => {
	it.each(ENGINE_PACKAGES)("%s resolves to this line's folder, at the version it pins", (name) => {
		const file = require.resolve(`${name}/package.json`);
		expect(file).toBe(path.join(ENGINE_DIR, 'node_modules', name, 'package.json'));
		const pinned = packageJson(path.join(ENGINE_DIR, 'package.json')).dependencies?.[name];
		if (ENGINE_DIR !== root) expect(packageJson(file).version).toBe(pinned);
	});

	it("n8n-core's classes extend this n8n-workflow's", () => {
		expect(Object.getPrototypeOf(WorkflowHasIssuesError)).toBe(WorkflowOperationError);
	});

	it("n8n-nodes-base's nodes extend this n8n-workflow's classes", () => {
		const { Set } = require('n8n-nodes-base/dist/nodes/Set/Set.node') as { Set: unknown };
		expect(Object.getPrototypeOf(Set)).toBe(VersionedNodeType);
	});

	it("the built package (dist/, what n8n loads) throws this n8n-workflow's NodeApiError and NodeOperationError", () => {
		const errors = nodeErrors(
			require(path.join(root, 'dist/nodes/shared/n8n/errors')) as typeof sourceErrors,
			require(path.join(root, 'dist/nodes/shared/transport')) as typeof sourceTransport,
		);
		expect(errors.api.constructor).toBe(NodeApiError);
		expect(errors.api.message).toBe('401 Unauthorized: 无效的令牌');
		expect(errors.operation.constructor).toBe(NodeOperationError);
	});

	it("our sources throw this n8n-workflow's NodeApiError and NodeOperationError", () => {
		const errors = nodeErrors(sourceErrors, sourceTransport);
		expect(errors.api.constructor).toBe(NodeApiError);
		expect(errors.operation.constructor).toBe(NodeOperationError);
	});
});
