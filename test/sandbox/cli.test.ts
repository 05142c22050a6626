import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';

/** The CLI as `npm run sandbox` runs it: plain JavaScript in a separate process. */
function compileSandbox(): string {
	const outDir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
	const sourceDir = join(__dirname, '..', '..', 'sandbox');
	for (const file of readdirSync(sourceDir).filter((f) => f.endsWith('.ts'))) {
		const { outputText } = ts.transpileModule(readFileSync(join(sourceDir, file), 'utf8'), {
			compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
		});
		writeFileSync(join(outDir, file.replace(/\.ts$/, '.js')), outputText);
	}
	return outDir;
}

function waitForOutput(child: ChildProcessWithoutNullStreams, pattern: RegExp, output: () => string): Promise<RegExpMatchArray> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; got:\n${output()}`)), 5000);
		const check = () => {
			const match = pattern.exec(output());
			if (match) {
				clearTimeout(timer);
				child.stdout.off('data', check);
				resolve(match);
			}
		};
		child.stdout.on('data', check);
		check();
	});
}

describe('sandbox CLI', () => {
	let outDir: string;

	beforeAll(() => {
		outDir = compileSandbox();
	});
	afterAll(() => rmSync(outDir, { recursive: true, force: true }));

	it('prints the base URL and key, logs requests without the key, and stops on SIGTERM', async () => {
		const child = spawn(process.execPath, [join(outDir, 'cli.js'), '--port', '0', '--key', 'sk-cli-secret'], {
			env: { ...process.env, SANDBOX_PORT: '' },
		});
		let stdout = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
		try {
			const [, url] = await waitForOutput(child, /Base URL[^:]*: (http:\/\/127\.0\.0\.1:\d+)[\s\S]*Ctrl\+C/, () => stdout);
			expect(stdout).toContain('sk-cli-secret');
			expect(stdout).toMatch(/fake, deterministic/);
			const printedBeforeRequests = stdout.length;

			const ok = await fetch(`${url}/v1/chat/completions`, {
				method: 'POST',
				headers: { authorization: 'Bearer sk-cli-secret', 'content-type': 'application/json' },
				body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'cli' }] }),
			});
			expect(((await ok.json()) as any).choices[0].message.content).toBe('Sandbox reply to: cli');
			const denied = await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer sk-wrong-secret' } });
			expect(denied.status).toBe(401);
			await denied.text();

			await waitForOutput(child, /GET \/v1\/models 401 \d+ms/, () => stdout);
			const log = stdout.slice(printedBeforeRequests);
			expect(log).toMatch(/POST \/v1\/chat\/completions 200 \d+ms/);
			expect(log).not.toContain('sk-cli-secret');
			expect(log).not.toContain('sk-wrong-secret');
			expect(log.toLowerCase()).not.toContain('authorization');

			child.kill('SIGTERM');
			expect(await exited).toBe(0);
		} finally {
			if (child.exitCode === null) child.kill('SIGKILL');
		}
	});
});
