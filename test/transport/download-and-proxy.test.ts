import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

import { startSandbox, type Sandbox } from '../../sandbox';
import {
	RelayApiError,
	RelayClient,
	RelayDownloadError,
} from '../../nodes/shared/transport';
import { failure } from './loopback';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(async () => await sandbox.close());
beforeEach(() => {
	sandbox.clearRequests();
	sandbox.clearFaults();
});

function client() {
	return new RelayClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey, retryInitialDelayMs: 5 });
}

describe('download', () => {
	it('fetches bytes without ever sending the API key', async () => {
		const url = sandbox.fileUrl('sample.png');
		const { bytes, contentType } = await client().download(url);
		expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
		expect(contentType).toBe('image/png');
		const request = sandbox.lastRequest()!;
		expect(request.path).toBe('/files/sample.png');
		expect(request.headers.authorization).toBeUndefined();
		expect(JSON.stringify(request.headers)).not.toContain(sandbox.apiKey);
	});

	it('follows redirects to the final file', async () => {
		const target = '/files/sample.webp';
		const download = await client().download(`${sandbox.url}/files/redirect?to=${encodeURIComponent(target)}`);
		expect(download.bytes.toString('latin1', 8, 12)).toBe('WEBP');
		expect(sandbox.requests.map((request) => request.path)).toEqual(['/files/redirect', target]);
	});

	it('a 404 is an error with the status, not retried', async () => {
		const error = (await failure(client().download(sandbox.fileUrl('missing.png')))) as RelayDownloadError;
		expect(error).toBeInstanceOf(RelayDownloadError);
		expect(error.reason).toBe('status');
		expect(error.cause).toBeInstanceOf(RelayApiError);
		expect(error.status).toBe(404);
		expect(error.url).toBe(sandbox.fileUrl('missing.png'));
		expect(sandbox.requests).toHaveLength(1);
	});

	it('a 503 is retried like any request', async () => {
		sandbox.fault({ path: /^\/files\//, status: 503 });
		const download = await client().download(sandbox.fileUrl('sample.jpg'));
		expect(download.bytes[0]).toBe(0xff);
		expect(sandbox.requests).toHaveLength(2);
	});

	it('refuses a body over the size limit', async () => {
		const error = (await failure(
			client().download(`${sandbox.url}/files/big.png?bytes=300000`, { maxBytes: 100_000 }),
		)) as RelayDownloadError;
		expect(error).toBeInstanceOf(RelayDownloadError);
		expect(error.kind).toBe('download');
		expect(error.reason).toBe('too-large');
		expect(error.message).toMatch(/^The answer is larger than the limit of 97\.7 KB \(at least .+\)$/);
	});

	it.each(['ftp://example.com/x.png', 'file:///etc/passwd', 'not a url'])(
		'refuses %j without sending anything',
		async (url) => {
			const error = await failure(client().download(url));
			expect(error).toBeInstanceOf(RelayDownloadError);
			expect((error as RelayDownloadError).reason).toBe('bad-url');
			expect(error.message).toMatch(/^Cannot download ".*": /);
			expect(sandbox.requests).toHaveLength(0);
		},
	);
});

describe('HTTP_PROXY / NO_PROXY, as n8n honours them', () => {
	let proxy: Server;
	let proxyUrl: string;
	const tunnels: string[] = [];
	const sockets = new Set<Socket>();
	const saved = { ...process.env };

	beforeAll(async () => {
		// A forward proxy that only tunnels (CONNECT), which is how undici's ProxyAgent talks.
		proxy = createServer();
		proxy.on('connect', (request, client: Socket, head) => {
			tunnels.push(request.url ?? '');
			const [host, port] = (request.url ?? '').split(':');
			const upstream = connect(Number(port), host, () => {
				client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
				upstream.write(head);
				upstream.pipe(client);
				client.pipe(upstream);
			});
			for (const socket of [client, upstream]) {
				sockets.add(socket);
				socket.on('close', () => sockets.delete(socket));
				socket.on('error', () => socket.destroy());
			}
		});
		proxy.listen(0, '127.0.0.1');
		await once(proxy, 'listening');
		proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		process.env = saved;
		for (const socket of sockets) socket.destroy();
		proxy.close();
	});
	beforeEach(() => {
		tunnels.length = 0;
		jest.resetModules();
	});

	async function freshTransport() {
		// The pooled agent reads the proxy variables once, when it is first made.
		return (await import('../../nodes/shared/transport')) as typeof import('../../nodes/shared/transport');
	}

	it('sends through HTTP_PROXY', async () => {
		process.env.HTTP_PROXY = proxyUrl;
		process.env.NO_PROXY = '';
		const { RelayClient: FreshClient } = await freshTransport();
		const { body } = await new FreshClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey }).listModels();
		expect(body.length).toBeGreaterThan(10);
		expect(tunnels).toEqual([new URL(sandbox.url).host]);
	});

	it('goes direct for hosts in NO_PROXY', async () => {
		process.env.HTTP_PROXY = proxyUrl;
		process.env.NO_PROXY = '127.0.0.1';
		const { RelayClient: FreshClient } = await freshTransport();
		await new FreshClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey }).listModels();
		expect(tunnels).toEqual([]);
		expect(sandbox.lastRequest('/v1/models')).toBeDefined();
	});
});
