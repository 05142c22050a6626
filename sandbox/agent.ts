/**
 * How the sandbox plays the model of an agent: deterministic tool calls taken from the prompt,
 * answers that quote the tool results, and DeepSeek's rule that a thinking model's tool-call turn
 * must come back with the `reasoning_content` it was sent.
 *
 * A prompt holds one task per arithmetic expression in it ("What is 6 * 7 and 12 + 30?" holds two),
 * or, without any, one task: its whole text. While tools are offered and tasks of the current turn
 * (the messages after the last user message) have no tool result yet, the model calls a tool for
 * the next task; then it answers with the results.
 */
import { relayError } from './relay-errors';
import { json, type RouteResult } from './responses';
import { sampleFromSchema } from './schema-sample';
import type { RouteContext } from './state';

type Message = Record<string, any>;

export interface PlannedCall {
	name: string;
	arguments: Record<string, unknown>;
}

/** What the model does next in this conversation. */
export type AgentStep =
	| { kind: 'call'; call: PlannedCall; task: string }
	| { kind: 'answer'; toolResults: string[] }
	| { kind: 'chat' };

const EXPRESSION = /\d+(?:\.\d+)?(?:\s*[-+*/^]\s*\d+(?:\.\d+)?)+/g;

function isObject(value: unknown): value is Record<string, any> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content
		.filter((part) => isObject(part) && part.type === 'text' && typeof part.text === 'string')
		.map((part) => part.text as string)
		.join(' ');
}

/** The arithmetic expressions of a prompt, or the prompt itself when it has none. */
export function tasksOf(prompt: string): string[] {
	const expressions = prompt.match(EXPRESSION);
	return expressions?.length ? expressions : [prompt];
}

function lastUserIndex(messages: Message[]): number {
	for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return i;
	return -1;
}

function offeredTools(body: Record<string, any>): Message[] {
	const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
	return body.tool_choice === 'none' ? [] : tools;
}

/** tool_choice names one; else the tool whose name the prompt mentions; else the first. */
function chooseTool(tools: Message[], body: Record<string, any>, prompt: string): Message {
	const wanted = isObject(body.tool_choice) ? body.tool_choice.function?.name : undefined;
	const named = (name: unknown) => tools.find((tool) => tool.function?.name === name);
	if (typeof wanted === 'string') return named(wanted) ?? { function: { name: wanted } };
	const lower = prompt.toLowerCase();
	const mentioned = tools.find((tool) => {
		const name = tool.function?.name;
		return typeof name === 'string' && name !== '' && lower.includes(name.toLowerCase());
	});
	return mentioned ?? tools[0];
}

/**
 * Arguments that satisfy the tool's schema, with the task in its first free-text property (a
 * string that is not an enum or const): `{"input": "6 * 7"}` for a calculator.
 */
function argumentsFor(parameters: unknown, task: string): Record<string, unknown> {
	const sampled = sampleFromSchema(parameters ?? { type: 'object', properties: {} });
	const args = isObject(sampled) ? sampled : {};
	const properties = isObject(parameters) && isObject(parameters.properties) ? parameters.properties : {};
	const textProperty = Object.entries(properties).find(
		([, schema]) =>
			isObject(schema) &&
			(schema.type === 'string' || (Array.isArray(schema.type) && schema.type.includes('string'))) &&
			!Array.isArray(schema.enum) &&
			!('const' in schema),
	);
	if (textProperty) args[textProperty[0]] = task;
	return args;
}

export function planAgentStep(messages: Message[], body: Record<string, any>): AgentStep {
	const userAt = lastUserIndex(messages);
	const turn = messages.slice(userAt + 1);
	const toolResults = turn.filter((message) => message.role === 'tool').map((message) => textOf(message.content));
	const last = messages[messages.length - 1];
	const tools = offeredTools(body);
	if (tools.length > 0 && (last?.role === 'user' || last?.role === 'tool')) {
		const prompt = userAt >= 0 ? textOf(messages[userAt].content) : '';
		const tasks = tasksOf(prompt);
		if (toolResults.length < tasks.length) {
			const task = tasks[toolResults.length];
			const tool = chooseTool(tools, body, prompt);
			const name = String(tool.function?.name ?? 'tool');
			return { kind: 'call', task, call: { name, arguments: argumentsFor(tool.function?.parameters, task) } };
		}
	}
	if (last?.role === 'tool') return { kind: 'answer', toolResults };
	return { kind: 'chat' };
}

export function toolResultAnswer(toolResults: string[]): string {
	return `Sandbox reply to tool result: ${toolResults.join('; ')}`;
}

/**
 * DeepSeek's thinking mode with tools: every assistant message of the current turn that called
 * tools must carry the reasoning_content of that answer, or the request is refused with a 400.
 * The sandbox also knows what it sent (by tool call id), so a made-up reasoning is refused too.
 */
export function checkReasoningRoundTrip(messages: Message[], ctx: RouteContext): RouteResult | undefined {
	for (let index = lastUserIndex(messages) + 1; index < messages.length; index++) {
		const message = messages[index];
		if (message.role !== 'assistant' || !Array.isArray(message.tool_calls) || message.tool_calls.length === 0) continue;
		const sent = message.reasoning_content;
		if (typeof sent !== 'string' || sent === '') {
			return json(
				400,
				relayError(
					`Missing \`reasoning_content\` field in the assistant message at message index ${index}. For more information, please refer to https://api-docs.deepseek.com/guides/thinking_mode#tool-calls`,
					'invalid_request_error',
					'invalid_request_error',
				),
			);
		}
		const ids: unknown[] = message.tool_calls.map((call: unknown) => (isObject(call) ? call.id : undefined));
		const expected = ids.map((id) => (typeof id === 'string' ? ctx.state.reasoningByToolCall.get(id) : undefined)).find(Boolean);
		if (expected !== undefined && sent !== expected) {
			return json(
				400,
				relayError(
					`The \`reasoning_content\` of the assistant message at message index ${index} is not the one this model sent with its tool calls (request id: ${ctx.requestId})`,
					'invalid_request_error',
					'invalid_request_error',
				),
			);
		}
	}
	return undefined;
}
