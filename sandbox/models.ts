import type { SandboxModel } from './types';

/**
 * A slice of what a new-api relay such as DeerAPI lists. Some entries deliberately lack
 * `supported_endpoint_types` (older relays and hand-added channels omit it) and a few have
 * `created` 0 or missing, so clients must fall back to classifying by id.
 */
const T = {
	chat: ['openai'],
	chatAnthropic: ['anthropic', 'openai'],
	chatGemini: ['gemini', 'openai'],
	response: ['openai', 'openai-response'],
	image: ['image-generation'],
	embeddings: ['embeddings'],
	rerank: ['jina-rerank'],
};

function model(
	id: string,
	owned_by: string,
	created: number | undefined,
	supported_endpoint_types?: string[],
): SandboxModel {
	const entry: SandboxModel = { id, object: 'model', owned_by };
	if (created !== undefined) entry.created = created;
	if (supported_endpoint_types) entry.supported_endpoint_types = supported_endpoint_types;
	return entry;
}

export const DEFAULT_MODELS: readonly SandboxModel[] = [
	// chat
	model('gpt-4o', 'openai', 1715367049, T.chat),
	model('gpt-4o-mini', 'openai', 1721172741, T.chat),
	model('gpt-4.1', 'openai', 1744316542, T.response),
	model('gpt-4.1-mini', 'openai', 1744318173, T.response),
	model('gpt-5', 'openai', 1754425777, T.response),
	model('gpt-5-mini', 'openai', 1754425928),
	model('o3-mini', 'openai', 1737146383, T.response),
	model('o4-mini', 'openai', 1744225351, T.response),
	model('chatgpt-4o-latest', 'openai', 1723515131),
	model('claude-3-5-sonnet-20241022', 'anthropic', 1729555200, T.chatAnthropic),
	model('claude-3-7-sonnet-20250219', 'anthropic', 1739923200, T.chatAnthropic),
	model('claude-sonnet-4-20250514', 'anthropic', 1747180800, T.chatAnthropic),
	model('claude-opus-4-1-20250805', 'anthropic', 1754352000, T.chatAnthropic),
	model('claude-sonnet-4-20250514-thinking', 'anthropic', 1747180800),
	model('gemini-2.5-pro', 'vertex-ai', 1750118400, T.chatGemini),
	model('gemini-2.5-flash', 'vertex-ai', 1750118400, T.chatGemini),
	model('gemini-2.5-flash-lite', 'vertex-ai', 0, T.chatGemini),
	model('gemini-2.0-flash', 'vertex-ai', 1738627200),
	model('deepseek-chat', 'deepseek', 1735689600, T.chat),
	model('deepseek-reasoner', 'deepseek', 1737331200, T.chat),
	model('deepseek-r1', 'deepseek', 1737331200, T.chat),
	model('deepseek-v3', 'deepseek', 1735084800),
	model('deepseek-v3.1', 'deepseek', 1755734400, T.chat),
	model('doubao-1-5-pro-32k-250115', 'volcengine', 1736899200, T.chat),
	model('doubao-seed-1-6-250615', 'volcengine', 1750003200, T.chat),
	model('doubao-seed-1-6-thinking-250715', 'volcengine', 1752537600, T.chat),
	model('qwen-max', 'ali', 1727740800, T.chat),
	model('qwen-plus', 'ali', 1727740800),
	model('qwen3-235b-a22b', 'ali', 1745798400, T.chat),
	model('glm-4.5', 'zhipu_4v', 1753660800, T.chat),
	model('kimi-k2-0711-preview', 'moonshot', 1752192000, T.chat),
	model('grok-4', 'xai', 1752105600, T.chat),
	model('llama-3.3-70b-instruct', 'custom', 0),
	// image models that answer in chat form
	model('gpt-4o-image', 'custom', 1743033600, T.chat),
	model('gpt-4o-image-vip', 'custom', 1743033600),
	model('gemini-2.5-flash-image', 'vertex-ai', 1756166400, T.chatGemini),
	model('gemini-2.5-flash-image-preview', 'vertex-ai', 1756166400),
	// images API
	model('gpt-image-1', 'openai', 1745366400, T.image),
	model('gpt-image-1-mini', 'openai', 1759708800, T.image),
	model('dall-e-3', 'openai', 1698785189, T.image),
	model('dall-e-2', 'openai', 1698798177),
	model('doubao-seedream-4-0-250828', 'volcengine', 1756339200, T.image),
	model('doubao-seedream-4-5-251128', 'volcengine', 1764288000, T.image),
	model('doubao-seedream-3-0-t2i-250415', 'volcengine', 1744675200),
	model('flux-kontext-pro', 'custom', 1748908800, T.image),
	model('flux-kontext-max', 'custom', 1748908800),
	model('flux-schnell', 'custom', 0),
	model('flux-1.1-pro', 'custom', 1728000000, T.image),
	model('mj_imagine', 'midjourney', undefined),
	model('mj_variation', 'midjourney', undefined),
	model('ideogram-v3', 'custom', 1743465600),
	// embeddings, rerank, moderation
	model('text-embedding-3-small', 'openai', 1705948997, T.embeddings),
	model('text-embedding-3-large', 'openai', 1705953180, T.embeddings),
	model('text-embedding-ada-002', 'openai', 1671217299),
	model('jina-reranker-v2-base-multilingual', 'jina', 1718841600, T.rerank),
	model('omni-moderation-latest', 'openai', 1732734466),
	// audio
	model('whisper-1', 'openai', 1677532384),
	model('tts-1', 'openai', 1681940951),
	model('tts-1-hd', 'openai', 1699046015),
	model('gpt-4o-mini-tts', 'openai', 1742403959),
	model('gpt-4o-transcribe', 'openai', 1742068463),
	// video and music
	model('kling-v1', 'kling', 1717977600),
	model('kling-v2-1-master', 'kling', 1750636800),
	model('sora-2', 'openai', 1759363200),
	model('veo3', 'vertex-ai', 1747699200),
	model('veo3-fast', 'vertex-ai', undefined),
	model('veo3-chat', 'custom', 1748563200, T.chat),
	model('suno_music', 'suno', undefined),
	model('suno-v4.5', 'suno', 0),
];

export function cloneModels(models: readonly SandboxModel[]): SandboxModel[] {
	return models.map((m) => ({
		...m,
		...(m.supported_endpoint_types ? { supported_endpoint_types: [...m.supported_endpoint_types] } : {}),
	}));
}

export function modelListBody(models: readonly SandboxModel[]): object {
	return { object: 'list', success: true, data: models };
}
