import {
	ManualExecutionCancelledError,
	NodeApiError,
	NodeOperationError,
	TimeoutExecutionCancelledError,
	WorkflowOperationError,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import type { IHttpRequestOptions, IWorkflowBase } from 'n8n-workflow';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { DeerApiRelayApi } from '../../credentials/DeerApiRelayApi.credentials';
import { createAdditionalData } from '../../harness/additional-data';
import { ENGINE_MAJOR } from '../support/engine';
import { HarnessCredentialsHelper } from '../../harness/credentials-helper';
import { TypeRegistry } from '../../harness/type-registry';
import { TRIGGER_NODE_NAME, createHarness, singleNodeWorkflow, toBinaryData } from '../../harness/workflow';
import {
	HarnessApi,
	HarnessApiClient,
	HarnessDeclarativeApi,
	HarnessFiles,
	HarnessGreeter,
	HarnessStreamer,
	HarnessWaiter,
	waiterEvents,
} from './fixtures/test-nodes';

const API_KEY = 'sk-harness-secret-123';

const harness = createHarness({
	nodeTypes: {
		'harness.greeter': new HarnessGreeter(),
		'harness.files': new HarnessFiles(),
		'harness.apiClient': new HarnessApiClient(),
		'harness.waiter': new HarnessWaiter(),
		'harness.streamer': new HarnessStreamer(),
	},
	credentialTypes: [new HarnessApi(), new HarnessDeclarativeApi()],
});

/** Local API: /whoami answers who the Authorization / X-Api-Key header belongs to. */
let server: http.Server;
let baseUrl: string;
const seenHeaders: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
	server = http.createServer((req, res) => {
		seenHeaders.push(req.headers);
		const auth = req.headers.authorization ?? '';
		const apiKey = req.headers['x-api-key'];
		const send = (status: number, body: object) => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		if (req.url !== '/whoami') return send(404, { error: 'not found' });
		if (apiKey === 'blocked-key') return send(200, { user: 'blocked' });
		if (auth === `Bearer ${API_KEY}` || auth === API_KEY || apiKey === API_KEY) {
			return send(200, { user: 'ada', authorization: auth || null, apiKey: apiKey ?? null });
		}
		return send(401, { error: 'invalid token' });
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
});

const people = [{ json: { name: 'Ann' } }, { json: { name: 'Bob' } }, { json: { name: 'Cy' } }];

describe('running workflows', () => {
	test('input items reach the node under test; parameters and expressions are resolved', async () => {
		const workflow = singleNodeWorkflow({
			type: 'harness.greeter',
			parameters: { greeting: '={{ $json.name.length > 2 ? "Hello" : "Hi" }}' },
		});
		const result = await harness.run(workflow, { input: people });

		expect(result.status).toBe('success');
		expect(result.finished).toBe(true);
		expect(result.error).toBeUndefined();
		expect(result.order).toEqual([TRIGGER_NODE_NAME, 'greeter']);
		// the trigger's output is replaced by the input items (pinned data)...
		expect(result.json(TRIGGER_NODE_NAME)).toEqual(people.map((p) => p.json));
		// ...so they are the node's input; the default typeVersion is the newest (2)
		expect(result.json('greeter')).toEqual([
			{ message: 'Hello, Ann!', typeVersion: 2 },
			{ message: 'Hello, Bob!', typeVersion: 2 },
			{ message: 'Hi, Cy!', typeVersion: 2 },
		]);
		expect(result.output('greeter').map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(result.nodes.greeter.executionTime).toBeGreaterThanOrEqual(0);
	});

	test('without input the Manual Trigger really runs; an explicit typeVersion is honoured', async () => {
		const result = await harness.run(
			singleNodeWorkflow({ type: 'harness.greeter', typeVersion: 1, name: 'Greet', parameters: {} }),
		);
		expect(result.json(TRIGGER_NODE_NAME)).toEqual([{}]);
		expect(result.json('Greet')).toEqual([{ message: 'Hello, undefined!', typeVersion: 1 }]);
	});

	test('a node error surfaces with its class, message, description and itemIndex', async () => {
		const result = await harness.run(
			singleNodeWorkflow({ type: 'harness.greeter', parameters: { failOn: 'Bob' } }),
			{ input: people },
		);

		expect(result.status).toBe('error');
		expect(result.finished).toBe(false);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error?.message).toBe('Cannot greet Bob');
		expect(result.error).toMatchObject({
			description: 'The name is on the fail list',
			context: { itemIndex: 1 },
		});
		expect(result.nodes.greeter.error).toBeInstanceOf(NodeOperationError);
		expect(result.nodes.greeter.status).toBe('error');
		expect(result.nodes.greeter.items).toEqual([]);
		expect(() => result.output('greeter')).toThrow(/Node "greeter" failed: Cannot greet Bob - The name is on the fail list/);
		expect(() => result.output('Nope')).toThrow(
			/Node "Nope" did not run\. Nodes that ran: "Manual Trigger", "greeter"\.[\s\S]*Node errors:\n {2}- "greeter": Cannot greet Bob \(The name is on the fail list\)/,
		);
		// n8n's ErrorReporter logged it - into the harness log, not the console
		expect(result.logText()).toContain('Cannot greet Bob');
	});

	test('continue on fail turns the failing item into an error item', async () => {
		const result = await harness.run(
			singleNodeWorkflow({ type: 'harness.greeter', parameters: { failOn: 'Bob' }, continueOnFail: true }),
			{ input: people },
		);
		expect(result.status).toBe('success');
		expect(result.json('greeter')).toEqual([
			{ message: 'Hello, Ann!', typeVersion: 2 },
			{ error: 'Cannot greet Bob' },
			{ message: 'Hello, Cy!', typeVersion: 2 },
		]);
	});

	test('binary data round-trips byte-exact (prepareBinaryData -> getBinaryDataBuffer -> result.binary)', async () => {
		const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(4096)]);
		const workflow: IWorkflowBase = {
			...singleNodeWorkflow({ type: 'harness.files', name: 'Write', parameters: { operation: 'write' } }),
		};
		workflow.nodes.push({
			id: 'read',
			name: 'Read',
			type: 'harness.files',
			typeVersion: 1,
			position: [440, 0],
			parameters: { operation: 'read' },
		});
		workflow.connections.Write = { main: [[{ node: 'Read', type: 'main', index: 0 }]] };

		const result = await harness.run(workflow, {
			input: [{ json: { base64: bytes.toString('base64'), fileName: 'blob.bin', mimeType: 'application/octet-stream' } }],
		});

		expect(result.order).toEqual([TRIGGER_NODE_NAME, 'Write', 'Read']);
		const written = await result.binary('Write', 0);
		expect(Buffer.compare(written, bytes)).toBe(0);
		expect(result.output('Write')[0].binary?.data).toMatchObject({
			fileName: 'blob.bin',
			mimeType: 'application/octet-stream',
			fileSize: '4.35 kB', // pretty-bytes of 4352, on both lines
			...(ENGINE_MAJOR === 1 ? {} : { bytes: bytes.length }), // n8n-core 2.x adds the exact size
		});
		expect(result.json('Read')).toEqual([
			{ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), fileName: 'blob.bin' },
		]);
		expect(Buffer.compare(await result.binary('Read', 0), bytes)).toBe(0);
		await expect(result.binary('Read', 0, 'nope')).rejects.toThrow(/no binary property "nope" \(binary properties: data\)/);
	});

	test('binary input items made with toBinaryData reach the node', async () => {
		const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
		const result = await harness.run(
			singleNodeWorkflow({ type: 'harness.files', parameters: { operation: 'read', binaryProperty: 'image' } }),
			{ input: [{ json: {}, binary: { image: await toBinaryData(png, 'pixel.png', 'image/png') } }] },
		);
		expect(result.json('files')).toEqual([
			{ size: png.length, sha256: createHash('sha256').update(png).digest('hex'), fileName: 'pixel.png' },
		]);
		expect(Buffer.compare(await result.binary('files', 0, 'image'), png)).toBe(0);
	});

	test('a real core-node workflow JSON file: Manual Trigger -> Set (raw JSON) -> Set (fields) -> Filter -> Summarize', async () => {
		const file = path.join(__dirname, 'fixtures/core-nodes.workflow.json');

		const plain = await harness.run(file);
		expect(plain.status).toBe('success');
		expect(plain.json('Summarize')).toEqual([{ count_name: 1, sum_age: 36, concatenated_city: 'LONDON' }]);

		const result = await harness.run(file, {
			input: [
				{ json: { name: 'Bo', age: 12, city: 'paris' } },
				{ json: { name: 'Cy', age: 40, city: 'rome' } },
				{ json: { name: 'Di', age: 18, city: 'oslo' } },
			],
		});
		expect(result.order).toEqual([
			'When clicking ‘Execute workflow’',
			'Normalise (raw JSON)',
			'Add fields',
			'Adults only',
			'Summarize',
		]);
		expect(result.json('Normalise (raw JSON)')).toEqual([
			{ name: 'Bo', age: 12, city: 'PARIS' },
			{ name: 'Cy', age: 40, city: 'ROME' },
			{ name: 'Di', age: 18, city: 'OSLO' },
		]);
		expect(result.json('Add fields')[0]).toEqual({ name: 'Bo', age: 12, city: 'PARIS', adult: false, label: 'Bo (12)' });
		expect(result.json('Adults only').map((p) => p.name)).toEqual(['Cy', 'Di']);
		expect(result.json('Summarize')).toEqual([{ count_name: 2, sum_age: 58, concatenated_city: 'ROME|OSLO' }]);
		expect(result.nodes['Sticky Note']).toBeUndefined();
	});

	test('a workflow without a trigger starts at its root node, which gets the input items', async () => {
		const result = await harness.run(
			{
				nodes: [{ id: 'g', name: 'Greet', type: 'harness.greeter', typeVersion: 1, position: [0, 0], parameters: {} }],
				connections: {},
			},
			{ input: [{ json: { name: 'Solo' } }] },
		);
		expect(result.order).toEqual(['Greet']);
		expect(result.json('Greet')).toEqual([{ message: 'Hello, Solo!', typeVersion: 1 }]);
	});

	test('unknown node types and versions are refused before running', async () => {
		await expect(
			harness.run(singleNodeWorkflow({ type: 'n8n-nodes-base.code', parameters: {} })),
		).rejects.toThrow(/unknown type "n8n-nodes-base.code".*task runner/);
		await expect(
			harness.run(singleNodeWorkflow({ type: 'harness.greeter', typeVersion: 3, parameters: {} })),
		).rejects.toThrow(/has no version 3 \(versions: 1, 2\)/);
	});
});

