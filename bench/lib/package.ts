import type { INodeExecutionData } from 'n8n-workflow';

import { createHarness, singleNodeWorkflow, type WorkflowHarness } from '../../harness/workflow';
import { REPO_ROOT } from './transport';

export const PACKAGE_NAME = 'n8n-nodes-deerapi-relay';
export const CHAT_TYPE = `${PACKAGE_NAME}.deerApiChat`;
export const IMAGE_TYPE = `${PACKAGE_NAME}.deerApiImageGenerate`;
export const EMBEDDINGS_TYPE = `${PACKAGE_NAME}.deerApiEmbeddings`;
export const VIDEO_TYPE = `${PACKAGE_NAME}.deerApiVideo`;
export const MIDJOURNEY_TYPE = `${PACKAGE_NAME}.deerApiMidjourney`;

/**
 * The built package (dist/), loaded like n8n loads an installed community package. BENCH_PACKAGE_DIR
 * names another package folder (package.json + dist/), e.g. an experimental copy.
 */
export function packageDir(): string {
	return process.env.BENCH_PACKAGE_DIR ?? REPO_ROOT;
}

export function packageHarness(): WorkflowHarness {
	return createHarness({ packageDir: packageDir() });
}

export function byId(model: string) {
	return { __rl: true, mode: 'id', value: model };
}

export function credentialsFor(server: { url: string; apiKey: string }) {
	return { deerApiRelayApi: { apiKey: server.apiKey, baseUrl: server.url, authFormat: 'bearer' } };
}

export { singleNodeWorkflow };
export type { INodeExecutionData };
