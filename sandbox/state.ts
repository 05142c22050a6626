import type { SandboxAccount } from './account';
import type { FileStore } from './files';
import type { MidjourneyStore } from './midjourney';
import type { SunoCode, SunoTask } from './suno';
import type { SandboxModel } from './types';
import type { VideoTaskStore } from './videos';

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
	/** The balance routes' figures, by key (see account.ts). */
	accounts: Map<string, SandboxAccount>;
	videoTasks: VideoTaskStore;
	/** How long a video task lasts when its prompt does not say (TASK_MS=...). */
	videoTaskMs: number;
	midjourney: MidjourneyStore;
	/** How long a Suno task takes when its request does not say (ms). */
	sunoTaskMs: number;
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