describe('credentials', () => {
	const apiWorkflow = (name = 'API') => singleNodeWorkflow({ type: 'harness.apiClient', name, parameters: {} });

	test("the credential type's generic authenticate is applied to the request, defaults filled in", async () => {
		seenHeaders.length = 0;
		const result = await harness.run(apiWorkflow(), { credentials: { harnessApi: { apiKey: API_KEY, baseUrl } } });

		expect(result.status).toBe('success');
		expect(result.json('API')).toEqual([
			{ baseUrl, authFormat: 'bearer', response: { user: 'ada', authorization: `Bearer ${API_KEY}`, apiKey: null } },
		]);
		expect(seenHeaders.map((h) => h.authorization)).toEqual([`Bearer ${API_KEY}`]);
	});

	test('the expression in authenticate really evaluates (bare key format)', async () => {
		seenHeaders.length = 0;
		const result = await harness.run(apiWorkflow(), {
			credentials: { harnessApi: { apiKey: API_KEY, baseUrl, authFormat: 'bare' } },
		});
		expect(result.json('API')[0]).toMatchObject({ authFormat: 'bare', response: { authorization: API_KEY } });
		expect(seenHeaders.map((h) => h.authorization)).toEqual([API_KEY]);
	});

	test('an HTTP error becomes a NodeApiError with httpCode; the key stays out of the logs', async () => {
		const result = await harness.run(apiWorkflow(), {
			credentials: { harnessApi: { apiKey: 'sk-wrong-key-456', baseUrl } },
		});
		expect(result.status).toBe('error');
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect(result.error).toMatchObject({ httpCode: '401' });
		expect(result.error?.message).toMatch(/Authorization failed/);
		expect(result.logs.length).toBeGreaterThan(0);
		expect(result.logText()).toContain('Authorization failed');
		expect(result.logText()).not.toContain('sk-wrong-key-456');
	});

	test('a node whose credentials were not given fails with a clear message', async () => {
		const result = await harness.run(apiWorkflow());
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/Node does not have any credentials set/);

		const named = apiWorkflow();
		named.nodes[1].credentials = { harnessApi: { id: '1', name: 'Prod key' } };
		const missing = await harness.run(named);
		expect(missing.error?.message).toMatch(/No credentials of type "harnessApi" were given to the test run/);
	});

	test("the package's DeerApiRelayApi credential: defaults and both Authorization formats", async () => {
		const registry = new TypeRegistry();
		registry.addCoreNodes();
		registry.addCredentialType(new DeerApiRelayApi());
		const helper = new HarnessCredentialsHelper(registry);
		const additionalData = createAdditionalData({ credentialsHelper: helper });
		const node = singleNodeWorkflow({ type: 'n8n-nodes-base.noOp', parameters: {} }).nodes[1];
		node.typeVersion = 1;
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: registry });
		const authorization = async (data: Record<string, string>) => {
			helper.setCredentials({ deerApiRelayApi: data });
			const decrypted = await helper.getDecrypted(additionalData, { id: '1', name: 'k' }, 'deerApiRelayApi', 'manual');
			const request: IHttpRequestOptions = { url: `${decrypted.baseUrl as string}/v1/models`, headers: {} };
			const authenticated = await helper.authenticate(decrypted, 'deerApiRelayApi', request, workflow, node);
			return [decrypted.baseUrl, decrypted.authFormat, authenticated.headers?.Authorization];
		};
		await expect(authorization({ apiKey: API_KEY })).resolves.toEqual([
			'https://api.deerapi.com',
			'bearer',
			`Bearer ${API_KEY}`,
		]);
		await expect(authorization({ apiKey: API_KEY, authFormat: 'bare', baseUrl: 'https://relay.example/v1' })).resolves.toEqual([
			'https://relay.example/v1',
			'bare',
			API_KEY,
		]);
	});

	test('testCredential runs the node\'s testedBy method in a CredentialTestContext', async () => {
		await expect(harness.testCredential('harnessApi', { apiKey: API_KEY, baseUrl })).resolves.toEqual({
			status: 'OK',
			message: 'Connected as ada (harnessApi/bearer)',
		});
		await expect(harness.testCredential('harnessApi', { apiKey: 'nope', baseUrl })).resolves.toEqual({
			status: 'Error',
			message: 'Rejected (401): invalid token',
		});
	});

	test('testCredential runs a declarative credential test through RoutingNode with authenticate applied', async () => {
		seenHeaders.length = 0;
		await expect(harness.testCredential('harnessDeclarativeApi', { apiKey: API_KEY, baseUrl })).resolves.toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(seenHeaders[0]['x-api-key']).toBe(API_KEY);
		// n8n's tester answers the HTTP status text it finds in the error's cause; 1.x's NodeApiError
		// keeps no cause, so n8n 1.x answers the error's own message.
		await expect(harness.testCredential('harnessDeclarativeApi', { apiKey: 'bad', baseUrl })).resolves.toEqual({
			status: 'Error',
			message: ENGINE_MAJOR === 1 ? 'Authorization failed - please check your credentials' : 'Unauthorized',
		});
		await expect(
			harness.testCredential('harnessDeclarativeApi', { apiKey: 'blocked-key', baseUrl }),
		).resolves.toEqual({ status: 'Error', message: 'This account is blocked' });
	});

	test('testCredential without any test function says so, like n8n', async () => {
		const bare = createHarness({ credentialTypes: [new HarnessApi()] });
		await expect(bare.testCredential('harnessApi', { apiKey: 'x' })).resolves.toEqual({
			status: 'Error',
			message: 'No testing function found for this credential.',
		});
		await expect(bare.testCredential('unknownApi', {})).rejects.toThrow(/Unknown credential type "unknownApi"/);
	});
});

