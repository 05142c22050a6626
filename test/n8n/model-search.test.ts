import { NodeApiError } from 'n8n-workflow';

import { clearModelListCache } from '../../nodes/shared/n8n/model-search';
import { DEFAULT_MODELS, startSandbox, type Sandbox, type SandboxModel } from '../../sandbox';
import { DeerApiAudio } from '../../nodes/DeerApiAudio/DeerApiAudio.node';
import { openNodePicker, openPicker } from './picker-context';

const model = (id: string, supported_endpoint_types?: string[]): SandboxModel => ({
	id,
	object: 'model',
	owned_by: 'custom',
	...(supported_endpoint_types ? { supported_endpoint_types } : {}),
});

// Ids of every vendor, in no order, some without endpoint types, one listed twice.
const MIXED: SandboxModel[] = [
	model('kling-v10'),
	model('gpt-4o', ['openai']),
	model('Kling-v2'),
	model('doubao-seedream-4-0-250828', ['image-generation']),
	model('claude-sonnet-4-20250514', ['anthropic', 'openai']),
	model('gpt-4o-image', ['openai']),
	model('my-house-model'),
	model('mj_imagine'),
	model('deepseek-r1', ['openai']),
	model('text-embedding-3-small', ['embeddings']),
	model('gpt-4o', ['openai']),
];

