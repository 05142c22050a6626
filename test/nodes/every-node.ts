/**
 * Every DeerAPI node, the Chat Model and the Model Probe that stands in for an Agent, in one
 * harness against one sandbox: for the tests that take one kind of relay answer through every
 * surface (key echoes, hints, streaming callers).
 */
import { DeerApiRelayApi } from '../../credentials/DeerApiRelayApi.credentials';
import { DeerApiAudio } from '../../nodes/DeerApiAudio/DeerApiAudio.node';
import { DeerApiChat } from '../../nodes/DeerApiChat/DeerApiChat.node';
import { DeerApiChatModel } from '../../nodes/DeerApiChatModel/DeerApiChatModel.node';
import { DeerApiEmbeddings } from '../../nodes/DeerApiEmbeddings/DeerApiEmbeddings.node';
import { DeerApiImageEdit } from '../../nodes/DeerApiImageEdit/DeerApiImageEdit.node';
import { DeerApiImageGenerate } from '../../nodes/DeerApiImageGenerate/DeerApiImageGenerate.node';
import { DeerApiListModels } from '../../nodes/DeerApiListModels/DeerApiListModels.node';
import { clearModelListCache } from '../../nodes/shared/n8n/model-search';
import { startSandbox, type Sandbox } from '../../sandbox';
import { createHarness } from '../../harness/workflow';
import { CHAT_MODEL_TYPE, MODEL_PROBE_TYPE, ModelProbe } from './chat-model/model-probe';

/** Every DeerAPI node's type name, by a short name. */
export const NODE_TYPES = {
	chat: 'n8n-nodes-deerapi-relay.deerApiChat',
	image: 'n8n-nodes-deerapi-relay.deerApiImageGenerate',
	edit: 'n8n-nodes-deerapi-relay.deerApiImageEdit',
	embeddings: 'n8n-nodes-deerapi-relay.deerApiEmbeddings',
	audio: 'n8n-nodes-deerapi-relay.deerApiAudio',
	list: 'n8n-nodes-deerapi-relay.deerApiListModels',
};

/** A sandbox for the test file (fresh requests, faults and model-list cache per test), the harness, and a credential for it. */
export function useEveryNode(options: { apiKey?: string } = {}) {
	const ctx = {} as { sandbox: Sandbox };
	beforeAll(async () => {
		ctx.sandbox = await startSandbox({ apiKey: options.apiKey });
	});
	afterAll(async () => {
		await ctx.sandbox.close();
	});
	beforeEach(() => {
		ctx.sandbox.clearRequests();
		ctx.sandbox.clearFaults();
		clearModelListCache();
	});
	const harness = createHarness({
		nodeTypes: {
			[NODE_TYPES.chat]: new DeerApiChat(),
			[NODE_TYPES.image]: new DeerApiImageGenerate(),
			[NODE_TYPES.edit]: new DeerApiImageEdit(),
			[NODE_TYPES.embeddings]: new DeerApiEmbeddings(),
			[NODE_TYPES.audio]: new DeerApiAudio(),
			[NODE_TYPES.list]: new DeerApiListModels(),
			[CHAT_MODEL_TYPE]: new DeerApiChatModel(),
			[MODEL_PROBE_TYPE]: new ModelProbe(),
		},
		credentialTypes: [new DeerApiRelayApi()],
	});
	const credential = (apiKey = ctx.sandbox.apiKey) => ({ apiKey, baseUrl: ctx.sandbox.url, authFormat: 'bearer' });
	return { ctx, harness, credential };
}
