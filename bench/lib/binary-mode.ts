import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';

export type BinaryMode = 'filesystem' | 'memory';

/**
 * n8n 2.x keeps binary data in files by default (N8N_DEFAULT_BINARY_DATA_MODE=filesystem; database
 * in queue mode); the harness keeps it inline as base64 (n8n's old in-memory "default" mode).
 * "filesystem" turns this process's BinaryDataService into n8n's filesystem one, in a temp folder.
 */
export async function useBinaryMode(mode: BinaryMode): Promise<() => void> {
	if (mode === 'memory') return () => {};
	const service = Container.get(BinaryDataService) as unknown as {
		config: { mode: string; localStoragePath: string; availableModes: string[] };
		init(): Promise<void>;
	};
	const storagePath = mkdtempSync(path.join(tmpdir(), 'deerapi-bench-binary-'));
	service.config.mode = 'filesystem';
	service.config.availableModes = ['filesystem'];
	service.config.localStoragePath = storagePath;
	await service.init();
	return () => rmSync(storagePath, { recursive: true, force: true });
}