describe('model pickers (searchModels and the kind-first ones) through n8n-core LoadOptionsContext', () => {
	let sandbox: Sandbox;
	const credential = () => ({ apiKey: sandbox.apiKey, baseUrl: sandbox.url, authFormat: 'bearer' });
	const modelRequests = () => sandbox.requests.filter((r) => r.path === '/v1/models');

	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(() => sandbox.close());
	beforeEach(() => {
		clearModelListCache();
		sandbox.clearRequests();
		sandbox.clearFaults();
		sandbox.setModels([...DEFAULT_MODELS]);
	});
	afterEach(() => jest.restoreAllMocks());

	it('lists every id the relay sends, no vendor filter, sorted', async () => {
		sandbox.setModels(MIXED);
		const ids = await openPicker('searchModels', credential()).ids();
		expect(ids).toEqual([
			'claude-sonnet-4-20250514',
			'deepseek-r1',
			'doubao-seedream-4-0-250828',
			'gpt-4o',
			'gpt-4o-image',
			'Kling-v2',
			'kling-v10',
			'mj_imagine',
			'my-house-model',
			'text-embedding-3-small',
		]);
		const request = modelRequests()[0];
		expect(request.method).toBe('GET');
		expect(request.headers.authorization).toBe(`Bearer ${sandbox.apiKey}`);
	});

	it('shows all of a long list (every one of the sandbox ids) with its type and owner', async () => {
		const result = await openPicker('searchModels', credential()).search();
		expect(result.results.map((r) => r.value).sort()).toEqual(DEFAULT_MODELS.map((m) => m.id).sort());
		expect(result.results.find((r) => r.value === 'dall-e-2')).toEqual({ name: 'dall-e-2 · image · openai', value: 'dall-e-2' });
		expect(result.results.find((r) => r.value === 'gpt-4o')?.name).toBe('gpt-4o · chat · openai');
	});

	it('names an entry without an owner by id and type alone', async () => {
		sandbox.setModels([{ id: 'my-house-model', object: 'model' } as SandboxModel, model('flux-pro')]);
		const result = await openPicker('searchModels', credential()).search();
		expect(result.results).toEqual([
			{ name: 'flux-pro · image · custom', value: 'flux-pro' },
			{ name: 'my-house-model · chat', value: 'my-house-model' },
		]);
	});

	it('Image Generate lists image models first, then everything else, each part sorted', async () => {
		sandbox.setModels(MIXED);
		const ids = await openPicker('searchImageModels', credential()).ids();
		expect(ids).toEqual([
			'doubao-seedream-4-0-250828',
			'gpt-4o-image',
			'mj_imagine',
			'claude-sonnet-4-20250514',
			'deepseek-r1',
			'gpt-4o',
			'Kling-v2',
			'kling-v10',
			'my-house-model',
			'text-embedding-3-small',
		]);
	});

	it('Embeddings lists embedding models first, Audio audio models first', async () => {
		sandbox.setModels([
			...MIXED,
			model('whisper-1'),
			model('bge-m3'),
			model('gpt-4o-mini-tts', ['openai']),
			model('gpt-4o-transcribe', ['openai']),
			model('tts-1'),
		]);
		const embeddings = await openPicker('searchEmbeddingModels', credential()).ids();
		expect(embeddings.slice(0, 3)).toEqual(['bge-m3', 'text-embedding-3-small', 'claude-sonnet-4-20250514']);
		expect(embeddings).toHaveLength(15);
		// Without an operation (a node that has none), Audio's picker lists speech models first.
		const audio = await openPicker('searchAudioModels', credential()).ids();
		expect(audio.slice(0, 5)).toEqual(['gpt-4o-mini-tts', 'tts-1', 'gpt-4o-transcribe', 'whisper-1', 'bge-m3']);
		expect(audio).toHaveLength(15);
		expect(modelRequests()).toHaveLength(1);
	});

	describe("Audio lists the models that fit its operation first, in the node's own picker", () => {
		const audioModels = [
			...MIXED,
			model('suno_music'),
			model('chirp-v4'),
			model('whisper-1'),
			model('tts-1-hd'),
			model('gpt-4o-mini-tts', ['openai']),
			model('gpt-4o-transcribe', ['openai']),
			model('gpt-4o-realtime-preview'),
			model('tts-1'),
		];
		const fitting = {
			textToSpeech: ['gpt-4o-mini-tts', 'tts-1', 'tts-1-hd'],
			transcribe: ['gpt-4o-transcribe', 'whisper-1'],
			translate: ['gpt-4o-transcribe', 'whisper-1'],
		};

		it.each(Object.entries(fitting))('%s: %j first, then the other audio models, then the rest', async (operation, first) => {
			sandbox.setModels(audioModels);
			const ids = await openNodePicker(new DeerApiAudio(), credential(), { operation }).ids();
			expect(ids.slice(0, first.length)).toEqual(first);
			const otherAudio = ['chirp-v4', 'gpt-4o-mini-tts', 'gpt-4o-realtime-preview', 'gpt-4o-transcribe', 'suno_music', 'tts-1', 'tts-1-hd', 'whisper-1'].filter(
				(id) => !first.includes(id),
			);
			expect(ids.slice(first.length, 8)).toEqual(otherAudio);
			expect(ids).toHaveLength(18);
		});

		it('a filter keeps the order', async () => {
			sandbox.setModels(audioModels);
			expect(await openNodePicker(new DeerApiAudio(), credential(), { operation: 'transcribe' }).ids('4o')).toEqual([
				'gpt-4o-transcribe',
				'gpt-4o-mini-tts',
				'gpt-4o-realtime-preview',
				'gpt-4o',
				'gpt-4o-image',
			]);
		});
	});

	it('Video lists video models first (by id, and by new-api\'s "openai-video" endpoint type)', async () => {
		sandbox.setModels([...MIXED, model('veo3-fast'), model('kling-v2-1-master'), model('my-sora-channel', ['openai-video']), model('veo3-chat')]);
		const video = await openPicker('searchVideoModels', credential()).ids();
		expect(video.slice(0, 7)).toEqual(['Kling-v2', 'kling-v2-1-master', 'kling-v10', 'my-sora-channel', 'veo3-chat', 'veo3-fast', 'claude-sonnet-4-20250514']);
		// MIXED lists gpt-4o twice: once in the picker.
		expect(video).toHaveLength(MIXED.length - 1 + 4);
	});

	it('matches the filter case-insensitively anywhere in the id', async () => {
		const picker = openPicker('searchModels', credential());
		expect(await picker.ids('SONNET')).toEqual([
			'claude-3-5-sonnet-20241022',
			'claude-3-7-sonnet-20250219',
			'claude-sonnet-4-20250514',
			'claude-sonnet-4-20250514-thinking',
		]);
		expect(await picker.ids('-MINI')).toEqual([
			'gpt-4.1-mini',
			'gpt-4o-mini',
			'gpt-4o-mini-tts',
			'gpt-5-mini',
			'gpt-image-1-mini',
			'o3-mini',
			'o4-mini',
		]);
		expect(await picker.ids('no-such-model')).toEqual([]);
		const image = openPicker('searchImageModels', credential());
		expect(await image.ids('flash')).toEqual([
			'gemini-2.5-flash-image',
			'gemini-2.5-flash-image-preview',
			'gemini-2.0-flash',
			'gemini-2.5-flash',
			'gemini-2.5-flash-lite',
		]);
	});

	it('fetches the list once for a dropdown and all the filters typed into it', async () => {
		const picker = openPicker('searchModels', credential());
		for (const filter of [undefined, 'g', 'gp', 'gpt', 'gpt-', 'gpt-4', 'gpt-4o', '']) await picker.search(filter);
		await openPicker('searchImageModels', credential()).search('seed');
		// The same relay written another way is the same list.
		await openPicker('searchModels', { ...credential(), baseUrl: `${sandbox.url}/v1/` }).search('o');
		expect(modelRequests()).toHaveLength(1);
	});

	it('serves keystrokes that arrive while the list is loading from the same request', async () => {
		sandbox.setLatency(150);
		try {
			const picker = openPicker('searchModels', credential());
			const results = await Promise.all(['c', 'cl', 'cla', 'clau'].map((filter) => picker.ids(filter)));
			expect(results[3]).toContain('claude-sonnet-4-20250514');
			expect(modelRequests()).toHaveLength(1);
		} finally {
			sandbox.setLatency(0);
		}
	});

	it('fetches again once the list is a minute old', async () => {
		const picker = openPicker('searchModels', credential());
		const start = Date.now();
		const now = jest.spyOn(Date, 'now').mockReturnValue(start);
		await picker.search();
		now.mockReturnValue(start + 59_000);
		await picker.search('gpt');
		expect(modelRequests()).toHaveLength(1);
		sandbox.setModels([model('brand-new-model')]);
		now.mockReturnValue(start + 61_000);
		expect(await picker.ids()).toEqual(['brand-new-model']);
		expect(modelRequests()).toHaveLength(2);
	});

	it('turns a 401 into an error that carries the relay message (what the dropdown shows), never the key', async () => {
		const wrongKey = 'sk-wrong-key-0123456789';
		const picker = openPicker('searchModels', { ...credential(), apiKey: wrongKey });
		const error = await picker.search().then(
			() => undefined,
			(caught: unknown) => caught,
		);
		expect(error).toBeInstanceOf(NodeApiError);
		const apiError = error as NodeApiError;
		// n8n's dropdown puts "401 - " before it: the status is not said twice.
		expect(apiError.message).toMatch(/^Unauthorized: 无效的令牌 \(request id: \w+\)$/);
		expect(apiError.httpCode).toBe('401');
		expect(apiError.description).toContain('Check the API key');
		expect(JSON.stringify({ ...apiError, message: apiError.message, description: apiError.description })).not.toContain(wrongKey);
	});

	it('does not keep a failed list: the next keystroke asks again', async () => {
		sandbox.fault({ path: '/v1/models', status: 401, times: 1 });
		const picker = openPicker('searchModels', credential());
		await expect(picker.search('gpt')).rejects.toThrow(/^Unauthorized: sandbox fault/);
		expect(await picker.ids('gpt-5')).toEqual(['gpt-5', 'gpt-5-mini']);
		expect(modelRequests()).toHaveLength(2);
		// ...and then keeps the good one.
		await picker.search('gpt-4');
		expect(modelRequests()).toHaveLength(2);
	});

	it('shows a network failure as an error naming the problem', async () => {
		const closed = await startSandbox();
		const url = closed.url;
		await closed.close();
		const picker = openPicker('searchModels', { ...credential(), baseUrl: url });
		await expect(picker.search()).rejects.toThrow(/127\.0\.0\.1|connect|refused/i);
	});

	it('shows a relay that answers with an HTML page as an error, not an empty list', async () => {
		sandbox.fault({ path: '/v1/models', status: 502, html: true, times: 2 });
		const picker = openPicker('searchModels', credential());
		await expect(picker.search()).rejects.toThrow(/502/);
	});
});
