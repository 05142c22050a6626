import tsParser from '@typescript-eslint/parser';
import n8nCommunityNodes from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import * as espree from 'espree';

const shipped = ['nodes/**/*.ts', 'credentials/**/*.ts'];

/** The HTTP client: it knows nothing of n8n (test/transport/no-n8n-imports.test.ts proves the rule fires). */
const transport = 'nodes/shared/transport/**/*.ts';
export const transportForbidden = [
	{
		group: ['n8n-workflow', 'n8n-workflow/*', 'n8n-core', 'n8n-core/*', '@n8n/*'],
		message: 'nodes/shared/transport imports nothing from n8n: n8n glue belongs in nodes/shared/n8n.',
	},
	{
		group: ['**/n8n', '**/n8n/*', '../DeerApi*', '../../DeerApi*'],
		message: 'nodes/shared/transport imports nothing from the n8n glue or the nodes.',
	},
];

/**
 * n8n's package.json rules look for a top-level `ObjectExpression`: JSON parsers emit
 * `JSONObjectExpression`, under which those rules silently check nothing. So package.json is
 * parsed as the JavaScript expression `(<json>)`, with every position moved back by the "(".
 */
const packageJsonParser = {
	meta: { name: 'package-json-as-expression' },
	parseForESLint(text) {
		const ast = espree.parse(`(${text})`, {
			ecmaVersion: 'latest',
			range: true,
			loc: true,
			tokens: true,
			comment: true,
		});
		const shift = (node) => {
			node.range = [Math.max(0, node.range[0] - 1), Math.min(text.length, node.range[1] - 1)];
			node.start = node.range[0];
			node.end = node.range[1];
			for (const end of ['start', 'end']) {
				if (node.loc[end].line === 1) node.loc[end] = { ...node.loc[end], column: Math.max(0, node.loc[end].column - 1) };
			}
		};
		const visit = (node) => {
			shift(node);
			for (const [key, value] of Object.entries(node)) {
				if (key === 'parent' || key === 'loc' || key === 'range') continue;
				for (const child of Array.isArray(value) ? value : [value]) {
					if (child && typeof child.type === 'string' && child.range) visit(child);
				}
			}
		};
		const parenthesis = (token) => token.type === 'Punctuator' && (token.value === '(' || token.value === ')');
		ast.tokens = ast.tokens.filter((token, index, all) => !(parenthesis(token) && (index === 0 || index === all.length - 1)));
		visit(ast);
		ast.tokens.forEach(shift);
		ast.comments.forEach(shift);
		ast.range = [0, text.length];
		return { ast };
	},
};
const n8nNodesBasePlugin = { 'n8n-nodes-base': n8nNodesBase };
const communityNodes = n8nCommunityNodes.configs.recommendedWithoutN8nCloudSupport;

export default [
	{ ignores: ['dist/**', 'build/**', 'node_modules/**', 'demo-output/**', 'coverage/**'] },
	{
		files: ['package.json'],
		languageOptions: { parser: packageJsonParser },
		plugins: { ...n8nNodesBasePlugin, ...communityNodes.plugins },
		rules: {
			...n8nNodesBase.configs.community.rules,
			...communityNodes.rules,
			// The design card asks for undici and eventsource-parser at run time (self-hosted n8n
			// only; n8n Cloud would refuse the package for it, and the README says so).
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
			// No contact address has been decided yet; it must be set before the first npm publish.
			'@n8n/community-nodes/valid-author': 'off',
		},
	},
	{
		files: shipped,
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		plugins: { ...n8nNodesBasePlugin, ...communityNodes.plugins },
		rules: { ...communityNodes.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// The rule's own docs: "Only applicable to nodes in the main repository" (doc slugs).
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// It wants "… API" appended; the product is called DeerAPI, and "DeerAPI API" helps no one.
			'n8n-nodes-base/cred-class-field-display-name-missing-api': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// These older rules want the string ['main']; n8n's newer community rule
			// (node-connection-type-literal) wants NodeConnectionTypes.Main, as n8n-nodes-starter does.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
	{
		// Below the n8n glue: plain TypeScript that knows nothing of n8n, by design. Its errors
		// are classes of its own, turned into NodeApiError / NodeOperationError by shared/n8n/errors.ts.
		files: [transport],
		rules: {
			'@n8n/community-nodes/require-node-api-error': 'off',
			'no-restricted-imports': ['error', { patterns: transportForbidden }],
		},
	},
];
