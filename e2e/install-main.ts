/** `node build/e2e/install-main.js`: fills the cache only (both lines), for CI warm-up. */
import { LINES } from './config';
import { ensureLine } from './install';
import { stopAllOnSignals } from './processes';

async function main(): Promise<void> {
	stopAllOnSignals();
	const only = process.argv[2];
	for (const line of LINES.filter((l) => !only || l.label === only)) {
		const installed = await ensureLine(line);
		console.log(`[e2e] ${line.label}: n8n ${line.n8nVersion} at ${installed.n8nDir} (${installed.fresh ? 'installed now' : 'cached'})`);
	}
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
