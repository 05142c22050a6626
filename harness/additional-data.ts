/**
 * `IWorkflowExecuteAdditionalData` for harness runs: a real, plain object with
 * what n8n-core 2.41 reads on its execution paths (found by reading
 * node_modules/n8n-core/dist), wrapped in a Proxy that throws when n8n-core
 * reads a field that is not listed here - so a newer n8n-core that needs
 * something more fails loudly instead of silently getting `undefined`.
 *
 * Fields n8n-core only probes for presence (`if (additionalData.x)`) are listed
 * with `undefined`.
 */
import { ExternalSecretsProxy } from 'n8n-core';
import type { ExecutionLifecycleHooks } from 'n8n-core';
import { UserError } from 'n8n-workflow';
import type { ExecutionStatus, ICredentialsHelper, IWorkflowExecuteAdditionalData, IWorkflowSettings } from 'n8n-workflow';

import { strictObject } from './n8n-env';

export const HARNESS_BASE_URL = 'http://localhost:5678';

export interface AdditionalDataOptions {
	credentialsHelper: ICredentialsHelper;
	hooks?: ExecutionLifecycleHooks;
	executionId?: string;
	workflowId?: string;
	workflowSettings?: IWorkflowSettings;
	streamingEnabled?: boolean;
	executionTimeoutTimestamp?: number;
	/** Receives `setExecutionStatus` calls (e.g. 'waiting' from putExecutionToWait). */
	onStatus?: (status: ExecutionStatus) => void;
	/** Receives `logAiEvent` calls. */
	onAiEvent?: (event: string, payload: unknown) => void;
}

export function createAdditionalData(options: AdditionalDataOptions): IWorkflowExecuteAdditionalData {
	const notSupported = (what: string) => async () => {
		throw new UserError(`${what} is not supported by the workflow test harness`);
	};

	const data = {
		// --- used on every run ---
		credentialsHelper: options.credentialsHelper,
		hooks: options.hooks,
		executionId: options.executionId,
		restartExecutionId: undefined, // undefined -> workflowExecuteBefore (not Resume)
		currentNodeExecutionIndex: 0, // incremented per node by WorkflowExecute
		currentNodeParameters: undefined, // undefined -> credentials' displayOptions use node.parameters
		executionTimeoutTimestamp: options.executionTimeoutTimestamp, // checked between nodes
		streamingEnabled: options.streamingEnabled === true, // isStreaming() needs this + a sendChunk hook
		executionContext: undefined, // set by NodeExecutionContext before credential look-ups
		currentNodeUsedDynamicCredentials: false,
		currentNodeAttemptedDynamicCredentials: false,
		dynamicCredentialsResolvedUserId: undefined,
		evalLlmMockHandler: undefined, // probed in getCredentials / httpRequestWithAuthentication
		encryptedRunnerIdentity: undefined, // probed by establishExecutionContext
		externalSecretsProxy: new ExternalSecretsProxy(), // $secrets in credential expressions (no providers)
		externalSecretProviderKeysAccessibleByCredential: undefined,
		ssrfBridge: undefined, // no SSRF policy: tests talk to local servers
		otel: undefined,
		workflowSettings: options.workflowSettings,
		// --- expression keys ($execution, $vars, $resumeWebhookUrl) and URLs nodes may ask for ---
		variables: {},
		evaluationRunId: undefined,
		restApiUrl: `${HARNESS_BASE_URL}/rest`,
		instanceBaseUrl: `${HARNESS_BASE_URL}/`,
		formBaseUrl: `${HARNESS_BASE_URL}/form`,
		formWaitingBaseUrl: `${HARNESS_BASE_URL}/form-waiting`,
		formTestBaseUrl: `${HARNESS_BASE_URL}/form-test`,
		webhookBaseUrl: `${HARNESS_BASE_URL}/webhook`,
		webhookWaitingBaseUrl: `${HARNESS_BASE_URL}/webhook-waiting`,
		webhookTestBaseUrl: `${HARNESS_BASE_URL}/webhook-test`,
		mcpBaseUrl: `${HARNESS_BASE_URL}/mcp`,
		mcpTestBaseUrl: `${HARNESS_BASE_URL}/mcp-test`,
		// --- identity ---
		userId: 'workflow-harness-user',
		workflowId: options.workflowId,
		projectId: undefined,
		rootExecutionMode: undefined,
		dataTableProjectId: undefined,
		// --- callbacks ---
		setExecutionStatus: (status: ExecutionStatus) => options.onStatus?.(status),
		sendDataToUI: () => {},
		logAiEvent: (event: string, payload: unknown) => options.onAiEvent?.(event, payload),
		logHitlResponse: undefined,
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		executeWorkflow: notSupported('Executing a sub-workflow'),
		startRunnerTask: notSupported('The task runner (Code node)'),
		getRunnerStatus: () => ({ available: false as const, reason: 'no task runner in the workflow test harness' }),
		// --- optional features the harness leaves off (presence-probed by n8n-core) ---
		executeAgent: undefined,
		listAgents: undefined,
		parentCallbackManager: undefined,
		httpRequest: undefined,
		httpResponse: undefined,
		validateCookieAuth: undefined,
		getUserById: undefined,
		beginN8nOAuth2Flow: undefined,
		completeN8nOAuth2Flow: undefined,
		refreshN8nOAuth2Flow: undefined,
		validateN8nOAuth2Token: undefined,
		establishTriggerIdentity: undefined,
		checkTriggerCredentialStatus: undefined,
		'data-table': undefined,
		'dynamic-credentials': undefined,
		'oauth-jwe': undefined,
	};

	return strictObject(data, 'additionalData') as unknown as IWorkflowExecuteAdditionalData;
}