describe('cancellation and streaming', () => {
	test('aborting the signal cancels the execution; the waiting node sees it', async () => {
		const controller = new AbortController();
		waiterEvents.started = () => controller.abort();
		const started = Date.now();
		const result = await harness.run(singleNodeWorkflow({ type: 'harness.waiter', parameters: {} }), {
			signal: controller.signal,
		});
		waiterEvents.started = undefined;

		expect(Date.now() - started).toBeLessThan(5_000);
		expect(result.status).toBe('canceled');
		expect(result.finished).toBe(false);
		expect(result.error).toBeInstanceOf(ManualExecutionCancelledError);
		expect(result.nodes.waiter.error).toBeInstanceOf(NodeOperationError);
		expect(result.nodes.waiter.error?.message).toBe('Stopped waiting: the execution was cancelled');
	});

	test('timeoutMs cancels like n8n\'s workflow timeout', async () => {
		const started = Date.now();
		const result = await harness.run(singleNodeWorkflow({ type: 'harness.waiter', parameters: {} }), {
			timeoutMs: 150,
		});
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(result.status).toBe('canceled');
		expect(result.error).toBeInstanceOf(TimeoutExecutionCancelledError);
		expect(result.nodes.waiter.error?.message).toMatch(/cancelled/);
	});

	test('in streaming mode isStreaming() is true and sendChunk() chunks reach the callback in order', async () => {
		const received: unknown[] = [];
		const result = await harness.run(singleNodeWorkflow({ type: 'harness.streamer', parameters: {} }), {
			streaming: (chunk) => {
				received.push(chunk);
			},
		});
		expect(result.json('streamer')).toEqual([{ streaming: true, text: 'Hello' }]);
		expect(received).toEqual(result.chunks);
		expect(received.map((c) => [(c as { type: string }).type, (c as { content?: string }).content])).toEqual([
			['begin', undefined],
			['item', 'Hel'],
			['item', 'lo'],
			['end', undefined],
		]);
		expect(received[1]).toMatchObject({ metadata: { nodeName: 'streamer', itemIndex: 0, runIndex: 0 } });
	});

	test('a node failing in streaming mode sends an error chunk; a throwing callback fails the run', async () => {
		const received: Array<{ type: string; content?: string }> = [];
		const failed = await harness.run(
			singleNodeWorkflow({ type: 'harness.greeter', parameters: { failOn: 'Bob' } }),
			{ input: [{ json: { name: 'Bob' } }], streaming: (chunk) => void received.push(chunk) },
		);
		expect(failed.status).toBe('error');
		expect(received).toEqual([
			expect.objectContaining({ type: 'error', content: 'The name is on the fail list' }),
		]);

		await expect(
			harness.run(singleNodeWorkflow({ type: 'harness.streamer', parameters: {} }), {
				streaming: () => {
					throw new Error('assertion inside the callback');
				},
			}),
		).rejects.toThrow('assertion inside the callback');
	});

	test('without a streaming callback the node does not stream', async () => {
		const result = await harness.run(singleNodeWorkflow({ type: 'harness.streamer', parameters: {} }));
		expect(result.json('streamer')).toEqual([{ streaming: false, text: 'Hello' }]);
		expect(result.chunks).toEqual([]);
	});
});

