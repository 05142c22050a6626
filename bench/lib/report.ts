/**
 * How a bench child process hands its figures to bench/run.ts: one line on stdout, prefixed,
 * holding JSON. Everything else a child prints is passed through as progress.
 */
export const RESULT_PREFIX = '@@bench-result ';

/** One row of the final table. */
export interface BenchRow {
	/** Section: "1 throughput", "2 overhead"... */
	bench: string;
	/** What was measured, e.g. "c=10, stream on". */
	case: string;
	/** The figure, formatted. */
	value: string;
	/** What it is compared with, formatted (ideal, baseline...). */
	reference?: string;
	/** value / reference, formatted. */
	ratio?: string;
	target?: string;
	/** undefined: informational row. */
	met?: boolean;
}

export interface BenchReport {
	name: string;
	rows: BenchRow[];
	/** Free-form figures kept in last-run.json for RESULTS.md. */
	details?: unknown;
	notes?: string[];
}

export function emit(report: BenchReport): void {
	process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(report)}\n`);
}

export function progress(message: string): void {
	process.stderr.write(`  ${message}\n`);
}

/** Runs a bench main(), reporting a failure as an exit code the runner sees. */
export function runMain(main: () => Promise<void>): void {
	main().then(
		() => process.exit(0),
		(error: unknown) => {
			process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
			process.exit(1);
		},
	);
}
