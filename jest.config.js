/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: 'tsconfig.json' }],
	},
	// @n8n/ai-node-sdk pins the n8n-workflow of its n8n release (nested under @n8n/ai-utilities);
	// in n8n it is n8n's own, so the tests give it ours: one n8n-workflow, one set of error classes.
	moduleNameMapper: {
		'^n8n-workflow$': require.resolve('n8n-workflow'),
	},
	testTimeout: 30000,
};
