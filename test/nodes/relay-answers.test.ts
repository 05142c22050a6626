/**
 * The odd answers real relays (one-api / new-api and the proxies in front of them) send, each
 * made by a sandbox fault, through every node and n8n surface that can meet it: Chat with Stream
 * on and off, Image Generate in both modes, List Models, the model picker and the credential test.
 * Each test asserts the message the user reads.
 */
import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';

import { DeerApiRelayApi } from '../../credentials/DeerApiRelayApi.credentials';
import { DeerApiChat } from '../../nodes/DeerApiChat/DeerApiChat.node';
import { DeerApiImageGenerate } from '../../nodes/DeerApiImageGenerate/DeerApiImageGenerate.node';
import { DeerApiListModels } from '../../nodes/DeerApiListModels/DeerApiListModels.node';
import { clearModelListCache } from '../../nodes/shared/n8n/model-search';
import type { Fault } from '../../sandbox';
import { openPicker } from '../n8n/picker-context';
import { createHarness, singleNodeWorkflow, type WorkflowRunResult } from '../../harness/workflow';
import { useSandbox } from './image-generate/helpers';

const CHAT = '/v1/chat/completions';
const IMAGES = '/v1/images/generations';
const MODELS = '/v1/models';

const TYPES = {
	chat: 'n8n-nodes-deerapi-relay.deerApiChat',
	image: 'n8n-nodes-deerapi-relay.deerApiImageGenerate',
	list: 'n8n-nodes-deerapi-relay.deerApiListModels',
};

const harness = createHarness({
	nodeTypes: { [TYPES.chat]: new DeerApiChat(), [TYPES.image]: new DeerApiImageGenerate(), [TYPES.list]: new DeerApiListModels() },
	credentialTypes: [new DeerApiRelayApi()],
});

const ctx = useSandbox();
beforeEach(() => clearModelListCache());

const credential = () => ({ apiKey: ctx.sandbox.apiKey, baseUrl: ctx.sandbox.url, authFormat: 'bearer' });
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

/** What the user sees: the error of the node (or picker, or credential test), or the items of a success. */
interface Seen {
	/** 'NodeApiError' | 'NodeOperationError' for nodes and pickers; 'credential test' for the dialog. */
	shownAs: string;
	message: string;
	description?: string;
	httpCode?: string | null;
	itemIndex?: number;
	items?: IDataObject[];
	result?: WorkflowRunResult;
}

interface Surface {
	name: string;
	/** The endpoint it calls, where the fault goes. */
	path: string;
	run(): Promise<Seen>;
}

async function runNode(type: string, parameters: IDataObject): Promise<Seen> {
	const name = 'Node';
	const result = await harness.run(singleNodeWorkflow({ type, name, parameters }), {
		credentials: { deerApiRelayApi: credential() },
	});
	const error = result.nodes[name]?.error as (NodeApiError | NodeOperationError) | undefined;
	if (!error) return { shownAs: 'success', message: '', items: result.json(name), result };
	return {
		shownAs: error.constructor.name,
		message: error.message,
		description: error.description ?? undefined,
		httpCode: (error as NodeApiError).httpCode,
		itemIndex: error.context?.itemIndex as number | undefined,
		result,
	};
}

const chatParameters = (stream: boolean) => ({
	model: byId('gpt-4o'),
	messages: { values: [{ role: 'user', content: 'hi' }] },
	options: { maxRetries: 0, ...(stream ? {} : { stream: false }) },
});

