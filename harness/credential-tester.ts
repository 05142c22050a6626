/**
 * What n8n's "Test connection" button does, after n8n's CLI
 * `CredentialsTester.testCredentials` (packages/cli/src/services/credentials-tester.service.ts):
 *
 * 1. find the test: the credential type's declarative `test` first; else, on a
 *    node type listing the credential, `testedBy` - a method name in
 *    `methods.credentialTest` (versioned nodes: newest version first) or a
 *    declarative request;
 * 2. apply the credential type's defaults and resolve expressions (mode 'internal');
 * 3. a function test runs with `this` = n8n-core's `CredentialTestContext` and
 *    `{ id, name, type, data }`; a declarative test sends its request through
 *    n8n-core's `RoutingNode` (credential `authenticate` applied) and maps
 *    failures to `{ status: 'Error', message }` like n8n.
 */
import { CredentialTestContext, ExecuteContext, RoutingNode } from 'n8n-core';
import { NodeHelpers, UnexpectedError, Workflow } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunction,
	ICredentialTestRequestData,
	IExecuteData,
	INode,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRunExecutionData,
	IVersionedNodeType,
} from 'n8n-workflow';

import { createAdditionalData } from './additional-data';
import { HarnessCredentialsHelper } from './credentials-helper';
import type { TypeRegistry } from './type-registry';

type TestFunction = ICredentialTestFunction | ICredentialTestRequestData;

export function findCredentialTest(types: TypeRegistry, credentialType: string): TestFunction | undefined {
	const type = types.getCredentialType(credentialType);
	if (type.test) return { testRequest: type.test };

	for (const nodeName of types.getSupportedNodes(credentialType)) {
		const node = types.getByName(nodeName);
		const versioned = 'nodeVersions' in node ? (node as IVersionedNodeType) : undefined;
		const allNodeTypes: INodeType[] = versioned ? Object.values(versioned.nodeVersions) : [node as INodeType];
		for (const nodeType of allNodeTypes) {
			for (const { name, testedBy } of nodeType.description.credentials ?? []) {
				if (name !== credentialType || !testedBy) continue;
				if (typeof testedBy === 'string') {
					if (versioned) {
						const versions = Object.keys(versioned.nodeVersions).map(Number).sort((a, b) => b - a);
						for (const version of versions) {
							const credentialTest = versioned.nodeVersions[version].methods?.credentialTest;
							if (credentialTest && testedBy in credentialTest) return credentialTest[testedBy];
						}
					}
					const credentialTest = (node as INodeType).methods?.credentialTest;
					if (credentialTest && testedBy in credentialTest) return credentialTest[testedBy];
					throw new UnexpectedError(
						`Node "${nodeName}" declares testedBy "${testedBy}" for "${credentialType}" but has no methods.credentialTest.${testedBy}`,
					);
				}
				return { nodeType, testRequest: testedBy };
			}
		}
	}
	return undefined;
}

export async function testCredential(
	types: TypeRegistry,
	credentialType: string,
	data: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
	const testFunction = findCredentialTest(types, credentialType);
	if (testFunction === undefined) {
		return { status: 'Error', message: 'No testing function found for this credential.' };
	}

	const credentialsHelper = new HarnessCredentialsHelper(types);
	credentialsHelper.setCredentials({ [credentialType]: data });
	const additionalData = createAdditionalData({ credentialsHelper, executionId: undefined });

	const credentialsDecrypted: ICredentialsDecrypted = {
		id: 'harness-credential',
		name: `${credentialType} (test)`,
		type: credentialType,
		data: structuredClone(data),
	};
	try {
		credentialsDecrypted.data = await credentialsHelper.applyDefaults(
			additionalData,
			structuredClone(data),
			credentialType,
			'internal',
		);
	} catch (error) {
		return { status: 'Error', message: String((error as Error).message) };
	}

	if (typeof testFunction === 'function') {
		const context = new CredentialTestContext(additionalData);
		return await testFunction.call(context, credentialsDecrypted);
	}

	return await runDeclarativeTest(types, credentialType, credentialsDecrypted, testFunction, credentialsHelper);
}

/** lodash.get for 'a.b[0].c' paths (n8n uses lodash here). */
function getPath(value: unknown, path: string): unknown {
	let current = value;
	for (const key of path.replace(/\[(\w+)\]/g, '.$1').split('.').filter(Boolean)) {
		if (current === null || current === undefined) return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

async function runDeclarativeTest(
	types: TypeRegistry,
	credentialType: string,
	credentialsDecrypted: ICredentialsDecrypted,
	testFunction: ICredentialTestRequestData,
	credentialsHelper: HarnessCredentialsHelper,
): Promise<INodeCredentialTestResult> {
	const nodeType = testFunction.nodeType ?? types.getByNameAndVersion('n8n-nodes-base.noOp');
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: nodeType.description.name,
		typeVersion: Array.isArray(nodeType.description.version)
			? nodeType.description.version.slice(-1)[0]
			: nodeType.description.version,
		position: [0, 0],
		credentials: { [credentialType]: { id: credentialsDecrypted.id, name: credentialsDecrypted.name } },
	};
	const nodeTypeCopy: INodeType = {
		description: {
			...nodeType.description,
			credentials: [{ name: credentialType, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: testFunction.testRequest.request },
					default: '',
				},
			],
		},
	};
	const mockNodeTypes: INodeTypes = {
		getKnownTypes: () => ({}),
		getByName: () => nodeTypeCopy,
		getByNameAndVersion: (_name, version) => NodeHelpers.getVersionedNodeType(nodeTypeCopy, version),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: mockNodeTypes });
	const runExecutionData = { resultData: { runData: {} } } as IRunExecutionData;
	const executeData: IExecuteData = { node, data: {}, source: null };
	const additionalData = createAdditionalData({ credentialsHelper, executionId: undefined });
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		runExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		executeData,
		[],
	);
	const routingNode = new RoutingNode(context, nodeTypeCopy, credentialsDecrypted);

	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await routingNode.runNode();
	} catch (caught) {
		const error = caught as Error & { cause?: { response?: { status: number; statusText: string }; code?: string } };
		if (error.cause?.response) {
			const statusCode = error.cause.response.status;
			const statusMessage = error.cause.response.statusText;
			for (const rule of testFunction.testRequest.rules ?? []) {
				if (rule.type === 'responseCode' && statusCode === rule.properties.value) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (statusCode < 199 || statusCode > 299) {
				return { status: 'Error', message: statusMessage || `Received HTTP status code: ${statusCode}` };
			}
		} else if (error.cause?.code) {
			return { status: 'Error', message: error.cause.code };
		}
		return { status: 'Error', message: String(error.message) };
	}

	for (const rule of testFunction.testRequest.rules ?? []) {
		if (rule.type === 'responseSuccessBody') {
			const responseData = response?.[0]?.[0]?.json;
			if (getPath(responseData, rule.properties.key) === rule.properties.value) {
				return { status: 'Error', message: rule.properties.message };
			}
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
