/**
 * Runs REAL n8n workflow JSON through n8n-core's `WorkflowExecute`, the way n8n
 * runs a manual execution, and hands back what every node produced.
 *
 *   const harness = createHarness({ nodeTypes: { 'n8n-nodes-deerapi-relay.deerApiChat': new DeerApiChat() },
 *                                   credentialTypes: [new DeerApiRelayApi()] });
 *   const result = await harness.run(singleNodeWorkflow({ type: 'n8n-nodes-deerapi-relay.deerApiChat',
 *                                   parameters: { ... } }), { credentials: { deerApiRelayApi: { apiKey: 'sk-...' } },
 *                                   input: [{ json: { prompt: 'hi' } }] });
 *   result.output('deerApiChat')[0].json;     await result.binary('deerApiChat', 0);
 *
 * After n8n's own harness (packages/core/nodes-testing/node-test-harness.ts),
 * with real objects instead of jest-mock-extended mocks. No jest globals in
 * here: `npm run demo` uses the compiled JS.
 */
import { Container } from '@n8n/di';
import { BinaryDataService, ExecutionLifecycleHooks, WorkflowExecute, prepareBinaryData } from 'n8n-core';
import * as n8nCore from 'n8n-core';
import * as n8nWorkflow from 'n8n-workflow';
import {
	ManualExecutionCancelledError,
	TimeoutExecutionCancelledError,
	UserError,
	Workflow,
	createRunExecutionData,
} from 'n8n-workflow';
import type {
	ExecutionStatus,
	IBinaryData,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	INode,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IPinData,
	IRun,
	ITaskData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowSettings,
	StructuredChunk,
} from 'n8n-workflow';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createAdditionalData } from './additional-data';
import { testCredential } from './credential-tester';
import { HarnessCredentialsHelper } from './credentials-helper';
import { CapturingLogger, ensureN8nEnvironment } from './n8n-env';
import type { LogEntry } from './n8n-env';
import { TypeRegistry, allVersions, defaultVersion } from './type-registry';

export type { LogEntry } from './n8n-env';
export { CORE_NODE_FILES } from './type-registry';

export interface HarnessOptions {
	/** Node types by full type name, e.g. 'n8n-nodes-deerapi-relay.deerApiChat'. */
	nodeTypes?: Record<string, INodeType | IVersionedNodeType>;
	credentialTypes?: ICredentialType[];
	/**
	 * A built package folder, loaded like n8n loads an installed community package
	 * (package.json `n8n` field, its dist/ files, via n8n-core's PackageDirectoryLoader).
	 * Its node types are named '<package name>.<node name>'.
	 */
	packageDir?: string;
	/** Register the n8n-nodes-base nodes in CORE_NODE_FILES (loaded on first use). Default true. */
	coreNodes?: boolean;
}

export interface RunOptions {
	/** Credential data by credential type (what a user would have typed into the credential). */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/**
	 * Items the workflow starts with. When the start node is a trigger (Manual
	 * Trigger...) they become its output - n8n's pinned data mechanism; for a
	 * non-trigger start node they are its input. Default: the trigger runs ([{json:{}}]).
	 */
	input?: INodeExecutionData[];
	/** Aborting cancels the execution like n8n's "stop": nodes see it in this.getExecutionCancelSignal(). */
	signal?: AbortSignal;
	/** Run in streaming mode: nodes' this.isStreaming() is true and this.sendChunk(...) chunks arrive here. */
	streaming?: (chunk: StructuredChunk) => void | Promise<void>;
	/** Cancel the execution after this long (n8n's workflow timeout). */
	timeoutMs?: number;
	/** Called when a node starts (n8n's nodeExecuteBefore hook), e.g. to show progress. */
	onNodeStart?: (nodeName: string) => void | Promise<void>;
	/** Called when a node has finished or failed (n8n's nodeExecuteAfter hook), with its task data. */
	onNodeEnd?: (nodeName: string, task: ITaskData) => void | Promise<void>;
}

export interface NodeRun {
	/** Output 0 of run 0. */
	items: INodeExecutionData[];
	/** All outputs of run 0. */
	outputs: INodeExecutionData[][];
	/** The node's error, if it failed (an instance of the n8n error class: NodeApiError, NodeOperationError...). */
	error?: Error;
	executionTime: number;
	/** n8n's task status: 'success' | 'error' | 'canceled' | ... */
	status?: ExecutionStatus;
	/** How often the node ran (loops); the fields above describe run 0. */
	runCount: number;
}