const CHAT_ON: Surface = { name: 'Chat, Stream on', path: CHAT, run: async () => await runNode(TYPES.chat, chatParameters(true)) };
const CHAT_OFF: Surface = { name: 'Chat, Stream off', path: CHAT, run: async () => await runNode(TYPES.chat, chatParameters(false)) };
const IMAGES_API: Surface = {
	name: 'Image Generate, Images API',
	path: IMAGES,
	run: async () => await runNode(TYPES.image, { model: byId('gpt-image-1'), prompt: 'a deer', options: { maxRetries: 0 } }),
};
const IMAGE_CHAT: Surface = {
	name: 'Image Generate, chat mode',
	path: CHAT,
	run: async () => await runNode(TYPES.image, { mode: 'chat', model: byId('gpt-4o-image'), prompt: 'a deer', options: { maxRetries: 0 } }),
};
const LIST_MODELS: Surface = {
	name: 'List Models',
	path: MODELS,
	run: async () => await runNode(TYPES.list, { returnAll: true, options: { maxRetries: 0 } }),
};
const PICKER: Surface = {
	name: 'model picker',
	path: MODELS,
	run: async () => {
		try {
			await openPicker('searchModels', credential()).ids();
			return { shownAs: 'success', message: '' };
		} catch (caught) {
			const error = caught as NodeApiError;
			return {
				shownAs: error.constructor.name,
				message: error.message,
				description: error.description ?? undefined,
				httpCode: error.httpCode,
				itemIndex: error.context?.itemIndex as number | undefined,
			};
		}
	},
};
const CREDENTIAL_TEST: Surface = {
	name: 'credential test',
	path: MODELS,
	run: async () => {
		const answer = await harness.testCredential('deerApiRelayApi', credential());
		return { shownAs: answer.status === 'OK' ? 'success' : 'credential test', message: answer.message };
	},
};

const EVERY_SURFACE = [CHAT_ON, CHAT_OFF, IMAGES_API, IMAGE_CHAT, LIST_MODELS, PICKER, CREDENTIAL_TEST];
const eachSurface = (surfaces: Surface[]) => surfaces.map((surface) => [surface.name, surface] as const);

/** A node or picker error as the issue asks: NodeApiError with the status, the item index, the request id. */
function expectApiError(seen: Seen, status: number): void {
	if (seen.shownAs === 'credential test') return;
	expect(seen.shownAs).toBe('NodeApiError');
	expect(seen.httpCode).toBe(String(status));
	expect(seen.itemIndex).toBe(0);
	expect(seen.description).toMatch(/Request ID: \w+/);
}

const NO_ARRAY: Record<string, string> = {
	[CHAT]: 'The chat answer has no "choices" array: it sent {}',
	[IMAGES]: 'The image answer has no "data" array: it sent {}',
	[MODELS]: 'The model list has no "data" array (is the base URL an OpenAI-compatible API?): it sent {}',
};

describe('a 200 JSON body without the expected array', () => {
	it.each(eachSurface(EVERY_SURFACE))('%s: {} is an error that says what is missing and quotes the body', async (_name, surface) => {
		ctx.sandbox.fault({ path: surface.path, status: 200, body: {} });
		const seen = await surface.run();
		expect(seen.message).toBe(NO_ARRAY[surface.path]);
		expectApiError(seen, 200);
	});

	it.each(eachSurface(EVERY_SURFACE))('%s: new-api\'s {"success": false, "message"} is the relay\'s error text', async (_name, surface) => {
		ctx.sandbox.fault({ path: surface.path, status: 200, body: { success: false, message: '该令牌已过期 token expired' } });
		const seen = await surface.run();
		expect(seen.message).toBe('The relay answered 200 with an error: 该令牌已过期 token expired');
		expectApiError(seen, 200);
	});

	it.each(eachSurface([CHAT_ON, IMAGES_API, LIST_MODELS]))('%s: a bare top-level "message" counts too', async (_name, surface) => {
		ctx.sandbox.fault({ path: surface.path, status: 200, body: { message: 'no channel for this group' } });
		const seen = await surface.run();
		expect(seen.message).toBe('The relay answered 200 with an error: no channel for this group');
	});
});

describe('a JSON error body sent as text/event-stream', () => {
	const fault = (path: string): Fault => ({
		path,
		status: 200,
		body: { error: { message: '当前分组上游负载已饱和，请稍后再试', type: 'upstream_error', code: 'overloaded' } },
		headers: { 'content-type': 'text/event-stream' },
	});

	it.each(eachSurface(EVERY_SURFACE))('%s: the relay\'s message, not "the stream ended"', async (_name, surface) => {
		ctx.sandbox.fault(fault(surface.path));
		const seen = await surface.run();
		expect(seen.message).toBe('The relay answered 200 with an error: 当前分组上游负载已饱和，请稍后再试');
		expectApiError(seen, 200);
		if (seen.shownAs !== 'credential test') expect(seen.description).toContain('Relay code: overloaded.');
	});
});

