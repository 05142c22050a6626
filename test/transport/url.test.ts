import { startSandbox, type Sandbox } from '../../sandbox';
import { RelayClient, RelayConfigError, endpointUrl, normalizeBaseUrl } from '../../nodes/shared/transport';

describe('normalizeBaseUrl', () => {
	it.each([
		['https://api.deerapi.com', 'https://api.deerapi.com/v1'],
		['https://api.deerapi.com/', 'https://api.deerapi.com/v1'],
		['https://api.deerapi.com/v1', 'https://api.deerapi.com/v1'],
		['https://api.deerapi.com/v1/', 'https://api.deerapi.com/v1'],
		['  https://api.deerapi.com/v1//  ', 'https://api.deerapi.com/v1'],
		['https://host/openai/v1', 'https://host/openai/v1'],
		['https://host/openai', 'https://host/openai/v1'],
		['https://ark.cn-beijing.volces.com/api/v3', 'https://ark.cn-beijing.volces.com/api/v3'],
		['https://api.deerapi.com/v1/chat/completions', 'https://api.deerapi.com/v1'],
		['http://127.0.0.1:8787', 'http://127.0.0.1:8787/v1'],
		['', 'https://api.deerapi.com/v1'],
	])('%j -> %s', (input, expected) => {
		expect(normalizeBaseUrl(input)).toBe(expected);
	});

	// Every endpoint the package calls, and those the next nodes call: pasted whole, each is cut
	// back to the API root; a path prefix before it is kept.
	const PASTED_ENDPOINTS = [
		'/v1/chat/completions',
		'/v1/embeddings',
		'/v1/audio/speech',
		'/v1/audio/transcriptions',
		'/v1/audio/translations',
		'/v1/images/generations',
		'/v1/images/edits',
		'/v1/models',
		'/v1/models/gpt-4o-mini',
		'/v1/videos',
		'/v1/videos/video_68d7512d07848190b3e45da0ecbebcde',
		'/v1/videos/task_abc123/content',
		'/v1/video/generations',
		'/v1/video/generations/task_abc123',
		'/v1/dashboard/billing/subscription',
		'/v1/dashboard/billing/usage',
		'/mj/submit/imagine',
		'/mj/task/1712345678901234/fetch',
		'/mj-fast/mj/submit/imagine',
		'/mj-relax/mj/task/list-by-condition',
		'/mj-turbo/mj/submit/action',
		'/suno/submit/music',
		'/suno/fetch/abc-123',
		'/api/usage/token',
	];

	it.each(PASTED_ENDPOINTS)('an endpoint pasted as the base URL is cut back to the root: %s', (endpoint) => {
		expect(normalizeBaseUrl(`https://api.deerapi.com${endpoint}`)).toBe('https://api.deerapi.com/v1');
		expect(normalizeBaseUrl(`https://api.deerapi.com${endpoint}/`)).toBe('https://api.deerapi.com/v1');
		expect(normalizeBaseUrl(`https://host/openai${endpoint}?a=1#top`)).toBe('https://host/openai/v1');
	});

	it('keeps a version segment other than /v1 before a pasted endpoint', () => {
		expect(normalizeBaseUrl('https://ark.cn-beijing.volces.com/api/v3/chat/completions')).toBe('https://ark.cn-beijing.volces.com/api/v3');
		expect(normalizeBaseUrl('https://open.bigmodel.cn/api/paas/v4/embeddings')).toBe('https://open.bigmodel.cn/api/paas/v4');
	});

	it('leaves a path prefix that only looks like an endpoint in part', () => {
		expect(normalizeBaseUrl('https://host/models-gateway')).toBe('https://host/models-gateway/v1');
		expect(normalizeBaseUrl('https://host/mjx/v1')).toBe('https://host/mjx/v1');
		expect(normalizeBaseUrl('https://host/suno-proxy')).toBe('https://host/suno-proxy/v1');
	});

	it.each([
		['ftp://api.deerapi.com', /must start with http:\/\/ or https:\/\/ \(got "ftp:"\)/],
		['api.deerapi.com', /is not a valid URL/],
		['file:///etc/passwd', /must start with http:\/\/ or https:\/\//],
	])('refuses %j with a clear message', (input, message) => {
		expect(() => normalizeBaseUrl(input)).toThrow(RelayConfigError);
		expect(() => normalizeBaseUrl(input)).toThrow(message);
	});
});

describe('endpointUrl', () => {
	it.each([
		['https://api.deerapi.com/v1', 'chat/completions', 'https://api.deerapi.com/v1/chat/completions'],
		['https://api.deerapi.com/v1', '/mj/submit/imagine', 'https://api.deerapi.com/mj/submit/imagine'],
		['https://host/openai/v1', '/mj-fast/mj/submit/imagine', 'https://host/openai/mj-fast/mj/submit/imagine'],
		['https://host/api/v3', '/suno/fetch/1', 'https://host/api/suno/fetch/1'],
		['https://api.deerapi.com/v1', '/suno/fetch/task_1', 'https://api.deerapi.com/suno/fetch/task_1'],
		['https://host/openai/v1', '/suno/submit/music', 'https://host/openai/suno/submit/music'],
		['https://ark.cn-beijing.volces.com/api/v3', '/suno/fetch', 'https://ark.cn-beijing.volces.com/api/suno/fetch'],
	])('%s + %s -> %s (a leading slash: beside the versioned API)', (root, endpoint, expected) => {
		expect(endpointUrl(root, endpoint)).toBe(expected);
	});
});

describe('every base URL form reaches /v1/chat/completions over a real socket', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(async () => await sandbox.close());
	beforeEach(() => sandbox.clearRequests());

	it.each([
		['', '/v1/chat/completions'],
		['/', '/v1/chat/completions'],
		['/v1', '/v1/chat/completions'],
		['/v1/', '/v1/chat/completions'],
		['/openai/v1', '/openai/v1/chat/completions'],
		['/openai', '/openai/v1/chat/completions'],
	])('base "<sandbox>%s" -> %s', async (suffix, path) => {
		const client = new RelayClient({ baseUrl: sandbox.url + suffix, apiKey: sandbox.apiKey });
		const { body } = await client.chat({
			model: 'gpt-4o-mini',
			messages: [{ role: 'user', content: 'hi' }],
		});
		expect(body.choices[0].message.content).toBe('Sandbox reply to: hi');
		expect(sandbox.requests.map((request) => request.path)).toEqual([path]);
	});

	it.each([
		['/v1/embeddings', 'embeddings'],
		['/v1/audio/speech', 'speech'],
		['/v1/images/generations', 'images'],
		['/v1/images/edits', 'models'],
		['/v1/models', 'models'],
		['/openai/v1/embeddings', 'embeddings'],
	])('base "<sandbox>%s": each call goes to its own endpoint, not below the pasted one', async (suffix, call) => {
		const client = new RelayClient({ baseUrl: sandbox.url + suffix, apiKey: sandbox.apiKey });
		const prefix = suffix.startsWith('/openai') ? '/openai' : '';
		if (call === 'embeddings') await client.embeddings({ model: 'text-embedding-3-small', input: ['hi'] });
		if (call === 'speech') await client.speech({ model: 'tts-1', input: 'hi', voice: 'alloy' });
		if (call === 'images') await client.generateImages({ model: 'dall-e-3', prompt: 'a deer' });
		if (call === 'models') await client.listModels();
		const expected = { embeddings: '/v1/embeddings', speech: '/v1/audio/speech', images: '/v1/images/generations', models: '/v1/models' }[call];
		expect(sandbox.requests.map((request) => request.path)).toEqual([`${prefix}${expected}`]);
	});

	it('refuses an empty API key before sending anything', () => {
		expect(() => new RelayClient({ baseUrl: sandbox.url, apiKey: '  ' })).toThrow(
			'The API key is empty',
		);
		expect(sandbox.requests).toHaveLength(0);
	});
});