export interface WorkflowRunResult {
	status: ExecutionStatus;
	finished: boolean;
	/**
	 * Workflow-level error: the failing node's NodeApiError / NodeOperationError (message,
	 * description, context.itemIndex, httpCode); ManualExecutionCancelledError /
	 * TimeoutExecutionCancelledError when the run was aborted / timed out.
	 */
	error?: Error;
	nodes: Record<string, NodeRun>;
	/** Node names in execution order (a node that ran twice appears twice). */
	order: string[];
	/** Chunks sent with this.sendChunk() (streaming mode only), as n8n-core builds them. */
	chunks: StructuredChunk[];
	/** What n8n-core, n8n-workflow and the nodes logged during this run. */
	logs: LogEntry[];
	/** `logs` as one string (messages, metadata, errors with stacks) - for "no secret in the logs" checks. */
	logText(): string;
	/** Output 0 of the node; throws a readable error if the node did not run or failed. */
	output(nodeName: string): INodeExecutionData[];
	/** `output(nodeName).map(item => item.json)`. */
	json(nodeName: string): IDataObject[];
	/** The real bytes of a binary property (default 'data') of an output item. */
	binary(nodeName: string, itemIndex: number, property?: string): Promise<Buffer>;
	/** The raw IRun from WorkflowExecute. */
	raw: IRun;
}

