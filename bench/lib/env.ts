/**
 * The environment for bench child processes: no proxy variables, so that every request of the
 * transport (whose pooled agent honours HTTP_PROXY / HTTPS_PROXY) stays on loopback.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^(https?|all|no)_proxy$/i.test(key)) continue;
		env[key] = value;
	}
	env.NO_PROXY = '127.0.0.1,localhost';
	return { ...env, ...extra };
}
