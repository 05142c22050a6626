import { startSandbox, type Sandbox } from '../../sandbox';
import { assembled, post, stream } from './http';

const PATH = '/v1/chat/completions';
const user = (content: unknown) => ({ role: 'user', content });
const calculator = {
	type: 'function',
	function: {
		name: 'calculator',
		description: 'Useful for getting the result of a math expression.',
		parameters: { type: 'object', properties: { input: { type: 'string' } }, additionalProperties: false },
	},
};
const search = {
	type: 'function',
	function: { name: 'web_search', parameters: { type: 'object', properties: { query: { type: 'string' }, top: { type: 'integer' } } } },
};

interface SentCall {
	id: string;
	type: 'function';
	function: { name: string; arguments: string };
}

const assistantCall = (call: SentCall, reasoning?: string) => ({
	role: 'assistant',
	content: null,
	tool_calls: [call],
	...(reasoning === undefined ? {} : { reasoning_content: reasoning }),
});
const toolResult = (call: SentCall, content: string) => ({ role: 'tool', tool_call_id: call.id, content });

describe('sandbox as the model of an agent', () => {
	let sandbox: Sandbox;
	const chat = async (body: Record<string, unknown>) => await post(sandbox, PATH, body);

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.close());

	it('calls the tool with the expression of the prompt as its text argument', async () => {
		const reply = await chat({ model: 'gpt-4o-mini', tools: [calculator], messages: [user('What is 6 * 7?')] });
		const call = reply.json.choices[0].message.tool_calls[0];
		expect(call.function).toEqual({ name: 'calculator', arguments: '{"input":"6 * 7"}' });
		expect(reply.json.choices[0].finish_reason).toBe('tool_calls');
	});

	it('calls the tool the prompt names, with the whole prompt when it holds no expression', async () => {
		const reply = await chat({
			model: 'gpt-4o-mini',
			tools: [calculator, search],
			messages: [user('Use web_search to find the n8n docs')],
		});
		expect(JSON.parse(reply.json.choices[0].message.tool_calls[0].function.arguments)).toEqual({
			query: 'Use web_search to find the n8n docs',
			top: 1,
		});
		expect(reply.json.choices[0].message.tool_calls[0].function.name).toBe('web_search');
	});

	it('takes one tool turn per expression, then answers quoting every result of the turn', async () => {
		const prompt = user('What is 6 * 7, and what is 12 + 30?');
		const first = await chat({ model: 'gpt-4o-mini', tools: [calculator], messages: [prompt] });
		const call1: SentCall = first.json.choices[0].message.tool_calls[0];
		expect(JSON.parse(call1.function.arguments)).toEqual({ input: '6 * 7' });

		const second = await chat({
			model: 'gpt-4o-mini',
			tools: [calculator],
			messages: [prompt, assistantCall(call1), toolResult(call1, '42')],
		});
		const call2: SentCall = second.json.choices[0].message.tool_calls[0];
		expect(JSON.parse(call2.function.arguments)).toEqual({ input: '12 + 30' });
		expect(call2.id).not.toBe(call1.id);

		const answer = await chat({
			model: 'gpt-4o-mini',
			tools: [calculator],
			messages: [prompt, assistantCall(call1), toolResult(call1, '42'), assistantCall(call2), toolResult(call2, '42.0')],
		});
		expect(answer.json.choices[0].message).toEqual({ role: 'assistant', content: 'Sandbox reply to tool result: 42; 42.0' });
		expect(answer.json.choices[0].finish_reason).toBe('stop');
	});

	it('starts over for a new user message: results of earlier turns do not count', async () => {
		const earlier = { id: 'call_old', type: 'function' as const, function: { name: 'calculator', arguments: '{"input":"1 + 1"}' } };
		const reply = await chat({
			model: 'gpt-4o-mini',
			tools: [calculator],
			messages: [user('What is 1 + 1?'), assistantCall(earlier), toolResult(earlier, '2'), { role: 'assistant', content: 'It is 2.' }, user('And 2 + 3?')],
		});
		expect(JSON.parse(reply.json.choices[0].message.tool_calls[0].function.arguments)).toEqual({ input: '2 + 3' });
	});

	describe('a reasoning model (DeepSeek thinking mode with tools)', () => {
		const model = 'deepseek-reasoner';
		const prompt = user('What is 6 * 7, and what is 12 + 30?');

		it('sends reasoning_content with its tool calls, different for each call', async () => {
			const first = await chat({ model, tools: [calculator], messages: [prompt] });
			const message = first.json.choices[0].message;
			expect(message.reasoning_content).toBe(
				`Thinking about: What is 6 * 7, and what is 12 + 30? (calculator for 6 * 7, ${message.tool_calls[0].id})`,
			);
			const again = await chat({ model, tools: [calculator], messages: [prompt] });
			expect(again.json.choices[0].message.reasoning_content).not.toBe(message.reasoning_content);
		});

		it('refuses, as DeepSeek does, a tool-call turn sent back without its reasoning_content', async () => {
			const first = await chat({ model, tools: [calculator], messages: [prompt] });
			const call: SentCall = first.json.choices[0].message.tool_calls[0];
			const refused = await chat({ model, tools: [calculator], messages: [prompt, assistantCall(call), toolResult(call, '42')] });
			expect(refused.status).toBe(400);
			expect(refused.json.error).toEqual({
				message:
					'Missing `reasoning_content` field in the assistant message at message index 1. For more information, please refer to https://api-docs.deepseek.com/guides/thinking_mode#tool-calls',
				type: 'invalid_request_error',
				param: '',
				code: 'invalid_request_error',
			});
			const streamed = await stream(sandbox, PATH, {
				model,
				stream: true,
				tools: [calculator],
				messages: [prompt, assistantCall(call, ''), toolResult(call, '42')],
			});
			expect(streamed.status).toBe(400);
		});

		it('refuses a reasoning_content that is not the one it sent with that call', async () => {
			const first = await chat({ model, tools: [calculator], messages: [prompt] });
			const call: SentCall = first.json.choices[0].message.tool_calls[0];
			const refused = await chat({
				model,
				tools: [calculator],
				messages: [prompt, assistantCall(call, 'Thinking about: something else'), toolResult(call, '42')],
			});
			expect(refused.status).toBe(400);
			expect(refused.json.error.message).toMatch(
				/^The `reasoning_content` of the assistant message at message index 1 is not the one this model sent/,
			);
		});

		it('goes on over two tool turns when each comes back with its reasoning_content, streamed or not', async () => {
			const first = await stream(sandbox, PATH, { model, stream: true, tools: [calculator], messages: [prompt] });
			const reasoning1 = assembled(first.data, 'reasoning_content');
			const head1 = first.data.flatMap((chunk) => chunk.choices).find((choice: any) => choice.delta.tool_calls)!;
			const call1: SentCall = {
				id: head1.delta.tool_calls[0].id,
				type: 'function',
				function: { name: 'calculator', arguments: '{"input":"6 * 7"}' },
			};
			expect(reasoning1).toBe(`Thinking about: What is 6 * 7, and what is 12 + 30? (calculator for 6 * 7, ${call1.id})`);

			const second = await chat({
				model,
				tools: [calculator],
				messages: [prompt, assistantCall(call1, reasoning1), toolResult(call1, '42')],
			});
			expect(second.status).toBe(200);
			const message2 = second.json.choices[0].message;
			const call2: SentCall = message2.tool_calls[0];
			expect(JSON.parse(call2.function.arguments)).toEqual({ input: '12 + 30' });

			const withoutSecond = await chat({
				model,
				tools: [calculator],
				messages: [prompt, assistantCall(call1, reasoning1), toolResult(call1, '42'), assistantCall(call2), toolResult(call2, '42')],
			});
			expect(withoutSecond.json.error.message).toMatch(/at message index 3\./);

			const answer = await chat({
				model,
				tools: [calculator],
				messages: [
					prompt,
					assistantCall(call1, reasoning1),
					toolResult(call1, '42'),
					assistantCall(call2, message2.reasoning_content),
					toolResult(call2, '42'),
				],
			});
			expect(answer.json.choices[0].message).toEqual({
				role: 'assistant',
				content: 'Sandbox reply to tool result: 42; 42',
				reasoning_content: 'Thinking about: What is 6 * 7, and what is 12 + 30?',
			});
		});

		it('does not ask for the reasoning of tool calls before the last user message', async () => {
			const old = { id: 'call_x', type: 'function' as const, function: { name: 'calculator', arguments: '{}' } };
			const reply = await chat({
				model,
				messages: [user('What is 1 + 1?'), assistantCall(old), toolResult(old, '2'), { role: 'assistant', content: '2' }, user('thanks')],
			});
			expect(reply.status).toBe(200);
			expect(reply.json.choices[0].message.content).toBe('Sandbox reply to: thanks');
		});
	});

	it('does not check the reasoning round trip for other models', async () => {
		const call = { id: 'call_y', type: 'function' as const, function: { name: 'calculator', arguments: '{}' } };
		const reply = await chat({ model: 'gpt-4o-mini', messages: [user('What is 6 * 7?'), assistantCall(call), toolResult(call, '42')] });
		expect(reply.status).toBe(200);
		expect(reply.json.choices[0].message.content).toBe('Sandbox reply to tool result: 42');
	});
});
