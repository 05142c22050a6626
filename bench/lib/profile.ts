import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * With BENCH_PROFILE=<dir>, a V8 CPU profile of just the measured part (not start-up) is written
 * to <dir>/<name>.cpuprofile (open in Chrome DevTools, or summarise with bench/profile-summary).
 */
export async function profiled<T>(name: string, run: () => Promise<T>): Promise<T> {
	const dir = process.env.BENCH_PROFILE;
	if (!dir) return await run();
	const session = new Session();
	session.connect();
	const post = (method: string, params?: object) =>
		new Promise<any>((resolve, reject) =>
			session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))),
		);
	await post('Profiler.enable');
	await post('Profiler.setSamplingInterval', { interval: 200 });
	await post('Profiler.start');
	try {
		return await run();
	} finally {
		const { profile } = await post('Profiler.stop');
		mkdirSync(dir, { recursive: true });
		writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
		session.disconnect();
	}
}
