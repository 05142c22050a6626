/**
 * An offline stand-in for DeerAPI and other new-api / one-api relays: OpenAI-compatible answers
 * that are fake but deterministic, plus switches (faults, latency, image sizes) for tests.
 * Node built-ins only, so it runs wherever the package's tests do.
 */
export { startSandbox } from './server';
export type { ResponseLogEntry, SandboxServerOptions } from './server';
export type { Fault, RecordedPart, RecordedRequest, Sandbox, SandboxModel, SandboxOptions } from './types';
export { FAIL_REASON as VIDEO_FAIL_REASON, type VideoTask } from './videos';
export { DEFAULT_MODELS } from './models';
export { SANDBOX_ACCOUNTS, SANDBOX_QUOTA_PER_USD, type AccountKind, type AccountRoutes, type SandboxAccount } from './account';
export { BANNED_WORDS, DEFAULT_MIDJOURNEY_TASK_MS, TASK_MS_HEADER, type MidjourneyButton } from './midjourney';
export { encodeImage, encodePngGrid, pngHasAlpha, readImageInfo, type ImageInfo, type ImageFormat } from './image-bytes';
export { paddedClip, taggedClip, videoClip, VIDEO_MIME_TYPES, type VideoFormat } from './video-bytes';
