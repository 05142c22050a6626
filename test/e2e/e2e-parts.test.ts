/**
 * The parts of the e2e tier (e2e/) that decide pass or fail without n8n: reading `n8n execute`
 * output, the table, the README command. The tier itself runs real n8n: `npm run e2e`.
 */
import { executionError, parseRawOutput } from '../../e2e/workflows';
import { Report } from '../../e2e/report';

const run = {
	data: {
		resultData: {
			runData: { Chat: [{ data: { main: [[{ json: { content: 'a } brace and a "quote" {' } }]] } }] },
		},
	},
};

describe('reading n8n execute --rawOutput', () => {
	it('finds the run JSON between the lines n8n logs around it, braces in strings included', () => {
		const stdout = `Initializing n8n process\nExecution was successful:\n${JSON.stringify(run, null, 2)}\nShutting down {not json}\n`;
		expect(parseRawOutput(stdout)).toEqual(run);
	});

	it('says what it got when there is no JSON, or it is cut short', () => {
		expect(() => parseRawOutput('Error executing workflow. See log messages for details.')).toThrow(
			/no JSON in the output of n8n execute:\nError executing workflow/,
		);
		expect(() => parseRawOutput('{\n  "data": {')).toThrow('unterminated JSON');
	});

	it("gives the workflow's error, else the first failing node's", () => {
		expect(executionError(run as never)).toBeUndefined();
		expect(executionError({ data: { resultData: { runData: {}, error: { message: '401 Unauthorized', description: 'Check the key' } } } })).toBe(
			'401 Unauthorized: Check the key',
		);
		expect(executionError({ data: { resultData: { runData: { Chat: [{ error: { message: 'boom' } }] } } } })).toBe('Chat: boom');
	});
});

describe('the e2e table', () => {
	it('orders checks as the longest line ran them, marks failures and fails the run', () => {
		const report = new Report(['2.x', '1.x']);
		const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
		report.record('install', '1.x', { status: 'pass' });
		report.record('no key stored', '1.x', { status: 'pass' });
		report.record('install', '2.x', { status: 'pass' });
		report.record('browser search', '2.x', { status: 'fail', detail: 'No results' });
		report.record('no key stored', '2.x', { status: 'pass' });
		log.mockRestore();
		expect(report.table().split('\n')).toEqual([
			'| check          | 2.x  | 1.x  |',
			'| -------------- | ---- | ---- |',
			'| install        | pass | pass |',
			'| browser search | FAIL | -    |',
			'| no key stored  | pass | pass |',
		]);
		expect(report.failed).toBe(true);
		expect(report.failures()).toEqual(['2.x browser search: No results']);
	});
});
