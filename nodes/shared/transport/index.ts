export * from './client';
export * from './errors';
export * from './types';
export { ChatStreamAssembler, TextBuilder } from './chat-assembler';
export { normalizeBaseUrl, endpointUrl, DEFAULT_BASE_URL } from './url';
export { isRetryableStatus, parseRetryAfter, retryDelayMs, DEFAULT_RETRY_POLICY } from './retry';
export { SseDataDecoder } from './sse';
