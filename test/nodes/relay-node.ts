/**
 * Running one of our nodes as a real n8n workflow against the sandbox, for the node folders that
 * need nothing node-specific around it (Embeddings, Audio).
 */
import type { IDataObject, INodeExecutionData, INodeType } from 'n8n-workflow';

import { DeerApiRelayApi } from '../../credentials/DeerApiRelayApi.credentials';
import { startSandbox, type Sandbox } from '../../sandbox';
import { createHarness, singleNodeWorkflow, type RunOptions, type WorkflowRunResult } from '../../harness/workflow';

export interface RelayNodeRunner {
	ctx: { sandbox: Sandbox };
	run(
		parameters: IDataObject,
		options?: { input?: INodeExecutionData[]; continueOnFail?: boolean; run?: RunOptions },
	): Promise<WorkflowRunResult>;
}

/** A sandbox for the test file (fresh requests and faults per test) and a runner for `nodeType`. */
export function useRelayNode(options: {
	nodeType: string;
	node: INodeType;
	nodeName: string;
	apiKey: string;
	latencyMs?: number;
}): RelayNodeRunner {
	const ctx = {} as { sandbox: Sandbox };
	beforeAll(async () => {
		ctx.sandbox = await startSandbox({ apiKey: options.apiKey, latencyMs: options.latencyMs });
	});
	afterAll(async () => {
		await ctx.sandbox.close();
	});
	beforeEach(() => {
		ctx.sandbox.clearRequests();
		ctx.sandbox.clearFaults();
	});
	const harness = createHarness({
		nodeTypes: { [options.nodeType]: options.node },
		credentialTypes: [new DeerApiRelayApi()],
	});
	return {
		ctx,
		async run(parameters, runOptions = {}) {
			const workflow = singleNodeWorkflow({
				type: options.nodeType,
				name: options.nodeName,
				parameters,
				continueOnFail: runOptions.continueOnFail,
			});
			return await harness.run(workflow, {
				credentials: { deerApiRelayApi: { apiKey: options.apiKey, baseUrl: ctx.sandbox.url, authFormat: 'bearer' } },
				input: runOptions.input,
				...runOptions.run,
			});
		},
	};
}
