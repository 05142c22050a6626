/**
 * The jest suite on the n8n 1.x engine line (`npm run test:n8n1`, on Node 20 as n8n 1.x runs): the
 * root config, with every module that asks for one of this folder's dependencies (our sources, the
 * built dist/, the harness, n8n's own packages) handed this folder's copy. Only these are named by
 * our code; everything they need in turn resolves from inside this folder's node_modules.
 * test/package/engine-copy.test.ts proves the run has one copy of each.
 */
const { existsSync } = require('node:fs');
const path = require('node:path');

const base = require('../../../jest.config');
const { dependencies } = require('./package.json');

const modules = path.join(__dirname, 'node_modules');
if (!existsSync(path.join(modules, 'n8n-workflow'))) {
	throw new Error(`The n8n 1.x engine line is not installed: run \`npm run install:n8n1\` (npm ci in ${__dirname})`);
}

/** @type {import('jest').Config} */
module.exports = {
	...base,
	rootDir: path.resolve(__dirname, '../../..'),
	moduleNameMapper: Object.fromEntries(
		Object.keys(dependencies).map((name) => [`^${name.replace('/', '\\/')}(/.*)?$`, `${modules}/${name}$1`]),
	),
	// Suites no engine reaches, run by `npm test` alone: the sandbox relay and the transport (which
	// import nothing from n8n), and the demo, which runs the compiled harness in a child Node process
	// that resolves the package's own devDependencies (the 2.x line), out of this mapping's reach.
	testPathIgnorePatterns: [
		'/node_modules/',
		'<rootDir>/test/sandbox/',
		'<rootDir>/test/transport/',
		'<rootDir>/test/examples/demo\\.test\\.ts$',
	],
	// test/support/engine.ts reads it: which folder's copies this run must use.
	globals: { N8N_ENGINE_DIR: __dirname },
};
