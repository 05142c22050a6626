/**
 * Streaming into a webhook's response in real n8n (a Webhook answering "Streaming"): the node on
 * the main path passes its text on as it arrives; the same node as an AI Agent's tool does not
 * (only the Agent talks to the caller); when the relay rejects a call, the caller reads the
 * relay's reason in n8n's error chunk. n8n writes one JSON chunk per line:
 * `{"type":"begin"|"item"|"end"|"error","content"?,"metadata":{"nodeName",...}}`.
 */
import { randomUUID } from 'node:crypto';

import type { Sandbox } from '../sandbox';
import type { N8nInstance } from './n8n';
import type { Report } from './report';

export const MAIN_PATH_STREAM_WORKFLOW_ID = 'e2eChatStreaming';
export const TOOL_STREAM_WORKFLOW_ID = 'e2eAgentToolStrm';

const CREDENTIALS = { deerApiRelayApi: { id: 'dEeRaPiExAmPlE01', name: 'DeerAPI account' } };
const MODEL = { __rl: true, mode: 'list', value: 'gpt-4o-mini', cachedResultName: 'gpt-4o-mini' };
const CHAT_NODE = 'DeerAPI Chat';
const TOOL_NODE = 'Ask DeerAPI Chat';
const AGENT_NODE = 'AI Agent';

interface StreamChunk {
	type: string;
	content?: string;
	metadata?: { nodeName?: string };
}

function webhookPath(id: string): string {
	return `e2e-stream-${id.toLowerCase()}`;
}

function streamingWebhook(id: string) {
	return {
		id: randomUUID(),
		name: 'Question',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		position: [0, 0],
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path: webhookPath(id), responseMode: 'streaming', options: {} },
	};
}

/** Webhook (Streaming) → DeerAPI Chat on the main path. */
function mainPathWorkflow(): Record<string, unknown> {
	const id = MAIN_PATH_STREAM_WORKFLOW_ID;
	return {
		id,
		name: 'e2e: DeerAPI Chat streams into the webhook response',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			streamingWebhook(id),
			{
				id: randomUUID(),
				name: CHAT_NODE,
				type: 'n8n-nodes-deerapi-relay.deerApiChat',
				typeVersion: 1,
				position: [220, 0],
				parameters: { model: MODEL, messages: { values: [{ content: '={{ $json.body.question }}' }] }, options: {} },
				credentials: CREDENTIALS,
			},
		],
		connections: { Question: { main: [[{ node: CHAT_NODE, type: 'main', index: 0 }]] } },
	};
}

/** Webhook (Streaming) → AI Agent with the DeerAPI Chat Model and DeerAPI Chat as its tool. */
function toolWorkflow(): Record<string, unknown> {
	const id = TOOL_STREAM_WORKFLOW_ID;
	return {
		id,
		name: 'e2e: DeerAPI Chat as a tool does not stream',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			streamingWebhook(id),
			{
				id: randomUUID(),
				name: AGENT_NODE,
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: 3,
				position: [220, 0],
				parameters: { promptType: 'define', text: '={{ $json.body.question }}', options: {} },
			},
			{
				id: randomUUID(),
				name: 'DeerAPI Chat Model',
				type: 'n8n-nodes-deerapi-relay.deerApiChatModel',
				typeVersion: 1,
				position: [160, 220],
				parameters: { model: MODEL, options: {} },
				credentials: CREDENTIALS,
			},
			{
				id: randomUUID(),
				name: TOOL_NODE,
				type: 'n8n-nodes-deerapi-relay.deerApiChatTool',
				typeVersion: 1,
				position: [380, 220],
				parameters: {
					model: MODEL,
					messages: { values: [{ content: "={{ $fromAI('question', 'The question to pass on', 'string') }}" }] },
					options: {},
				},
				credentials: CREDENTIALS,
			},
		],
		connections: {
			Question: { main: [[{ node: AGENT_NODE, type: 'main', index: 0 }]] },
			'DeerAPI Chat Model': { ai_languageModel: [[{ node: AGENT_NODE, type: 'ai_languageModel', index: 0 }]] },
			[TOOL_NODE]: { ai_tool: [[{ node: AGENT_NODE, type: 'ai_tool', index: 0 }]] },
		},
	};
}