export interface WorkflowHarness {
	run(workflow: WorkflowInput, options?: RunOptions): Promise<WorkflowRunResult>;
	/** Registered node types (packageDir ones once `ready` resolved; run/testCredential wait for it). */
	nodeTypes: INodeTypes;
	/** What n8n's "Test connection" does for this credential type with this data. */
	testCredential(credentialType: string, data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult>;
	/** Resolves when packageDir (if any) is loaded. */
	ready: Promise<void>;
}

/** Workflow JSON as n8n exports it (only nodes + connections are required), or a path to such a file. */
export type WorkflowInput =
	| string
	| (Pick<IWorkflowBase, 'nodes' | 'connections'> & Partial<Omit<IWorkflowBase, 'nodes' | 'connections'>>);

/** How long a cancelled run waits for the node in flight to notice the abort before returning. */
const CANCEL_GRACE_MS = 1000;

let executionCounter = 0;

function deferred<T>() {
	let resolve!: (value: T) => void;
	const promise = new Promise<T>((r) => {
		resolve = r;
	});
	return { promise, resolve };
}

function loadWorkflow(workflow: WorkflowInput): Exclude<WorkflowInput, string> {
	if (typeof workflow === 'string') {
		const file = path.resolve(workflow);
		try {
			return JSON.parse(readFileSync(file, 'utf8')) as Exclude<WorkflowInput, string>;
		} catch (error) {
			throw new UserError(`Could not read workflow JSON "${file}": ${(error as Error).message}`);
		}
	}
	return structuredClone(workflow);
}

/** n8n keeps errors in run data as plain copies ({...error}); give them their class back. */
function reviveError(error: unknown): Error | undefined {
	if (error === undefined || error === null) return undefined;
	if (error instanceof Error) return error;
	const plain = error as Record<string, unknown>;
	const name = typeof plain.name === 'string' ? plain.name : 'Error';
	const candidate =
		(n8nWorkflow as unknown as Record<string, unknown>)[name] ?? (n8nCore as unknown as Record<string, unknown>)[name];
	const proto =
		typeof candidate === 'function' && (candidate as { prototype: unknown }).prototype instanceof Error
			? ((candidate as { prototype: object }).prototype as Error)
			: Error.prototype;
	const revived = Object.create(proto) as Error;
	Object.assign(revived, plain);
	return revived;
}

function isTriggerLike(type: INodeType): boolean {
	return Boolean(type.trigger || type.poll || type.webhook) || type.description.inputs?.length === 0;
}

function describeNodeErrors(nodes: Record<string, NodeRun>): string {
	const errors = Object.entries(nodes)
		.filter(([, run]) => run.error)
		.map(([name, run]) => {
			const e = run.error as Error & { description?: string };
			return `  - "${name}": ${e.message}${e.description ? ` (${e.description})` : ''}`;
		});
	return errors.length ? `\nNode errors:\n${errors.join('\n')}` : '';
}

function buildResult(
	fullRun: IRun,
	order: string[],
	chunks: StructuredChunk[],
	logs: LogEntry[],
	cancelled: 'no' | 'manual' | 'timeout',
	executionId: string,
): WorkflowRunResult {
	const nodes: Record<string, NodeRun> = {};
	for (const [name, tasks] of Object.entries(fullRun.data.resultData.runData ?? {})) {
		const task: ITaskData | undefined = tasks[0];
		if (!task) continue;
		const outputs = (task.data?.main ?? []).map((items) => items ?? []);
		nodes[name] = {
			items: outputs[0] ?? [],
			outputs,
			error: reviveError(task.error),
			executionTime: task.executionTime ?? 0,
			status: task.executionStatus,
			runCount: tasks.length,
		};
	}

	let status = fullRun.status;
	let error = reviveError(fullRun.data.resultData.error);
	if (cancelled !== 'no') {
		// n8n marks a stopped execution 'canceled' even when the node in flight threw on the abort.
		status = 'canceled';
		error =
			cancelled === 'timeout'
				? new TimeoutExecutionCancelledError(executionId)
				: new ManualExecutionCancelledError(executionId);
	}

	const output = (nodeName: string): INodeExecutionData[] => {
		const run = nodes[nodeName];
		if (!run) {
			throw new Error(
				`Node "${nodeName}" did not run. Nodes that ran: ${order.length ? order.map((n) => `"${n}"`).join(', ') : '(none)'}.` +
					` Workflow status: ${status}${error ? ` (${error.message})` : ''}.${describeNodeErrors(nodes)}`,
			);
		}
		if (run.error) {
			throw new Error(
				`Node "${nodeName}" failed: ${run.error.message}` +
					`${(run.error as Error & { description?: string }).description ? ` - ${(run.error as Error & { description?: string }).description}` : ''}` +
					` (inspect result.nodes["${nodeName}"].error)`,
			);
		}
		return run.items;
	};

	return {
		status,
		finished: fullRun.finished === true,
		error,
		nodes,
		order,
		chunks,
		logs,
		logText: () => CapturingLogger.text(logs),
		output,
		json: (nodeName) => output(nodeName).map((item) => item.json),
		async binary(nodeName, itemIndex, property = 'data') {
			const items = output(nodeName);
			const item = items[itemIndex];
			if (!item) {
				throw new Error(`Node "${nodeName}" has no output item ${itemIndex} (it returned ${items.length} items)`);
			}
			const binaryData: IBinaryData | undefined = item.binary?.[property];
			if (!binaryData) {
				const available = Object.keys(item.binary ?? {});
				throw new Error(
					`Item ${itemIndex} of node "${nodeName}" has no binary property "${property}"` +
						` (binary properties: ${available.length ? available.join(', ') : 'none'})`,
				);
			}
			return await Container.get(BinaryDataService).getAsBuffer(binaryData);
		},
		raw: fullRun,
	};
}

/**
 * Everything captured by the harness logger in this process (runs, testCredential,
 * package loading), as n8n's logger would print it. `result.logText()` is per run.
 */
export function capturedLogText(): string {
	return CapturingLogger.text(ensureN8nEnvironment().logger.entries);
}

export function clearCapturedLogs(): void {
	ensureN8nEnvironment().logger.clear();
}

/**
 * Binary data for input items, made the way nodes make it
 * (`this.helpers.prepareBinaryData`): kept inline, byte-exact.
 */
export async function toBinaryData(data: Buffer | string, fileName?: string, mimeType?: string): Promise<IBinaryData> {
	ensureN8nEnvironment();
	const buffer = typeof data === 'string' ? Buffer.from(data) : data;
	return await prepareBinaryData(buffer, 'harness-input', 'harness-input', fileName, mimeType);
}

export function createHarness(options: HarnessOptions = {}): WorkflowHarness {
	ensureN8nEnvironment();
	const registry = new TypeRegistry();
	if (options.coreNodes !== false) registry.addCoreNodes();
	for (const [name, type] of Object.entries(options.nodeTypes ?? {})) registry.addNodeType(name, type);
	for (const type of options.credentialTypes ?? []) registry.addCredentialType(type);

	const ready = options.packageDir
		? registry.addPackage(options.packageDir).then(() => undefined)
		: Promise.resolve();
	ready.catch(() => {}); // surfaced by run()/testCredential()

	async function run(workflowInput: WorkflowInput, runOptions: RunOptions = {}): Promise<WorkflowRunResult> {
		await ready;
		const { logger } = ensureN8nEnvironment();
		const workflowData = loadWorkflow(workflowInput);
		if (!Array.isArray(workflowData.nodes) || typeof workflowData.connections !== 'object') {
			throw new UserError('Not a workflow: expected "nodes" and "connections"');
		}
		const settings: IWorkflowSettings = { executionOrder: 'v1', ...(workflowData.settings ?? {}) };
		const nodes: INode[] = workflowData.nodes;
		const credentials = runOptions.credentials ?? {};

		for (const node of nodes) {
			if (!registry.has(node.type)) {
				const hint = node.type.startsWith('n8n-nodes-base.')
					? ' (only the core nodes in CORE_NODE_FILES are available; the Code node needs a task runner)'
					: '';
				throw new UserError(
					`Node "${node.name}" has unknown type "${node.type}"${hint}. Registered: ${registry.knownNodeNames().join(', ')}`,
				);
			}
			const type = registry.getByName(node.type);
			node.typeVersion ??= defaultVersion(type);
			node.id ??= randomUUID();
			node.position ??= [0, 0];
			node.parameters ??= {};
			// Credentials the test supplied and the node declares are attached if the JSON does not name them.
			for (const { name } of allVersions(type).flatMap((v) => v.description.credentials ?? [])) {
				if (credentials[name] !== undefined && !node.credentials?.[name]) {
					node.credentials = { ...node.credentials, [name]: { id: `harness-${name}`, name } };
				}
			}
		}

		const workflowId = workflowData.id ?? 'harness-workflow';
		const workflow = new Workflow({
			id: workflowId,
			name: workflowData.name ?? 'Harness workflow',
			nodes,
			connections: workflowData.connections,
			nodeTypes: registry,
			settings,
			staticData: workflowData.staticData,
			active: false,
		});

		// As `n8n execute` and the editor's "Execute workflow" do: the Manual Trigger, when there is
		// one, starts the run, not another trigger beside it (a Schedule Trigger).
		const startNode =
			Object.values(workflow.nodes).find((node) => node.type === 'n8n-nodes-base.manualTrigger' && !node.disabled) ??
			workflow.getStartNode() ??
			Object.values(workflow.nodes).find(
				(node) =>
					!node.disabled &&
					node.type !== 'n8n-nodes-base.stickyNote' &&
					!workflow.connectionsByDestinationNode[node.name]?.main?.some((c) => c?.length),
			);
		if (!startNode) throw new UserError('The workflow has no node to start from');

		const pinData: IPinData = { ...(workflowData.pinData ?? {}) };
		let startItems: INodeExecutionData[] = [{ json: {} }];
		if (runOptions.input) {
			const items = structuredClone(runOptions.input);
			if (isTriggerLike(registry.getByNameAndVersion(startNode.type, startNode.typeVersion))) {
				pinData[startNode.name] = items;
			} else {
				startItems = items;
			}
		}

		const executionId = `harness-${++executionCounter}`;
		const workflowBase: IWorkflowBase = {
			id: workflowId,
			name: workflow.name ?? 'Harness workflow',
			active: false,
			isArchived: false,
			activeVersionId: null,
			createdAt: new Date(),
			updatedAt: new Date(),
			nodes,
			connections: workflowData.connections,
			settings,
		};
		const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowBase);
		const order: string[] = [];
		hooks.addHandler('nodeExecuteAfter', (nodeName) => {
			order.push(nodeName);
		});
		const { onNodeStart, onNodeEnd } = runOptions;
		if (onNodeStart) hooks.addHandler('nodeExecuteBefore', async (nodeName) => await onNodeStart(nodeName));
		if (onNodeEnd) hooks.addHandler('nodeExecuteAfter', async (nodeName, task) => await onNodeEnd(nodeName, task));
		const afterHook = deferred<IRun>();
		hooks.addHandler('workflowExecuteAfter', (fullRunData) => {
			afterHook.resolve(fullRunData);
		});
		const chunks: StructuredChunk[] = [];
		let streamingCallbackError: unknown;
		if (runOptions.streaming) {
			const onChunk = runOptions.streaming;
			hooks.addHandler('sendChunk', async (chunk) => {
				chunks.push(chunk);
				try {
					await onChunk(chunk);
				} catch (error) {
					// Nodes do not await sendChunk(); rethrown from run() instead of an unhandled rejection.
					streamingCallbackError ??= error;
				}
			});
		}

		const timeoutAt = runOptions.timeoutMs !== undefined ? Date.now() + runOptions.timeoutMs : undefined;
		const credentialsHelper = new HarnessCredentialsHelper(registry);
		credentialsHelper.setCredentials(credentials);
		const additionalData = createAdditionalData({
			credentialsHelper,
			hooks,
			executionId,
			workflowId,
			workflowSettings: settings,
			streamingEnabled: runOptions.streaming !== undefined,
			executionTimeoutTimestamp: timeoutAt,
		});

		const runExecutionData = createRunExecutionData({
			startData: {},
			resultData: { runData: {}, pinData },
			executionData: {
				nodeExecutionStack: [{ node: startNode, data: { main: [startItems] }, source: null }],
			},
		});

		const logStart = logger.nextSeq;
		const workflowExecute = new WorkflowExecute(additionalData, 'manual', runExecutionData);
		// Throws synchronously (WorkflowHasIssuesError) when nodes have parameter issues, as in n8n.
		const processing = workflowExecute.processRunExecutionData(workflow);

		let cancelled: 'no' | 'manual' | 'timeout' = 'no';
		const cancelRequested = deferred<void>();
		const cancel = (reason: 'manual' | 'timeout') => {
			if (cancelled !== 'no') return;
			cancelled = reason;
			processing.cancel();
			cancelRequested.resolve();
		};
		const onAbort = () => cancel('manual');
		const { signal } = runOptions;
		if (signal?.aborted) onAbort();
		else signal?.addEventListener('abort', onAbort, { once: true });
		const timer = timeoutAt !== undefined ? setTimeout(() => cancel('timeout'), runOptions.timeoutMs) : undefined;

		// After a cancel n8n reports at once (workflowExecuteAfter); give the node in flight a
		// moment to notice the abort so its error/output is part of the result.
		const afterCancel = cancelRequested.promise.then(async () => {
			const hookRun = await afterHook.promise;
			await new Promise((resolve) => setTimeout(resolve, CANCEL_GRACE_MS).unref());
			return hookRun;
		});

		let fullRun: IRun;
		try {
			fullRun = await Promise.race([processing, afterCancel]);
		} finally {
			if (timer) clearTimeout(timer);
			signal?.removeEventListener('abort', onAbort);
		}

		if (streamingCallbackError !== undefined) throw streamingCallbackError;
		const logs = logger.since(logStart);
		return buildResult(fullRun, order, chunks, logs, cancelled, executionId);
	}

