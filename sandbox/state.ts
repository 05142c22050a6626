import type { FileStore } from './files';
import type { SunoCode, SunoTask } from './suno';
import type { SandboxModel } from './types';

/** The live settings a route reads; the Sandbox setters change them between requests. */
export interface SandboxState {
	url: string;
	apiKey: string;
	latencyMs: number;
	imageBytes?: number;
	models: SandboxModel[];
	streamChunkSize: number;
	files: FileStore;
	toolCallCount: number;
	/** The reasoning_content a thinking model sent with each tool call id, to check what comes back. */
	reasoningByToolCall: Map<string, string>;
	/** How long an asynchronous task takes when its request does not say (ms). */
	taskMs: number;
	sunoTasks: Map<string, SunoTask>;
	/** What a Suno answer's `code` says on success: new-api's "success", or 1 as other relays send. */
	sunoCode: SunoCode;
}

/** Per-request facts a route may need besides the body. */
export interface RouteContext {
	state: SandboxState;
	requestId: string;
	headers: Record<string, string | string[] | undefined>;
}