/** The workflows to import: the tool one only where n8n has the AI node SDK our model needs. */
export function streamingWorkflows(withAgent: boolean): Array<Record<string, unknown>> {
	return withAgent ? [mainPathWorkflow(), toolWorkflow()] : [mainPathWorkflow()];
}

/** Before `n8n start`: webhooks are registered for active (2.x: published) workflows only. */
export async function activateStreamingWorkflows(n8n: N8nInstance, withAgent: boolean): Promise<void> {
	for (const workflow of streamingWorkflows(withAgent)) {
		const id = String(workflow.id);
		if (n8n.installed.line.label === '1.x') await n8n.cli(['update:workflow', `--id=${id}`, '--active=true']);
		else await n8n.cli(['publish:workflow', `--id=${id}`]);
	}
}

/** How long n8n may take, after the editor answers, to activate the published workflows (it does so in the background). */
const ACTIVATION_WAIT_MS = 90_000;

async function postStreaming(n8n: N8nInstance, id: string, question: string): Promise<StreamChunk[]> {
	const deadline = Date.now() + ACTIVATION_WAIT_MS;
	let answer: Response;
	let text: string;
	for (;;) {
		answer = await fetch(`${n8n.baseUrl}/webhook/${webhookPath(id)}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ question }),
			signal: AbortSignal.timeout(120_000),
		});
		text = await answer.text();
		if (answer.status !== 404 || !text.includes('is not registered') || Date.now() > deadline) break;
		await new Promise((resolve) => setTimeout(resolve, 1_000));
	}
	if (!answer.ok) throw new Error(`POST /webhook/${webhookPath(id)} answered ${answer.status}: ${text.slice(0, 300)}`);
	return text
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => {
			try {
				return JSON.parse(line) as StreamChunk;
			} catch {
				throw new Error(`not a JSON chunk in the streamed response: ${line.slice(0, 200)}`);
			}
		});
}

function textFrom(chunks: StreamChunk[], nodeName: string): string {
	return chunks
		.filter((chunk) => chunk.type === 'item' && chunk.metadata?.nodeName === nodeName)
		.map((chunk) => chunk.content ?? '')
		.join('');
}

// DeepSeek's 400 for a tool-call turn sent back without its reasoning: a reason a caller must read.
const REJECTION = 'Missing `reasoning_content` field in the assistant message at message index 2';

/**
 * The relay rejects the next chat call with REJECTION; the caller must read it in the error chunk
 * n8n sends (made of the failed node's description), from `nodeName`.
 */
async function checkRejectionReachesCaller(n8n: N8nInstance, sandbox: Sandbox, workflowId: string, nodeName: string): Promise<string> {
	sandbox.clearRequests();
	sandbox.fault({ path: '/v1/chat/completions', status: 400, body: { error: { message: REJECTION, type: 'invalid_request_error', param: 'messages' } } });
	try {
		const chunks = await postStreaming(n8n, workflowId, 'Why is the sky blue?');
		const errors = chunks.filter((chunk) => chunk.type === 'error');
		if (!sandbox.requests.some((request) => request.path === '/v1/chat/completions')) throw new Error('the relay saw no chat call: nothing was rejected');
		const read = errors.map((chunk) => chunk.content ?? '').find((content) => content.includes(REJECTION));
		if (!read) throw new Error(`no error chunk carries the relay's reason; the caller got ${JSON.stringify(chunks).slice(0, 600)}`);
		const from = errors.find((chunk) => chunk.content === read)?.metadata?.nodeName;
		if (from !== nodeName) throw new Error(`the error chunk came from ${String(from)}, not ${nodeName}`);
		return `${nodeName}'s error chunk: "${read.length > 160 ? `${read.slice(0, 160)}…` : read}"`;
	} finally {
		sandbox.clearFaults();
	}
}

function typesFrom(chunks: StreamChunk[], nodeName: string): string[] {
	return [...new Set(chunks.filter((chunk) => chunk.metadata?.nodeName === nodeName).map((chunk) => chunk.type))];
}

/** After `n8n start`: both workflows by their webhooks, checking what the caller received. */
export async function checkStreaming(report: Report, n8n: N8nInstance, sandbox: Sandbox, column: string, withAgent: boolean): Promise<void> {
	await report.check('streaming webhook: DeerAPI Chat on the main path streams its answer to the caller', column, async () => {
		sandbox.clearRequests();
		const question = 'What is the capital of France?';
		const chunks = await postStreaming(n8n, MAIN_PATH_STREAM_WORKFLOW_ID, question);
		const types = typesFrom(chunks, CHAT_NODE);
		for (const type of ['begin', 'item', 'end']) {
			if (!types.includes(type)) throw new Error(`no "${type}" chunk from ${CHAT_NODE}; received ${JSON.stringify(chunks).slice(0, 400)}`);
		}
		const text = textFrom(chunks, CHAT_NODE);
		if (text !== `Sandbox reply to: ${question}`) throw new Error(`the streamed text is "${text}"`);
		const items = chunks.filter((chunk) => chunk.type === 'item').length;
		return `${items} item chunks from ${CHAT_NODE}: "${text}"`;
	});
	await report.check("streaming webhook: when the relay rejects DeerAPI Chat's call, the caller reads the relay's reason", column, async () =>
		await checkRejectionReachesCaller(n8n, sandbox, MAIN_PATH_STREAM_WORKFLOW_ID, CHAT_NODE),
	);
	if (!withAgent) return;
	await report.check("streaming webhook: when the relay rejects the DeerAPI Chat Model's call, the caller reads the relay's reason from the Agent", column, async () =>
		await checkRejectionReachesCaller(n8n, sandbox, TOOL_STREAM_WORKFLOW_ID, AGENT_NODE),
	);
	await report.check('streaming webhook: DeerAPI Chat as the Agent\'s tool sends the caller nothing, the Agent streams its answer', column, async () => {
		sandbox.clearRequests();
		const question = 'Ask DeerAPI Chat what a relay is';
		const chunks = await postStreaming(n8n, TOOL_STREAM_WORKFLOW_ID, question);
		const chats = sandbox.requests.filter((request) => request.path === '/v1/chat/completions');
		const toolRequest = chats.find((request) => !Array.isArray(request.body.tools));
		if (chats.length !== 3 || !toolRequest) {
			throw new Error(`expected 3 chat requests (agent, tool, agent), the relay saw ${chats.length}; stream: ${JSON.stringify(chunks).slice(0, 400)}`);
		}
		if (toolRequest.body.stream !== true) throw new Error('the tool did not stream from the relay: the check would prove nothing');
		const fromTool = chunks.filter((chunk) => chunk.metadata?.nodeName === TOOL_NODE);
		if (fromTool.length) throw new Error(`${fromTool.length} chunks from the tool reached the caller: ${JSON.stringify(fromTool).slice(0, 400)}`);
		const senders = [...new Set(chunks.map((chunk) => chunk.metadata?.nodeName))];
		if (senders.join() !== AGENT_NODE) throw new Error(`chunks came from ${senders.join(', ')}, not the Agent alone`);
		const text = textFrom(chunks, AGENT_NODE);
		if (!text.startsWith('Sandbox reply to tool result: ')) throw new Error(`the Agent streamed "${text}"`);
		return `the relay saw agent, tool (stream: true), agent; the caller got ${chunks.length} chunks, all from ${AGENT_NODE}: "${text.slice(0, 120)}"`;
	});
}
