import { DEFAULT_MODELS } from '../../sandbox';
import {
	classifyModel,
	compareModelIds,
	MODEL_KINDS,
	audioUse,
	pickModels,
	uniqueModels,
	type ModelKind,
} from '../../nodes/shared/transport/model-kinds';
import type { ModelEntry } from '../../nodes/shared/transport';

const byId = (id: string, supported_endpoint_types?: string[]) => classifyModel({ id, supported_endpoint_types });

describe('classifyModel', () => {
	// Every entry of the sandbox's list, which mirrors a DeerAPI / new-api list: about half of
	// them come without supported_endpoint_types, so the id has to decide.
	const expected: Record<ModelKind, string[]> = {
		chat: [
			'gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-5', 'gpt-5-mini', 'o3-mini', 'o4-mini',
			'chatgpt-4o-latest', 'claude-3-5-sonnet-20241022', 'claude-3-7-sonnet-20250219',
			'claude-sonnet-4-20250514', 'claude-opus-4-1-20250805', 'claude-sonnet-4-20250514-thinking',
			'gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.0-flash', 'deepseek-chat',
			'deepseek-reasoner', 'deepseek-r1', 'deepseek-v3', 'deepseek-v3.1', 'doubao-1-5-pro-32k-250115',
			'doubao-seed-1-6-250615', 'doubao-seed-1-6-thinking-250715', 'qwen-max', 'qwen-plus',
			'qwen3-235b-a22b', 'glm-4.5', 'kimi-k2-0711-preview', 'grok-4', 'llama-3.3-70b-instruct',
		],
		image: [
			'gpt-4o-image', 'gpt-4o-image-vip', 'gemini-2.5-flash-image', 'gemini-2.5-flash-image-preview',
			'gpt-image-1', 'gpt-image-1-mini', 'dall-e-3', 'dall-e-2', 'doubao-seedream-4-0-250828',
			'doubao-seedream-4-5-251128', 'doubao-seedream-3-0-t2i-250415', 'flux-kontext-pro',
			'flux-kontext-max', 'flux-schnell', 'flux-1.1-pro', 'mj_imagine', 'mj_variation', 'ideogram-v3',
		],
		embedding: ['text-embedding-3-small', 'text-embedding-3-large', 'text-embedding-ada-002'],
		audio: ['whisper-1', 'tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'gpt-4o-transcribe', 'suno_music', 'suno-v4.5'],
		video: ['kling-v1', 'kling-v2-1-master', 'sora-2', 'veo3', 'veo3-fast', 'veo3-chat'],
		moderation: ['omni-moderation-latest'],
		other: ['jina-reranker-v2-base-multilingual'],
	};

	it('classifies every model of the sandbox list, with and without endpoint types', () => {
		const actual: Record<string, string[]> = Object.fromEntries(MODEL_KINDS.map((kind) => [kind, []]));
		for (const model of DEFAULT_MODELS) actual[classifyModel(model)].push(model.id);
		expect(actual).toEqual(expected);
	});

	it.each([
		['gpt-4o-image', 'image'],
		['gpt-4o-mini-tts', 'audio'],
		['text-embedding-3-small', 'embedding'],
		['omni-moderation-latest', 'moderation'],
		['kling-v1', 'video'],
		['suno', 'audio'],
		['mj_imagine', 'image'],
		['deepseek-r1', 'chat'],
		['jina-reranker', 'other'],
		['claude-3-haiku-20240307', 'chat'],
		['foo-bar', 'chat'],
		['sora_image', 'image'],
		['sora-2-pro', 'video'],
		['mj_video', 'video'],
		['kling-image', 'image'],
		['wan2.2-t2i-flash', 'image'],
		['wan2.2-t2v-plus', 'video'],
		['jimeng_t2i_v40', 'image'],
		['imagen-4.0-generate-preview-06-06', 'image'],
		['grok-2-image-1212', 'image'],
		['nano-banana', 'image'],
		['doubao-seedance-1-0-pro-250528', 'video'],
		['MiniMax-Hailuo-02', 'video'],
		['gpt-4o-realtime-preview', 'audio'],
		['gpt-4o-audio-preview', 'audio'],
		['gemini-2.5-flash-preview-tts', 'audio'],
		['bge-m3', 'embedding'],
		['jina-embeddings-v3', 'embedding'],
		['text-moderation-latest', 'moderation'],
		['qwen-vl-max', 'chat'],
		['imagine', 'chat'],
	])('%s (no endpoint types) is %s', (id, kind) => {
		expect(byId(id)).toBe(kind);
	});

	it('lets a specific endpoint type decide, and ignores the generic ones new-api gives every model', () => {
		expect(byId('my-house-painter', ['image-generation', 'openai'])).toBe('image');
		expect(byId('my-house-clip', ['openai-video'])).toBe('video');
		expect(byId('my-house-vectors', ['embeddings'])).toBe('embedding');
		expect(byId('my-house-ranker', ['jina-rerank'])).toBe('other');
		// new-api lists every model of an OpenAI channel as "openai": the id still tells.
		expect(byId('text-embedding-3-small', ['openai'])).toBe('embedding');
		expect(byId('tts-1', ['openai'])).toBe('audio');
		expect(byId('gpt-4o-image', ['openai'])).toBe('image');
		expect(byId('veo3', ['gemini', 'openai'])).toBe('video');
		expect(byId('omni-moderation-latest', ['openai'])).toBe('moderation');
		expect(byId('foo-bar', ['openai'])).toBe('chat');
		// A Jina channel labels its embedding models "jina-rerank" as well.
		expect(byId('jina-embeddings-v3', ['jina-rerank'])).toBe('embedding');
		// Case and odd shapes from other relays.
		expect(byId('x', ['Image-Generation'])).toBe('image');
		expect(classifyModel({ id: 'x', supported_endpoint_types: 'embeddings' as unknown as string[] })).toBe('embedding');
		expect(classifyModel({ id: 'x', supported_endpoint_types: null as unknown as string[] })).toBe('chat');
	});
});

describe('compareModelIds', () => {
	it('sorts ids case-insensitively, numbers by value', () => {
		const ids = ['kling-v10', 'Kling-v2', 'gpt-4o', 'dall-e-3', 'claude-3-5-sonnet', 'GPT-4.1', 'gpt-35-turbo', 'gpt-5'];
		expect([...ids].sort(compareModelIds)).toEqual([
			'claude-3-5-sonnet',
			'dall-e-3',
			'GPT-4.1',
			'gpt-4o',
			'gpt-5',
			'gpt-35-turbo',
			'Kling-v2',
			'kling-v10',
		]);
	});

	it('keeps ids that differ only in case apart, in a fixed order', () => {
		expect(['gpt-4o', 'GPT-4o'].sort(compareModelIds)).toEqual(['GPT-4o', 'gpt-4o']);
		expect(['GPT-4o', 'gpt-4o'].sort(compareModelIds)).toEqual(['GPT-4o', 'gpt-4o']);
	});
});

describe('pickModels', () => {
	const models: ModelEntry[] = [
		{ id: 'gpt-4o', supported_endpoint_types: ['openai'] },
		{ id: 'dall-e-3' },
		{ id: 'Claude-Sonnet-4' },
		{ id: 'text-embedding-3-small' },
		{ id: 'flux-kontext-pro', supported_endpoint_types: ['image-generation'] },
		{ id: 'gpt-4o-image' },
		{ id: 'my-house-model' },
		{ id: 'gpt-4o' },
	];

	it('returns every id once, sorted, with no vendor filter', () => {
		expect(pickModels(models).map((m) => m.id)).toEqual([
			'Claude-Sonnet-4',
			'dall-e-3',
			'flux-kontext-pro',
			'gpt-4o',
			'gpt-4o-image',
			'my-house-model',
			'text-embedding-3-small',
		]);
	});

	it('puts preferred kinds first, each group sorted', () => {
		expect(pickModels(models, { prefer: ['image'] }).map((m) => m.id)).toEqual([
			'dall-e-3',
			'flux-kontext-pro',
			'gpt-4o-image',
			'Claude-Sonnet-4',
			'gpt-4o',
			'my-house-model',
			'text-embedding-3-small',
		]);
	});

	it('filters case-insensitively on any part of the id', () => {
		expect(pickModels(models, { filter: 'SONNET' }).map((m) => m.id)).toEqual(['Claude-Sonnet-4']);
		expect(pickModels(models, { filter: '4o' }).map((m) => m.id)).toEqual(['gpt-4o', 'gpt-4o-image']);
		expect(pickModels(models, { filter: ' -e-3 ' }).map((m) => m.id)).toEqual(['dall-e-3']);
		expect(pickModels(models, { filter: 'nothing-like-this' })).toEqual([]);
		expect(pickModels(models, { filter: '' })).toHaveLength(7);
	});

	it('does not reorder or change the list it is given', () => {
		const copy = structuredClone(models);
		pickModels(models, { prefer: ['image'], filter: 'g' });
		expect(models).toEqual(copy);
	});

	it('keeps the first entry of a repeated id', () => {
		const list: ModelEntry[] = [{ id: 'a', owned_by: 'first' }, { id: 'a', owned_by: 'second' }];
		expect(uniqueModels(list)).toEqual([{ id: 'a', owned_by: 'first' }]);
	});
});

describe('audioUse', () => {
	it.each([
		['tts-1', 'speech'],
		['tts-1-hd', 'speech'],
		['gpt-4o-mini-tts', 'speech'],
		['gemini-2.5-flash-preview-tts', 'speech'],
		['speech-02-hd', 'speech'],
		['cosyvoice-v2', 'speech'],
		['whisper-1', 'transcription'],
		['gpt-4o-transcribe', 'transcription'],
		['gpt-4o-mini-transcribe', 'transcription'],
		['paraformer-asr', 'transcription'],
		['suno_music', undefined],
		['chirp-v4', undefined],
		['gpt-4o-realtime-preview', undefined],
		['gpt-4o-audio-preview', undefined],
		['gpt-4o', undefined],
	])('%s: %s', (id, use) => {
		expect(audioUse({ id })).toBe(use);
	});

	it('puts a use first, then a kind, then the rest', () => {
		const list: ModelEntry[] = ['gpt-4o', 'suno_music', 'whisper-1', 'tts-1', 'chirp-v4', 'gpt-4o-mini-tts'].map((id) => ({ id }));
		expect(pickModels(list, { prefer: ['transcription', 'audio'] }).map((m) => m.id)).toEqual([
			'whisper-1',
			'chirp-v4',
			'gpt-4o-mini-tts',
			'suno_music',
			'tts-1',
			'gpt-4o',
		]);
	});
});
