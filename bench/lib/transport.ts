/**
 * The transport under test, loaded at run time: the built package's (dist/) by default, or an
 * experimental copy named by BENCH_TRANSPORT (a folder holding the compiled transport's index.js),
 * so that a proposed change can be measured side by side without touching the sources.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import type * as Transport from '../../nodes/shared/transport';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export function transportPath(): string {
	const override = process.env.BENCH_TRANSPORT;
	const dir = override ? path.resolve(override) : path.join(REPO_ROOT, 'dist', 'nodes', 'shared', 'transport');
	if (!existsSync(path.join(dir, 'index.js'))) {
		throw new Error(`No compiled transport in ${dir}: run "npm run build" first (or fix BENCH_TRANSPORT)`);
	}
	return dir;
}

export function loadTransport(): typeof Transport {
	return require(transportPath()) as typeof Transport;
}