	return {
		run,
		nodeTypes: registry,
		ready,
		async testCredential(credentialType, data) {
			await ready;
			return await testCredential(registry, credentialType, data);
		},
	};
}

export interface SingleNodeSpec {
	type: string;
	/** Default: the node type's current version (resolved at run time). */
	typeVersion?: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	/** Default: the part of the type after the last '.', e.g. 'deerApiChat'. */
	name?: string;
	/** Sets onError: 'continueRegularOutput'. */
	continueOnFail?: boolean;
}

export const TRIGGER_NODE_NAME = 'Manual Trigger';

/**
 * Manual Trigger -> the node. With the run option `input`, those items become
 * the trigger's output (pinned data), i.e. the node's input.
 */
export function singleNodeWorkflow(
	node: SingleNodeSpec,
	opts: {
		settings?: IWorkflowSettings;
		/** @deprecated not needed: the run option `input` always feeds the node (kept for the first API draft). */
		inputItems?: boolean;
	} = {},
): IWorkflowBase {
	const name = node.name ?? node.type.slice(node.type.lastIndexOf('.') + 1);
	const nodeUnderTest: INode = {
		id: randomUUID(),
		name,
		type: node.type,
		// Left undefined on purpose when not given: run() fills in the type's default version.
		typeVersion: node.typeVersion as number,
		position: [220, 0],
		parameters: structuredClone(node.parameters) as INode['parameters'],
		...(node.credentials ? { credentials: structuredClone(node.credentials) } : {}),
		...(node.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	if (node.typeVersion === undefined) delete (nodeUnderTest as Partial<INode>).typeVersion;
	return {
		id: `single-${name}`,
		name: `Single node: ${name}`,
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(0),
		updatedAt: new Date(0),
		nodes: [
			{
				id: randomUUID(),
				name: TRIGGER_NODE_NAME,
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			nodeUnderTest,
		],
		connections: { [TRIGGER_NODE_NAME]: { main: [[{ node: name, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1', ...(opts.settings ?? {}) },
	};
}
