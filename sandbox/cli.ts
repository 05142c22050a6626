/**
 * `npm run sandbox`: a local fake relay to point an n8n credential at when offline.
 * Flags: --port N (env SANDBOX_PORT; default 8787, or any free port if 8787 is taken),
 *        --key KEY (env SANDBOX_API_KEY; default sk-sandbox), --latency MS, --image-bytes N,
 *        --video-ms MS (how long a video task lasts; default 2000),
 *        --mj-task-ms MS (how long a Midjourney task takes; default 2000),
 *        --suno-ms MS (how long a Suno task takes; default 3000).
 */
import { startSandbox, type ResponseLogEntry, type Sandbox } from './index';

const DEFAULT_PORT = 8787;

function flag(args: string[], name: string): string | undefined {
	const index = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
	if (index < 0) return undefined;
	const arg = args[index];
	return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[index + 1];
}

function numberOrUndefined(value: string | undefined, what: string): number | undefined {
	if (value === undefined || value === '') return undefined;
	const n = Number(value);
	if (!Number.isInteger(n) || n < 0) {
		console.error(`sandbox: ${what} must be a non-negative integer, got "${value}"`);
		process.exit(2);
	}
	return n;
}

function logLine(entry: ResponseLogEntry): void {
	const status = entry.status === 0 ? 'reset' : String(entry.status);
	const cut = entry.completed ? '' : ' (cut short)';
	console.log(`${new Date().toISOString()} ${entry.method} ${entry.path} ${status} ${entry.ms}ms${cut}`);
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	if (args.includes('--help') || args.includes('-h')) {
		console.log('usage: npm run sandbox -- [--port 8787] [--key sk-sandbox] [--latency ms] [--image-bytes n] [--video-ms ms] [--mj-task-ms ms] [--suno-ms ms]');
		return;
	}
	const explicitPort = numberOrUndefined(flag(args, 'port') ?? process.env.SANDBOX_PORT, 'port');
	const apiKey = flag(args, 'key') ?? process.env.SANDBOX_API_KEY ?? 'sk-sandbox';
	const common = {
		apiKey,
		latencyMs: numberOrUndefined(flag(args, 'latency'), 'latency'),
		imageBytes: numberOrUndefined(flag(args, 'image-bytes'), 'image-bytes'),
		videoTaskMs: numberOrUndefined(flag(args, 'video-ms'), 'video-ms'),
		midjourneyTaskMs: numberOrUndefined(flag(args, 'mj-task-ms'), 'mj-task-ms'),
		sunoTaskMs: numberOrUndefined(flag(args, 'suno-ms'), 'suno-ms'),
		onResponse: logLine,
	};

	let sandbox: Sandbox;
	try {
		sandbox = await startSandbox({ ...common, port: explicitPort ?? DEFAULT_PORT });
	} catch (error) {
		const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
		if (!inUse || explicitPort !== undefined) throw error;
		sandbox = await startSandbox({ ...common, port: 0 });
	}

	console.log('DeerAPI sandbox running.');
	console.log(`  Base URL (paste into the n8n credential): ${sandbox.url}`);
	console.log(`  API key:                                  ${sandbox.apiKey}`);
	console.log(`  Balance cases (DeerAPI Account), other keys of this relay:`);
	console.log(`    unlimited key                           ${sandbox.accountKeys.unlimited}`);
	console.log(`    one-api (no /api/usage/token)           ${sandbox.accountKeys.oneApi}`);
	console.log(`    relay without balance routes            ${sandbox.accountKeys.noRoutes}`);
	console.log(`    balance errors as HTTP 200              ${sandbox.accountKeys.error200}`);
	console.log('  It serves fake, deterministic answers only: no real model is called.');
	console.log('  Press Ctrl+C to stop.');

	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		console.log(`\n${signal}: stopping sandbox.`);
		sandbox.close().then(() => process.exit(0));
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
	console.error('sandbox failed to start:', error instanceof Error ? error.message : error);
	process.exit(1);
});
