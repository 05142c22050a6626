/**
 * The n8n engine line this process runs against: `npm test` loads the package's own
 * devDependencies (2.x), `npm run test:n8n1` maps the engine packages to test/engines/n8n-1 (1.x,
 * see its jest.config.js). For the few assertions where the two lines answer differently, so each
 * states what it expects, and for the test that proves a run has one copy of each.
 */
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The folder whose node_modules holds this run's engine packages (set by the 1.x jest config). */
export const ENGINE_DIR: string = (globalThis as { N8N_ENGINE_DIR?: string }).N8N_ENGINE_DIR ?? ROOT;

/**
 * The packages that make up an engine line and must each be one copy in a run: the 1.x folder's
 * dependencies, which its jest config maps for every module that asks for them.
 */
export const ENGINE_PACKAGES: string[] = Object.keys(
	(require('../engines/n8n-1/package.json') as { dependencies: Record<string, string> }).dependencies,
);

export const N8N_WORKFLOW_VERSION = (require('n8n-workflow/package.json') as { version: string }).version;

export const ENGINE_MAJOR = Number(N8N_WORKFLOW_VERSION.split('.')[0]);
