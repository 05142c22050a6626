/**
 * The one redaction of the API key (transport/secret.ts): the secret part masked wherever a run of
 * it appears, whatever prefix and case it comes with, and ordinary text left alone. The client's
 * errors pass through it at their one exit; the node-level proof is test/nodes/key-echo.test.ts.
 */
import { RelayClient, RelayConfigError, type RelayError } from '../../nodes/shared/transport';
import { keyRedactor, secretPart } from '../../nodes/shared/transport/secret';
import { startSandbox, type Sandbox } from '../../sandbox';

const KEY = 'sk-Qw3rTy7uIo9pAsDfGh2jKlZx5cVbNm8Q1w2E3r4T5y6U7i8O';
const SECRET = KEY.slice(3);

describe('keyRedactor', () => {
	const redact = keyRedactor(KEY);

	it.each([
		['the whole key', `Incorrect API key provided: ${KEY}`, 'Incorrect API key provided: sk-***'],
		['the key without "sk-" (one-api)', `无效的令牌 token ${SECRET} not found`, '无效的令牌 token *** not found'],
		['an upper-case prefix', `bad key SK-${SECRET}.`, 'bad key SK-***.'],
		['the Authorization header', `Authorization: Bearer ${KEY}`, 'Authorization: Bearer sk-***'],
		['the whole text in lower case', `authorization: bearer ${KEY.toLowerCase()}`, 'authorization: bearer sk-***'],
		['in upper case', `TOKEN ${SECRET.toUpperCase()} EXPIRED`, 'TOKEN *** EXPIRED'],
		['twice', `${SECRET}/${KEY}`, '***/sk-***'],
		['cut off by a quote limit', `…"token":"${SECRET.slice(0, 17)}…`, '…"token":"***…'],
		['its end only', `key ending ${SECRET.slice(-12)}`, 'key ending ***'],
		['inside JSON', JSON.stringify({ error: { message: `token ${SECRET} not found` } }), '{"error":{"message":"token *** not found"}}'],
	])('masks %s', (_case, text, expected) => {
		expect(redact(text)).toBe(expected);
	});

	it('leaves text without a run of 8 of its characters as it is', () => {
		const text = `无效的令牌 (request id: 20250101123456789abcdefgh) ${SECRET.slice(0, 7)} Qw3rTy7`;
		expect(redact(text)).toBe(text);
	});

	it('leaves a word a hand-made key happens to hold, and masks its fragments with digits or of 16 letters', () => {
		const redactWords = keyRedactor('sk-embeddings-node-test-7e3a9b');
		expect(redactWords('The embeddings answer has no "data" array; Embedding 1 of the answer')).toBe(
			'The embeddings answer has no "data" array; Embedding 1 of the answer',
		);
		expect(redactWords('token embeddings-node-test-7e3a9b, or test-7e3a9b, or embeddings-node-te')).toBe('token ***, or ***, or ***');
	});

	it('masks the part new-api looks up of a key with a channel suffix ("sk-<key>-<channel>")', () => {
		const withChannel = keyRedactor(`${KEY}-7`);
		expect(withChannel(`token ${SECRET} not found`)).toBe('token *** not found');
	});

	it('takes the secret part out of a key pasted with "Bearer " or an upper-case prefix', () => {
		expect(secretPart(`Bearer ${KEY}`)).toBe(SECRET);
		expect(secretPart(`  SK-${SECRET} `)).toBe(SECRET);
		expect(keyRedactor(`Bearer ${KEY}`)(`token ${SECRET}`)).toBe('token ***');
	});

	it('a key without a prefix is all secret', () => {
		expect(keyRedactor(SECRET)(`token ${SECRET} not found`)).toBe('token *** not found');
	});

	it('a secret too short to tell from words is masked only after its prefix', () => {
		const redactShort = keyRedactor('sk-test');
		expect(redactShort('key sk-test and SK-test and Bearer test rejected')).toBe('key sk-*** and SK-*** and Bearer *** rejected');
		expect(redactShort('the test suite; sk-tester')).toBe('the test suite; sk-tester');
	});
});

describe('every error of the client leaves through the redaction', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ apiKey: KEY });
	});
	afterAll(async () => await sandbox.close());
	beforeEach(() => sandbox.clearFaults());

	const failure = async (promise: Promise<unknown>) => (await promise.then(() => undefined, (error: unknown) => error)) as RelayError;

	it('message, relay message, stack, everything enumerable, and what onRetry is told', async () => {
		sandbox.fault({ path: '/v1/models', status: 503, body: { error: { message: `token ${SECRET} overloaded`, param: SECRET } }, times: 2 });
		const told: RelayError[] = [];
		const client = new RelayClient({ apiKey: KEY, baseUrl: sandbox.url, maxRetries: 1, retryInitialDelayMs: 1, retryMaxDelayMs: 1 });
		const error = await failure(client.listModels({ onRetry: ({ error: retried }) => told.push(retried) }));
		expect(error.message).toBe('503 Service Unavailable: token *** overloaded');
		expect(error.relayMessage).toBe('token *** overloaded');
		expect(`${error.stack} ${JSON.stringify(error)}`).not.toContain(SECRET.slice(0, 8));
		expect(told.map((retried) => retried.message)).toEqual(['503 Service Unavailable: token *** overloaded']);
	});

	it('the key pasted into the Base URL field is not quoted back', () => {
		const build = () => new RelayClient({ apiKey: KEY, baseUrl: KEY });
		expect(build).toThrow(RelayConfigError);
		expect(build).toThrow('Base URL "sk-***" is not a valid URL');
	});
});
