import type { Message, MessageContent, StreamChunk } from '@n8n/ai-node-sdk';

import { createRelayChatModel, type RelayChatModelInit } from '../../../nodes/DeerApiChatModel/model';
import { loadAiNodeSdk } from '../../../nodes/DeerApiChatModel/sdk';
import { RelayClient } from '../../../nodes/shared/transport';
import type { Sandbox } from '../../../sandbox';

export const sdk = (() => {
	const loaded = loadAiNodeSdk();
	if (!loaded) throw new Error('@n8n/ai-node-sdk is a dev dependency: run npm install');
	return loaded;
})();

export const calculatorTool = {
	type: 'function' as const,
	name: 'calculator',
	description: 'Useful for getting the result of a math expression.',
	inputSchema: { type: 'object' as const, properties: { input: { type: 'string' as const } }, additionalProperties: false },
};

export function relayClient(sandbox: Sandbox, extra: { maxRetries?: number; timeoutMs?: number } = {}): RelayClient {
	return new RelayClient({
		apiKey: sandbox.apiKey,
		baseUrl: sandbox.url,
		retryInitialDelayMs: 10,
		retryMaxDelayMs: 20,
		...extra,
	});
}

export function chatModel(sandbox: Sandbox, init: Partial<RelayChatModelInit> & { modelId?: string } = {}) {
	return createRelayChatModel(sdk, { client: relayClient(sandbox), modelId: 'gpt-4o-mini', ...init });
}

export const userSays = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });

/** A stream's chunks folded into the message they describe, the way a caller assembles it. */
export async function foldStream(chunks: AsyncIterable<StreamChunk>) {
	let reasoning = '';
	let text = '';
	const calls: MessageContent[] = [];
	let finish: Extract<StreamChunk, { type: 'finish' }> | undefined;
	const order: string[] = [];
	for await (const chunk of chunks) {
		order.push(chunk.type);
		if (chunk.type === 'reasoning-delta') reasoning += chunk.delta;
		else if (chunk.type === 'text-delta') text += chunk.delta;
		else if (chunk.type === 'tool-call-delta') {
			calls.push({ type: 'tool-call', toolCallId: chunk.id, toolName: chunk.name ?? '', input: chunk.argumentsDelta ?? '' });
		} else if (chunk.type === 'finish') finish = chunk;
	}
	const content: MessageContent[] = [];
	if (reasoning) content.push({ type: 'reasoning', text: reasoning });
	if (text) content.push({ type: 'text', text });
	content.push(...calls);
	return { content, finish, order };
}

/** The chat requests the sandbox received, in order. */
export function chatBodies(sandbox: Sandbox): Array<Record<string, any>> {
	return sandbox.requests.filter((request) => request.path === '/v1/chat/completions').map((request) => request.body);
}
