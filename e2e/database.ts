/**
 * Reads n8n's SQLite database with the sqlite3 module of that n8n install, run on that line's node
 * (the module is built for it), so the e2e tier needs no SQLite of its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { N8nInstance } from './n8n';
import { run } from './processes';

const QUERY_SCRIPT = `
const [sqlitePath, dbPath, sql] = process.argv.slice(1);
const sqlite3 = require(sqlitePath);
const db = new sqlite3.Database(dbPath, sqlite3.OPEN_READONLY, (error) => {
	if (error) { console.error(error.message); process.exit(1); }
	db.all(sql, (queryError, rows) => {
		if (queryError) { console.error(queryError.message); process.exit(1); }
		process.stdout.write(JSON.stringify(rows));
		db.close();
	});
});
`;

export function databaseFile(n8n: N8nInstance): string {
	return path.join(n8n.n8nFolder, 'database.sqlite');
}

export async function query(n8n: N8nInstance, sql: string): Promise<Array<Record<string, unknown>>> {
	const sqlite = path.join(n8n.installed.n8nDir, 'node_modules', 'sqlite3');
	const result = await run(n8n.installed.nodeBin, ['-e', QUERY_SCRIPT, sqlite, databaseFile(n8n), sql], { env: n8n.env() });
	return JSON.parse(result.stdout) as Array<Record<string, unknown>>;
}

/** The database's bytes, with its write-ahead log: every row, in whatever table, as stored. */
export function rawDatabaseBytes(n8n: N8nInstance): Buffer {
	const file = databaseFile(n8n);
	return Buffer.concat(
		[file, `${file}-wal`, `${file}-journal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)),
	);
}
