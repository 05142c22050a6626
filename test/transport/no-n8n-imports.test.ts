import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** ESLint's own CLI on a snippet, linted as if it were the file at `filePath`: the repository's config decides. */
function lint(filePath: string, code: string): Array<{ ruleId: string | null; message: string }> {
	const run = spawnSync(
		process.execPath,
		[path.join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', '--stdin', '--stdin-filename', filePath],
		{ cwd: root, input: code, encoding: 'utf8' },
	);
	if (run.stdout === '') throw new Error(`eslint did not run: ${run.stderr}`);
	return (JSON.parse(run.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>)[0].messages;
}

describe('the transport imports nothing from n8n (eslint no-restricted-imports)', () => {
	it.each([
		["import { NodeApiError } from 'n8n-workflow';", 'n8n-workflow'],
		["import type { IExecuteFunctions } from 'n8n-workflow';", 'n8n-workflow (types too)'],
		["import { BinaryDataService } from 'n8n-core';", 'n8n-core'],
		["import { something } from '@n8n/ai-node-sdk';", '@n8n/*'],
		["import { mapError } from '../n8n/errors';", 'the n8n glue'],
	])('%s is an error below nodes/shared/transport (%s)', (code) => {
		const messages = lint('nodes/shared/transport/probe.ts', `${code}\nexport const probe = 1;\n`);
		expect(messages).toEqual([
			expect.objectContaining({ ruleId: 'no-restricted-imports', message: expect.stringContaining('imports nothing from') }),
		]);
	});

	it('lets the transport import its own modules and the n8n glue import n8n', () => {
		expect(lint('nodes/shared/transport/probe.ts', "import { truncate } from './text';\nexport const probe = truncate;\n")).toEqual([]);
		expect(lint('nodes/shared/n8n/probe.ts', "import type { INode } from 'n8n-workflow';\nexport type Probe = INode;\n")).toEqual([]);
	});
});
