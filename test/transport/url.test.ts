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
		['https://api.deerapi.com/v1', '/suno/fetch/task_1', 'https://api.deerapi.com/suno/fetch/task_1'],
		['https://host/openai/v1', '/suno/submit/music', 'https://host/openai/suno/submit/music'],
		['https://ark.cn-beijing.volces.com/api/v3', '/suno/fetch', 'https://ark.cn-beijing.volces.com/api/suno/fetch'],
	])('%s + %j -> %s (a leading "/" is below the relay root, beside the version segment)', (root, endpoint, expected) => {
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

	it('refuses an empty API key before sending anything', () => {
		expect(() => new RelayClient({ baseUrl: sandbox.url, apiKey: '  ' })).toThrow(
			'The API key is empty',
		);
		expect(sandbox.requests).toHaveLength(0);
	});
});
