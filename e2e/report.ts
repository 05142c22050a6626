/** The checks of one run, as a table: one row per check, one column per n8n line. */
export type Outcome = { status: 'pass' | 'fail' | 'skip'; detail?: string };

export class Report {
	private readonly rows = new Map<string, Map<string, Outcome>>();
	/** Per column, its checks in the order they ran. */
	private readonly ran = new Map<string, string[]>();

	constructor(private readonly columns: string[]) {}

	record(check: string, column: string, outcome: Outcome): void {
		if (!this.rows.has(check)) this.rows.set(check, new Map());
		this.rows.get(check)!.set(column, outcome);
		this.ran.set(column, [...(this.ran.get(column) ?? []), check]);
		const mark = outcome.status === 'pass' ? 'ok  ' : outcome.status === 'fail' ? 'FAIL' : 'skip';
		console.log(`[e2e] ${column} ${mark} ${check}${outcome.detail ? `: ${outcome.detail}` : ''}`);
	}

	/** Runs fn as a check: a throw is a failure with its message; returns fn's value or undefined. */
	async check<T>(check: string, column: string, fn: () => Promise<T>): Promise<T | undefined> {
		try {
			const value = await fn();
			this.record(check, column, { status: 'pass', detail: typeof value === 'string' ? value : undefined });
			return value;
		} catch (error) {
			this.record(check, column, { status: 'fail', detail: error instanceof Error ? error.message : String(error) });
			return undefined;
		}
	}

	get failed(): boolean {
		return [...this.rows.values()].some((row) => [...row.values()].some((outcome) => outcome.status === 'fail'));
	}

	failures(): string[] {
		const lines: string[] = [];
		for (const [check, row] of this.rows) {
			for (const [column, outcome] of row) {
				if (outcome.status === 'fail') lines.push(`${column} ${check}: ${outcome.detail ?? ''}`);
			}
		}
		return lines;
	}

	/** Checks in the order the column with the most checks ran them, then any the others added. */
	private orderedChecks(): string[] {
		const longest = [...this.ran.values()].reduce((best, checks) => (checks.length > best.length ? checks : best), []);
		return [...new Set([...longest, ...this.rows.keys()])];
	}

	table(): string {
		const cell = (outcome: Outcome | undefined) => (outcome ? { pass: 'pass', fail: 'FAIL', skip: '-' }[outcome.status] : '-');
		const header = ['check', ...this.columns];
		const body = this.orderedChecks().map((check) => [check, ...this.columns.map((column) => cell(this.rows.get(check)!.get(column)))]);
		const widths = header.map((_, i) => Math.max(...[header, ...body].map((r) => r[i].length)));
		const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
		return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
	}
}
