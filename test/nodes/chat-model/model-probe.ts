/**
 * A root node for tests: it takes the model of the sub-node connected to its "Model" input, the
 * way n8n's AI Agent does (getInputConnectionData -> the SDK's LangChain bridge), and either asks
 * it once or runs a small tool loop with a calculator. In the loop, the assistant's tool-call
 * message can be sent back as n8n's Agent v3 rebuilds it from the engine's record of the call:
 * no content, the calls, and the reasoning only in additional_kwargs.
 */
import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { randomUUID } from 'node:crypto';

import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IWorkflowBase,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

interface ProbeModel {
	invoke(messages: BaseMessage[], options?: { signal?: AbortSignal }): Promise<AIMessage>;
	bindTools(tools: unknown[]): ProbeModel;
}

const CALCULATOR = {
	type: 'function',
	function: {
		name: 'calculator',
		description: 'Useful for getting the result of a math expression.',
		parameters: { type: 'object', properties: { input: { type: 'string' } }, additionalProperties: false },
	},
};

function calculate(expression: string): string {
	const match = /^\s*(-?\d+(?:\.\d+)?)\s*([-+*/])\s*(-?\d+(?:\.\d+)?)\s*$/.exec(expression);
	if (!match) return `cannot calculate ${JSON.stringify(expression)}`;
	const [a, op, b] = [Number(match[1]), match[2], Number(match[3])];
	const value = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
	return String(value);
}

export const MODEL_PROBE_TYPE = 'test.modelProbe';

export class ModelProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Model Probe',
		name: 'modelProbe',
		group: ['transform'],
		version: 1,
		description: 'Asks the connected chat model',
		defaults: { name: 'Model Probe' },
		inputs: [
			NodeConnectionTypes.Main,
			{ type: NodeConnectionTypes.AiLanguageModel, displayName: 'Model', required: true, maxConnections: 1 },
		],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Prompt', name: 'prompt', type: 'string', default: '' },
			{ displayName: 'With Calculator', name: 'calculator', type: 'boolean', default: false },
			{ displayName: 'Rebuild Tool Calls', name: 'rebuild', type: 'boolean', default: true },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const model = (await this.getInputConnectionData(NodeConnectionTypes.AiLanguageModel, 0)) as ProbeModel;
		const out: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < this.getInputData().length; itemIndex++) {
			const prompt = this.getNodeParameter('prompt', itemIndex) as string;
			const withCalculator = this.getNodeParameter('calculator', itemIndex) as boolean;
			const rebuild = this.getNodeParameter('rebuild', itemIndex) as boolean;
			const bound = withCalculator ? model.bindTools([CALCULATOR]) : model;
			const messages: BaseMessage[] = [new HumanMessage(prompt)];
			const toolCalls: Array<{ name: string; args: unknown; result: string }> = [];
			for (let turn = 0; turn < 6; turn++) {
				const answer = await bound.invoke(messages, { signal: this.getExecutionCancelSignal() });
				if (!answer.tool_calls?.length) {
					out.push({ json: { text: answer.text, turns: turn + 1, toolCalls, usage: answer.usage_metadata ?? null } });
					break;
				}
				for (const call of answer.tool_calls) {
					const result = calculate(String((call.args as { input?: unknown }).input ?? ''));
					toolCalls.push({ name: call.name, args: call.args, result });
					messages.push(
						rebuild
							? new AIMessage({ content: [], tool_calls: [call], additional_kwargs: { reasoning_content: 'kept by n8n, dropped by the bridge' } })
							: answer,
						new ToolMessage({ content: result, tool_call_id: call.id ?? '' }),
					);
				}
				if (turn === 5) throw new NodeOperationError(this.getNode(), 'The model kept calling tools', { itemIndex });
			}
		}
		return [out];
	}
}

export const CHAT_MODEL_TYPE = 'n8n-nodes-deerapi-relay.deerApiChatModel';

/**
 * Manual Trigger -> Model Probe, with the DeerAPI Chat Model (named `names.model`) on the probe's
 * Model input: the Chat Model run the way an Agent runs it.
 */
export function probeWorkflow(
	model: IDataObject,
	probe: IDataObject,
	names: { probe: string; model: string } = { probe: 'Model Probe', model: 'DeerAPI Chat Model' },
): IWorkflowBase {
	return {
		id: 'chat-model-probe',
		name: 'Chat model probe',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(0),
		updatedAt: new Date(0),
		nodes: [
			{ id: randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: randomUUID(), name: names.probe, type: MODEL_PROBE_TYPE, typeVersion: 1, position: [200, 0], parameters: probe as never },
			{
				id: randomUUID(),
				name: names.model,
				type: CHAT_MODEL_TYPE,
				typeVersion: 1,
				position: [200, 200],
				parameters: { model: { __rl: true, mode: 'id', value: 'gpt-4o-mini' }, ...model } as never,
			},
		],
		connections: {
			Start: { main: [[{ node: names.probe, type: 'main', index: 0 }]] },
			[names.model]: { ai_languageModel: [[{ node: names.probe, type: 'ai_languageModel', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}