describe('a real event stream labelled text/plain or octet-stream by a proxy', () => {
	it.each(['text/plain; charset=utf-8', 'application/octet-stream'])('Chat, Stream on: the answer as usual (%s)', async (label) => {
		ctx.sandbox.fault({ path: CHAT, headers: { 'content-type': label } });
		const seen = await CHAT_ON.run();
		expect(seen.shownAs).toBe('success');
		expect(seen.items![0].content).toBe('Sandbox reply to: hi');
	});

	it('Image Generate, chat mode: the image as usual', async () => {
		ctx.sandbox.fault({ path: CHAT, headers: { 'content-type': 'text/plain' } });
		const seen = await IMAGE_CHAT.run();
		expect(seen.shownAs).toBe('success');
		expect(seen.items).toHaveLength(1);
		expect(seen.items![0].mimeType).toMatch(/^image\//);
	});
});

describe('an answer with no choice at all', () => {
	it('Chat, Stream on: only a usage chunk, then [DONE], is an error quoting it', async () => {
		ctx.sandbox.fault({ path: CHAT, noChoices: true });
		const seen = await CHAT_ON.run();
		expect(seen.message).toMatch(/^The relay sent no answer \(no choices\); it sent: \{.*"choices":\[\],"usage":\{"prompt_tokens":\d+/);
		expectApiError(seen, 200);
	});

	it('Chat, Stream off: choices: [] is an error quoting the body', async () => {
		ctx.sandbox.fault({ path: CHAT, noChoices: true });
		const seen = await CHAT_OFF.run();
		expect(seen.message).toMatch(/^The relay sent no answer \(no choices\); it sent: \{"id":"chatcmpl-\w+","object":"chat.completion",.*"choices":\[\]/);
		expectApiError(seen, 200);
	});

	it('Image Generate, chat mode: a stream of only [DONE] is an error, not "answered without an image link"', async () => {
		ctx.sandbox.fault({ path: CHAT, noChoices: true });
		const seen = await IMAGE_CHAT.run();
		expect(seen.message).toBe('The relay sent no answer (no choices); it sent: only [DONE]');
		expectApiError(seen, 200);
	});
});

describe('a redirect on the API', () => {
	const ENDPOINT: Record<string, string> = { [CHAT]: 'chat/completions', [IMAGES]: 'images/generations', [MODELS]: 'models' };

	it.each(eachSurface(EVERY_SURFACE))('%s: says where it points and what the Base URL should be; not followed, said once', async (_name, surface) => {
		const target = `https://relay.example/v1/${ENDPOINT[surface.path]}`;
		ctx.sandbox.fault({ path: surface.path, redirectTo: target });
		const seen = await surface.run();
		expect(seen.message).toBe(`The relay answered 301 Moved Permanently: it redirects to ${target}. Set the Base URL to https://relay.example/v1`);
		expectApiError(seen, 301);
		if (seen.shownAs !== 'credential test') expect(seen.description).toContain('change the Base URL in the DeerAPI credential');
		expect(ctx.sandbox.requests.filter((request) => request.path === surface.path)).toHaveLength(1);
	});

	it('308 to another host with a path prefix: that prefix is the Base URL', async () => {
		ctx.sandbox.fault({ path: MODELS, redirectTo: 'https://other.example/openai/v1/models', status: 308 });
		const seen = await LIST_MODELS.run();
		expect(seen.message).toBe(
			'The relay answered 308 Permanent Redirect: it redirects to https://other.example/openai/v1/models. Set the Base URL to https://other.example/openai/v1',
		);
	});

	it('image downloads still follow redirects, without the key', async () => {
		const link = `${ctx.sandbox.url}/files/redirect?to=${encodeURIComponent('/files/sample.png')}`;
		ctx.sandbox.fault({
			path: CHAT,
			status: 200,
			body: {
				object: 'chat.completion',
				choices: [{ index: 0, message: { role: 'assistant', content: `![deer](${link})` }, finish_reason: 'stop' }],
			},
		});
		const seen = await runNode(TYPES.chat, {
			model: byId('gpt-4o-image'),
			messages: { values: [{ role: 'user', content: 'a deer' }] },
			options: { stream: false },
		});
		expect(seen.shownAs).toBe('success');
		expect(await seen.result!.binary('Node', 0, 'image_0')).toEqual(expect.any(Buffer));
		const downloads = ctx.sandbox.requests.filter((request) => request.path.startsWith('/files/'));
		expect(downloads.map((request) => request.path)).toEqual(['/files/redirect', '/files/sample.png']);
		for (const request of downloads) expect(request.headers.authorization).toBeUndefined();
	});
});