describe('loading and strictness', () => {
	test('a built package folder loads the way n8n loads a community package', async () => {
		const fromPackage = createHarness({ packageDir: path.join(__dirname, 'fixtures/package') });
		await fromPackage.ready;
		expect(fromPackage.nodeTypes.getByName('n8n-nodes-harness-fixture.shout').description.displayName).toBe('Shout');

		const result = await fromPackage.run(
			singleNodeWorkflow({ type: 'n8n-nodes-harness-fixture.shout', parameters: {} }),
			{ input: [{ json: { text: 'quiet please' } }] },
		);
		expect(result.json('shout')).toEqual([{ text: 'QUIET PLEASE' }]);
		await expect(fromPackage.testCredential('shoutApi', { token: 'loud' })).resolves.toEqual({
			status: 'OK',
			message: 'Loud and clear',
		});
	});

	test('additionalData throws on fields the harness does not provide', () => {
		const registry = new TypeRegistry();
		const additionalData = createAdditionalData({ credentialsHelper: new HarnessCredentialsHelper(registry) });
		expect(additionalData.restApiUrl).toBe('http://localhost:5678/rest');
		expect(additionalData.evalLlmMockHandler).toBeUndefined();
		expect(() => (additionalData as unknown as Record<string, unknown>).someNewField).toThrow(
			/n8n-core read additionalData\.someNewField/,
		);
	});

	test('WorkflowHasIssuesError for missing required parameters is thrown, as n8n-core does', async () => {
		const registry = createHarness({
			nodeTypes: {
				'harness.required': {
					description: {
						...new HarnessGreeter().description,
						name: 'harnessRequired',
						version: 1,
						properties: [{ displayName: 'Model', name: 'model', type: 'string', required: true, default: '' }],
					},
					execute: new HarnessGreeter().execute,
				},
			},
		});
		await expect(registry.run(singleNodeWorkflow({ type: 'harness.required', parameters: {} }))).rejects.toThrow(
			WorkflowOperationError,
		);
		// n8n-core 2.x names the issues in the message; 1.x says only that there are some.
		await expect(registry.run(singleNodeWorkflow({ type: 'harness.required', parameters: {} }))).rejects.toThrow(
			ENGINE_MAJOR === 1
				? 'The workflow has issues and cannot be executed for that reason. Please fix them first.'
				: /'required' node has issues:\n- Parameter "Model" is required/,
		);
	});
});
