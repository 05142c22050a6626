/**
 * DeerAPI Chat and the DeerAPI Chat Model build their chat-completions request with the one body
 * builder (nodes/shared/transport/chat-body.ts): given the same settings they send the same body.
 */
import { startSandbox, type Sandbox } from '../../sandbox';
import { byId, lastChatBody, runChat, userMessage } from './chat/helpers';
import { chatModel, userSays } from './chat-model/helpers';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.clearRequests());

const SETTINGS = {
	temperature: 0.2,
	topP: 0.9,
	maxTokens: 300,
	maxTokensField: 'max_completion_tokens' as const,
	frequencyPenalty: 0.5,
	presencePenalty: -0.5,
	reasoningEffort: 'low',
	responseFormat: 'json_object' as const,
};

async function bothBodies(extraBody: Record<string, unknown>) {
	await runChat(sandbox, {
		parameters: {
			model: byId('gpt-4o-mini'),
			messages: userMessage('JSON please'),
			simplify: false,
			options: { ...SETTINGS, extraBody: JSON.stringify(extraBody) },
		},
	});
	const chat = lastChatBody(sandbox);
	await chatModel(sandbox, { config: { ...SETTINGS, extraBody } }).generate([userSays('JSON please')]);
	return { chat, model: lastChatBody(sandbox) };
}

it('sends the same body from Chat and from the Chat Model for the same settings, Extra Body Fields last', async () => {
	const { chat, model } = await bothBodies({ thinking: { type: 'enabled' }, temperature: 0.3 });
	expect(chat).toEqual({
		model: 'gpt-4o-mini',
		messages: [{ role: 'user', content: 'JSON please' }],
		max_completion_tokens: 300,
		temperature: 0.3,
		top_p: 0.9,
		frequency_penalty: 0.5,
		presence_penalty: -0.5,
		reasoning_effort: 'low',
		response_format: { type: 'json_object' },
		thinking: { type: 'enabled' },
		stream: true,
		stream_options: { include_usage: true },
	});
	expect(model).toEqual(chat);
});

it('drops stream_options from both when Extra Body Fields turn streaming off', async () => {
	const { chat, model } = await bothBodies({ stream: false });
	expect(chat.stream).toBe(false);
	expect(chat).not.toHaveProperty('stream_options');
	// The same body; the Chat Model's transport call (streamChat) always asks for a stream.
	expect(model).toEqual({ ...chat, stream: true });
});
