import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { NodeApiError, NodeOperationError, type IDataObject, type INodeExecutionData } from 'n8n-workflow';

import { DeerApiRelayApi } from '../../../credentials/DeerApiRelayApi.credentials';
import { DeerApiListModels } from '../../../nodes/DeerApiListModels/DeerApiListModels.node';
import { DEFAULT_MODELS, startSandbox, type Sandbox } from '../../../sandbox';
import { createHarness, singleNodeWorkflow, type WorkflowRunResult } from '../../../harness/workflow';

const TYPE = 'n8n-nodes-deerapi-relay.deerApiListModels';
const NODE = 'deerApiListModels';

describe('DeerAPI List Models node (n8n workflow against the sandbox)', () => {
	let sandbox: Sandbox;
	const harness = createHarness({ nodeTypes: { [TYPE]: new DeerApiListModels() }, credentialTypes: [new DeerApiRelayApi()] });
	const credential = (apiKey = sandbox.apiKey) => ({ apiKey, baseUrl: sandbox.url, authFormat: 'bearer' });
	const modelRequests = () => sandbox.requests.filter((r) => r.path === '/v1/models');

	async function run(
		parameters: Record<string, unknown>,
		options: { input?: INodeExecutionData[]; continueOnFail?: boolean; apiKey?: string } = {},
	): Promise<WorkflowRunResult> {
		return await harness.run(singleNodeWorkflow({ type: TYPE, parameters, continueOnFail: options.continueOnFail }), {
			credentials: { deerApiRelayApi: credential(options.apiKey) },
			input: options.input,
		});
	}
	const ids = (result: WorkflowRunResult) => result.json(NODE).map((json) => json.id);
	const nodeError = (result: WorkflowRunResult) => result.nodes[NODE].error as NodeApiError | NodeOperationError;

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.close());
	beforeEach(() => {
		sandbox.clearRequests();
		sandbox.clearFaults();
		sandbox.setModels([...DEFAULT_MODELS]);
	});

	describe('the request and the items', () => {
		it('sends one GET /v1/models with the key and emits one item per model: id, ownedBy, created, type, raw', async () => {
			const result = await run({ returnAll: true });
			expect(result.status).toBe('success');
			expect(modelRequests()).toHaveLength(1);
			const request = modelRequests()[0];
			expect(request.method).toBe('GET');
			expect(request.headers.authorization).toBe(`Bearer ${sandbox.apiKey}`);

			const items = result.output(NODE);
			expect(items).toHaveLength(DEFAULT_MODELS.length);
			const gpt4o = items.find((item) => item.json.id === 'gpt-4o');
			expect(gpt4o).toEqual({
				json: {
					id: 'gpt-4o',
					ownedBy: 'openai',
					created: '2024-05-10T18:50:49.000Z',
					type: 'chat',
					raw: {
						id: 'gpt-4o',
						object: 'model',
						owned_by: 'openai',
						created: 1715367049,
						supported_endpoint_types: ['openai'],
					},
				},
				pairedItem: { item: 0 },
			});
		});

		it('gives created as null when the relay sends 0 or nothing, and reads milliseconds as such', async () => {
			sandbox.setModels([
				{ id: 'zero', owned_by: 'custom', created: 0 },
				{ id: 'missing', owned_by: '' },
				{ id: 'millis', owned_by: 'custom', created: 1715367049000 },
			]);
			const json = (await run({ returnAll: true })).json(NODE);
			expect(json.map(({ id, created, ownedBy }) => ({ id, created, ownedBy }))).toEqual([
				{ id: 'millis', created: '2024-05-10T18:50:49.000Z', ownedBy: 'custom' },
				{ id: 'missing', created: null, ownedBy: null },
				{ id: 'zero', created: null, ownedBy: 'custom' },
			]);
		});

		it('classifies every model, from supported_endpoint_types or, without them, from the id', async () => {
			const json = (await run({ returnAll: true })).json(NODE);
			const typeOf = (id: string) => json.find((model) => model.id === id)?.type;
			// With endpoint types.
			expect(typeOf('gpt-image-1')).toBe('image');
			expect(typeOf('text-embedding-3-small')).toBe('embedding');
			expect(typeOf('jina-reranker-v2-base-multilingual')).toBe('other');
			expect(typeOf('gpt-4o-image')).toBe('image'); // ["openai"], answers in chat form
			expect(typeOf('claude-sonnet-4-20250514')).toBe('chat');
			// Without.
			expect(typeOf('gpt-5-mini')).toBe('chat');
			expect(typeOf('dall-e-2')).toBe('image');
			expect(typeOf('mj_imagine')).toBe('image');
			expect(typeOf('text-embedding-ada-002')).toBe('embedding');
			expect(typeOf('omni-moderation-latest')).toBe('moderation');
			expect(typeOf('gpt-4o-mini-tts')).toBe('audio');
			expect(typeOf('suno_music')).toBe('audio');
			expect(typeOf('kling-v1')).toBe('video');
			expect(typeOf('veo3-fast')).toBe('video');
			expect(typeOf('veo3-chat')).toBe('video'); // ["openai"], answers in chat form
			expect(typeOf('llama-3.3-70b-instruct')).toBe('chat');
			const counts: Record<string, number> = {};
			for (const model of json) counts[model.type as string] = (counts[model.type as string] ?? 0) + 1;
			expect(counts).toEqual({ chat: 33, image: 18, embedding: 3, audio: 7, video: 6, moderation: 1, other: 1 });
		});

		it('emits each id once when the relay lists it twice', async () => {
			sandbox.setModels([
				{ id: 'gpt-4o', owned_by: 'channel-a' },
				{ id: 'gpt-4o', owned_by: 'channel-b' },
			]);
			expect((await run({ returnAll: true })).json(NODE)).toMatchObject([{ id: 'gpt-4o', ownedBy: 'channel-a' }]);
		});

		it('emits no items for an empty list, and {count: 0, models: []} as a single item', async () => {
			sandbox.setModels([]);
			const perModel = await run({ returnAll: true });
			expect(perModel.status).toBe('success');
			expect(perModel.output(NODE)).toEqual([]);
			const single = await run({ returnAll: true, options: { output: 'singleItem' } });
			expect(single.output(NODE)).toEqual([{ json: { count: 0, models: [] }, pairedItem: { item: 0 } }]);
		});
	});

	describe('filters', () => {
		it('keeps ids containing the search text, ignoring case', async () => {
			const result = await run({ returnAll: true, filters: { search: 'SeeDream' } });
			expect(ids(result)).toEqual([
				'doubao-seedream-3-0-t2i-250415',
				'doubao-seedream-4-0-250828',
				'doubao-seedream-4-5-251128',
			]);
		});

		it('takes the search text literally in Contains mode', async () => {
			sandbox.setModels([
				{ id: 'flux-1.1-pro', owned_by: 'x' },
				{ id: 'flux-101-pro', owned_by: 'x' },
			]);
			expect(ids(await run({ returnAll: true, filters: { search: '1.1' } }))).toEqual(['flux-1.1-pro']);
		});

		it('matches a regular expression, ignoring case, or with the flags of /pattern/flags', async () => {
			const regex = (search: string) => run({ returnAll: true, filters: { search, searchMode: 'regex' } });
			expect(ids(await regex('^(O\\d|gpt-5)'))).toEqual(['gpt-5', 'gpt-5-mini', 'o3-mini', 'o4-mini']);
			expect(ids(await regex('/^GPT-4O$/'))).toEqual([]);
			expect(ids(await regex('/^GPT-4O$/i'))).toEqual(['gpt-4o']);
			// "g" would make every second test of the same pattern fail; it is ignored.
			expect(ids(await regex('/^tts/g'))).toEqual(['tts-1', 'tts-1-hd']);
		});

		it('rejects an invalid regular expression with an error naming the field, before any request', async () => {
			const result = await run({ returnAll: true, filters: { search: 'gpt-(4', searchMode: 'regex' } });
			expect(result.status).toBe('error');
			const error = nodeError(result);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toBe(
				'Search: not a valid regular expression (Invalid regular expression: /gpt-(4/i: Unterminated group)',
			);
			expect(error.description).toContain('Search Mode');
			expect(error.context.itemIndex).toBe(0);
			expect(modelRequests()).toHaveLength(0);
		});

		it('keeps only the chosen types', async () => {
			const json = (await run({ returnAll: true, filters: { types: ['video', 'audio'] } })).json(NODE);
			expect(json.map((model) => `${model.type}:${model.id}`)).toEqual([
				'audio:gpt-4o-mini-tts',
				'audio:gpt-4o-transcribe',
				'video:kling-v1',
				'video:kling-v2-1-master',
				'video:sora-2',
				'audio:suno_music',
				'audio:suno-v4.5',
				'audio:tts-1',
				'audio:tts-1-hd',
				'video:veo3',
				'video:veo3-chat',
				'video:veo3-fast',
				'audio:whisper-1',
			]);
		});

		it('combines search and types', async () => {
			const result = await run({ returnAll: true, filters: { search: 'gemini', types: ['image'] } });
			expect(ids(result)).toEqual(['gemini-2.5-flash-image', 'gemini-2.5-flash-image-preview']);
		});

		it('accepts types from an expression as a comma-separated list, and names a wrong one', async () => {
			const ok = await run({ returnAll: true, filters: { types: '={{ "Moderation, other" }}' } });
			expect(ids(ok)).toEqual(['jina-reranker-v2-base-multilingual', 'omni-moderation-latest']);
			const bad = await run({ returnAll: true, filters: { types: '={{ ["image", "music"] }}' } });
			expect(nodeError(bad).message).toBe(
				'Types: "music" is not one of chat, image, embedding, audio, video, moderation, other',
			);
			expect(modelRequests()).toHaveLength(1);
		});
	});

	describe('sort and limit', () => {
		it('sorts by id by default, and returns 50 unless Return All', async () => {
			const result = await run({});
			const list = ids(result);
			expect(list).toHaveLength(50);
			expect(list.slice(0, 5)).toEqual([
				'chatgpt-4o-latest',
				'claude-3-5-sonnet-20241022',
				'claude-3-7-sonnet-20250219',
				'claude-opus-4-1-20250805',
				'claude-sonnet-4-20250514',
			]);
		});

		it('sorts newest first, models without a date last', async () => {
			const json = (await run({ returnAll: true, options: { sort: 'created' } })).json(NODE);
			expect(json.slice(0, 3).map((m) => m.id)).toEqual([
				'doubao-seedream-4-5-251128',
				'gpt-image-1-mini',
				'sora-2',
			]);
			const dates = json.map((m) => m.created).filter((c): c is string => c !== null);
			expect(dates).toEqual([...dates].sort().reverse());
			expect(json.slice(-8).every((m) => m.created === null)).toBe(true);
			expect(json.slice(-8).map((m) => m.id)).toEqual([
				'flux-schnell',
				'gemini-2.5-flash-lite',
				'llama-3.3-70b-instruct',
				'mj_imagine',
				'mj_variation',
				'suno_music',
				'suno-v4.5',
				'veo3-fast',
			]);
		});

		it('sorts by owner, then id', async () => {
			sandbox.setModels([
				{ id: 'b-model', owned_by: 'zhipu' },
				{ id: 'a-model', owned_by: 'zhipu' },
				{ id: 'c-model', owned_by: 'Anthropic' },
				{ id: 'd-model', owned_by: '' },
				{ id: 'e-model', owned_by: 'openai' },
			]);
			const json = (await run({ returnAll: true, options: { sort: 'owner' } })).json(NODE);
			expect(json.map((m) => `${m.ownedBy}/${m.id}`)).toEqual([
				'Anthropic/c-model',
				'openai/e-model',
				'zhipu/a-model',
				'zhipu/b-model',
				'null/d-model',
			]);
		});

		it('limits after filtering and sorting', async () => {
			const result = await run({ returnAll: false, limit: 3, filters: { search: 'claude' }, options: { sort: 'created' } });
			expect(ids(result)).toEqual([
				'claude-opus-4-1-20250805',
				'claude-sonnet-4-20250514',
				'claude-sonnet-4-20250514-thinking',
			]);
		});

		it('names a limit that is not a whole number of 1 or more', async () => {
			const result = await run({ returnAll: false, limit: '={{ 0 }}' });
			expect(nodeError(result).message).toBe('Limit: must be a whole number of 1 or more, got 0');
			expect(nodeError(result).context.itemIndex).toBe(0);
		});
	});

	describe('single item output', () => {
		it('emits {count, models} with the same model objects, after filters and limit', async () => {
			const result = await run({
				returnAll: false,
				limit: 2,
				filters: { search: 'dall-e' },
				options: { output: 'singleItem' },
			});
			const items = result.output(NODE);
			expect(items).toHaveLength(1);
			expect(items[0].pairedItem).toEqual({ item: 0 });
			const { count, models } = items[0].json as { count: number; models: IDataObject[] };
			expect(count).toBe(2);
			expect(models.map((m) => m.id)).toEqual(['dall-e-2', 'dall-e-3']);
			expect(models[1]).toEqual({
				id: 'dall-e-3',
				ownedBy: 'openai',
				created: '2023-10-31T20:46:29.000Z',
				type: 'image',
				raw: {
					id: 'dall-e-3',
					object: 'model',
					owned_by: 'openai',
					created: 1698785189,
					supported_endpoint_types: ['image-generation'],
				},
			});
		});
	});

	describe('several input items', () => {
		const input = [{ json: { q: 'claude-opus' } }, { json: { q: 'deepseek-r' } }, { json: { q: 'grok' } }];

		it('makes one request for three items, filters each by its own expression, pairs outputs to inputs', async () => {
			const result = await run({ returnAll: true, filters: { search: '={{ $json.q }}' } }, { input });
			expect(modelRequests()).toHaveLength(1);
			const items = result.output(NODE);
			expect(items.map((item) => [item.json.id, item.pairedItem])).toEqual([
				['claude-opus-4-1-20250805', { item: 0 }],
				['deepseek-r1', { item: 1 }],
				['deepseek-reasoner', { item: 1 }],
				['grok-4', { item: 2 }],
			]);
		});

		it('gives each input item its own single item', async () => {
			const result = await run({ returnAll: true, filters: { search: '={{ $json.q }}' }, options: { output: 'singleItem' } }, { input });
			expect(result.output(NODE).map((item) => [item.json.count, item.pairedItem])).toEqual([
				[1, { item: 0 }],
				[2, { item: 1 }],
				[1, { item: 2 }],
			]);
			expect(modelRequests()).toHaveLength(1);
		});

		it('fetches once per distinct credential when the key comes from the item', async () => {
			const keyed = [
				{ json: { key: sandbox.apiKey } },
				{ json: { key: 'sk-other-key-000111' } },
				{ json: { key: sandbox.apiKey } },
			];
			const result = await harness.run(
				singleNodeWorkflow({ type: TYPE, parameters: { returnAll: false, limit: 1 }, continueOnFail: true }),
				{ credentials: { deerApiRelayApi: { ...credential(), apiKey: '={{ $json.key }}' } }, input: keyed },
			);
			expect(modelRequests().map((r) => r.headers.authorization)).toEqual([
				`Bearer ${sandbox.apiKey}`,
				'Bearer sk-other-key-000111',
			]);
			expect(result.output(NODE).map((item) => [item.json.id ?? item.json.error, item.pairedItem])).toEqual([
				['chatgpt-4o-latest', { item: 0 }],
				[expect.stringContaining('无效的令牌'), { item: 1 }],
				['chatgpt-4o-latest', { item: 2 }],
			]);
		});

		it('under Continue On Fail turns a bad item into an error item and goes on', async () => {
			const result = await run(
				{ returnAll: true, filters: { search: '={{ $json.q }}', searchMode: 'regex' } },
				{ input: [{ json: { q: '^grok' } }, { json: { q: '[' } }, { json: { q: 'r1$' } }], continueOnFail: true },
			);
			expect(result.output(NODE).map((item) => [item.json.id ?? item.json.error, item.pairedItem])).toEqual([
				['grok-4', { item: 0 }],
				[expect.stringMatching(/^Search: not a valid regular expression \(Invalid regular expression: \/\[\/i: /), { item: 1 }],
				['deepseek-r1', { item: 2 }],
			]);
			expect(modelRequests()).toHaveLength(1);
		});
	});

	describe('relay errors', () => {
		const wrongKey = 'sk-not-the-right-key-42';

		it('fails with the relay message, the status and a hint on a 401, and never shows the key', async () => {
			const result = await run({ returnAll: true }, { apiKey: wrongKey });
			expect(result.status).toBe('error');
			const error = nodeError(result);
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error.message).toMatch(/^401 Unauthorized: 无效的令牌 \(request id: \w+\)$/);
			expect((error as NodeApiError).httpCode).toBe('401');
			expect(error.description).toContain('Check the API key in the DeerAPI credential');
			expect(error.context.itemIndex).toBe(0);
			const visible = JSON.stringify([error.message, error.description, error, result.raw.data.resultData]);
			expect(visible).not.toContain(wrongKey);
			expect(result.logText()).not.toContain(wrongKey);
		});

		it('under Continue On Fail gives every item the error, from one request', async () => {
			const result = await run(
				{ returnAll: true },
				{ apiKey: wrongKey, continueOnFail: true, input: [{ json: {} }, { json: {} }] },
			);
			const items = result.output(NODE);
			expect(items).toHaveLength(2);
			for (const [index, item] of items.entries()) {
				expect(item.pairedItem).toEqual({ item: index });
				expect(item.json.error).toMatch(/无效的令牌/);
				expect(item.json.httpCode).toBe('401');
			}
			expect(modelRequests()).toHaveLength(1);
			expect(JSON.stringify(items)).not.toContain(wrongKey);
		});

		it('retries a 503 as told (Max Retries), and gives up with the status when told not to', async () => {
			sandbox.fault({ path: '/v1/models', status: 503, headers: { 'retry-after-ms': '10' }, times: 1 });
			const retried = await run({ returnAll: false, limit: 1 });
			expect(ids(retried)).toEqual(['chatgpt-4o-latest']);
			expect(modelRequests()).toHaveLength(2);

			sandbox.clearRequests();
			sandbox.fault({ path: '/v1/models', status: 503, times: 1 });
			const failed = await run({ returnAll: true, options: { maxRetries: 0 } });
			expect((nodeError(failed) as NodeApiError).httpCode).toBe('503');
			expect(modelRequests()).toHaveLength(1);
		});

		it('says so when the base URL is not an OpenAI-compatible API', async () => {
			sandbox.fault({ path: '/v1/models', status: 200, body: { hello: 'world' } });
			const result = await run({ returnAll: true });
			expect(nodeError(result).message).toContain('no "data" array');
		});
	});

	describe('package files', () => {
		const folder = path.join(__dirname, '../../../nodes/DeerApiListModels');
		const { description } = new DeerApiListModels();

		it('is usable as a tool, with light and dark icons and a codex file that names the node', () => {
			expect(description.usableAsTool).toBe(true);
			expect(description.icon).toEqual({ light: 'file:deerapi.svg', dark: 'file:deerapi.dark.svg' });
			expect(existsSync(path.join(folder, 'deerapi.svg'))).toBe(true);
			expect(existsSync(path.join(folder, 'deerapi.dark.svg'))).toBe(true);
			const codex = JSON.parse(readFileSync(path.join(folder, 'DeerApiListModels.node.json'), 'utf8'));
			expect(codex.node).toBe(`n8n-nodes-deerapi-relay.${description.name}`);
			expect(description.name).toBe('deerApiListModels');
			expect(description.credentials).toEqual([{ name: 'deerApiRelayApi', required: true, testedBy: 'deerApiCredentialTest' }]);
		});

		it('tests the credential through the node (the relay message on failure)', async () => {
			const ok = await harness.testCredential('deerApiRelayApi', credential());
			expect(ok.status).toBe('OK');
			const bad = await harness.testCredential('deerApiRelayApi', credential(wrongKeyForTest));
			expect(bad.status).toBe('Error');
			expect(bad.message).toContain('无效的令牌');
		});
	});
});

const wrongKeyForTest = 'sk-credential-test-wrong';
