/**
 * The relay as a chat model of n8n's AI SDK: Chat Completions only, always streamed, through the
 * package's one transport. The SDK arrives as a value (see sdk.ts) so that this module loads on an
 * n8n without it; nothing of n8n-workflow is imported here either.
 */
import type * as AiNodeSdk from '@n8n/ai-node-sdk';
import type { ChatModel, ChatModelConfig, GenerateResult, Message, StreamChunk } from '@n8n/ai-node-sdk';

import {
	chatRequestBody,
	ChatStreamAssembler,
	type ChatChunkStream,
	type ChatCompletion,
	type ChatMessage,
	type RelayClient,
	type SamplingSettings,
	type StreamCallOptions,
} from '../shared/transport';
import { toFinishReason, toGenerateResult, toTokenUsage, toWireMessages, toWireTools } from './convert';
import { recallReasoning, rememberReasoning } from './reasoning-memory';

export type AiNodeSdkModule = typeof AiNodeSdk;

export interface RelayChatModelConfig extends ChatModelConfig, SamplingSettings {
	/** 'json_object' asks for JSON; 'text' (or nothing) sends no response_format. */
	responseFormat?: 'text' | 'json_object';
	/** Provider-specific fields merged over the body last ("thinking", "enable_search"). */
	extraBody?: Record<string, unknown>;
}

export interface RelayChatModelInit {
	client: RelayClient;
	modelId: string;
	config?: RelayChatModelConfig;
	/** Where remembered reasoning is valid: the n8n execution. */
	scope?: string;
	/** Stops every call when it fires (the execution's cancel signal). */
	signal?: AbortSignal;
	/** Turns a transport error into what the caller shows (n8n: NodeApiError naming the relay's message). */
	mapError?: (error: unknown) => Error;
}

/** A chat model for `supplyModel(this, model)`: an instance of the SDK's BaseChatModel. */
export function createRelayChatModel(sdk: AiNodeSdkModule, init: RelayChatModelInit): ChatModel<RelayChatModelConfig> {
	// Declared here because its base class is only known once the SDK is loaded. Its state lives in
	// plain properties: the SDK's withTools() copies an instance with Object.assign.
	class RelayChatModel extends sdk.BaseChatModel<RelayChatModelConfig> {
		readonly relay: RelayChatModelInit;

		constructor() {
			super('deerapi-relay', init.modelId, init.config);
			this.relay = init;
		}

		async generate(messages: Message[], config?: RelayChatModelConfig): Promise<GenerateResult> {
			const stream = await this.open(messages, config);
			const assembler = new ChatStreamAssembler();
			try {
				for await (const chunk of stream) assembler.push(chunk);
			} catch (error) {
				throw this.failure(error);
			}
			const completion = assembler.result();
			this.remember(completion);
			return toGenerateResult(completion, stream.requestId);
		}

		async *stream(messages: Message[], config?: RelayChatModelConfig): AsyncIterable<StreamChunk> {
			const stream = await this.open(messages, config);
			const assembler = new ChatStreamAssembler();
			try {
				for await (const chunk of stream) {
					for (const delta of assembler.push(chunk)) {
						if (delta.choiceIndex !== 0) continue;
						if (delta.reasoning) yield { type: 'reasoning-delta', delta: delta.reasoning };
						if (delta.content) yield { type: 'text-delta', delta: delta.content };
					}
				}
			} catch (error) {
				throw this.failure(error);
			}
			const completion = assembler.result();
			this.remember(completion);
			const choice = completion.choices[0];
			// Whole calls, each with its own id: n8n's LangChain bridge gives every tool-call delta the
			// same index, so argument fragments of two calls would be merged into one.
			for (const call of choice?.message.tool_calls ?? []) {
				yield { type: 'tool-call-delta', id: call.id, name: call.function.name, argumentsDelta: call.function.arguments };
			}
			const usage = toTokenUsage(completion.usage);
			yield { type: 'finish', finishReason: toFinishReason(choice?.finish_reason) ?? 'stop', ...(usage ? { usage } : {}) };
		}

		/** The request body for these messages and this call's settings over the node's. */
		requestBody(messages: Message[], config?: RelayChatModelConfig): Record<string, unknown> {
			const settings = { ...this.defaultConfig, ...config } as RelayChatModelConfig;
			return chatRequestBody({
				model: this.modelId,
				messages: this.withRememberedReasoning(toWireMessages(messages)),
				sampling: settings,
				stop: settings.stopSequences,
				responseFormat: settings.responseFormat === 'json_object' ? 'json_object' : undefined,
				tools: toWireTools(this.tools, (tool) => sdk.getParametersJsonSchema(tool)),
				stream: true,
				extraBody: settings.extraBody,
			});
		}

		private async open(messages: Message[], config?: RelayChatModelConfig): Promise<ChatChunkStream> {
			try {
				const body = this.requestBody(messages, config);
				return await this.relay.client.streamChat(body, this.callOptions(config));
			} catch (error) {
				throw this.failure(error);
			}
		}

		private callOptions(config?: RelayChatModelConfig): StreamCallOptions {
			// LangChain hands its own call options over as the config: the agent's signal is `signal`.
			const signals = [config?.abortSignal, (config as { signal?: AbortSignal } | undefined)?.signal, this.relay.signal];
			const present = signals.filter((signal): signal is AbortSignal => signal instanceof AbortSignal);
			const options: StreamCallOptions = {};
			if (present.length) options.signal = present.length === 1 ? present[0] : AbortSignal.any(present);
			if (typeof config?.maxRetries === 'number') options.maxRetries = config.maxRetries;
			if (typeof config?.timeout === 'number' && config.timeout > 0) {
				options.timeoutMs = config.timeout;
				options.streamIdleTimeoutMs = config.timeout;
			}
			return options;
		}

		private withRememberedReasoning(messages: ChatMessage[]): ChatMessage[] {
			return messages.map((message) => {
				if (message.role !== 'assistant' || !message.tool_calls?.length || message.reasoning_content) return message;
				const reasoning = recallReasoning(this.scope, message.tool_calls.map((call) => call.id));
				return reasoning ? { ...message, reasoning_content: reasoning } : message;
			});
		}

		private remember(completion: ChatCompletion): void {
			const message = completion.choices[0]?.message;
			if (!message?.reasoning_content || !message.tool_calls?.length) return;
			rememberReasoning(this.scope, message.tool_calls.map((call) => call.id), message.reasoning_content);
		}

		private get scope(): string {
			return this.relay.scope ?? '';
		}

		private failure(error: unknown): Error {
			if (this.relay.mapError) return this.relay.mapError(error);
			return error instanceof Error ? error : new Error(String(error));
		}
	}

	return new RelayChatModel();
}
