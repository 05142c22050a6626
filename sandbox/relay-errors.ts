import { randomBytes, randomInt } from 'node:crypto';

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function randomAlnum(length: number): string {
	const bytes = randomBytes(length);
	let out = '';
	for (let i = 0; i < length; i++) out += ALNUM[bytes[i] % ALNUM.length];
	return out;
}

/** new-api's shape: local time to the second, 9 sub-second digits, 8 random letters. */
export function newRequestId(now = new Date()): string {
	const pad = (n: number, w = 2) => String(n).padStart(w, '0');
	const stamp =
		String(now.getFullYear()) +
		pad(now.getMonth() + 1) +
		pad(now.getDate()) +
		pad(now.getHours()) +
		pad(now.getMinutes()) +
		pad(now.getSeconds());
	const subSecond = pad(now.getMilliseconds(), 3) + pad(randomInt(0, 1_000_000), 6);
	return stamp + subSecond + randomAlnum(8);
}

export interface RelayError {
	error: { message: string; type: string; param: string; code: string | null };
}

export function relayError(
	message: string,
	type = 'invalid_request_error',
	code: string | null = '',
	param = '',
): RelayError {
	return { error: { message, type, param, code } };
}

const STATUS_TEXT: Record<number, string> = {
	400: 'bad request',
	401: 'unauthorized',
	403: 'forbidden',
	404: 'not found',
	408: 'request timeout',
	409: 'conflict',
	413: 'request entity too large',
	429: 'rate limit exceeded',
	500: 'internal server error',
	501: 'not implemented',
	502: 'bad gateway',
	503: 'service unavailable',
	504: 'gateway timeout',
};

/** The body a relay would send for a status when a test gives none. */
export function defaultErrorBody(status: number, requestId: string): RelayError {
	if (status === 429) {
		return relayError(
			`当前分组上游负载已饱和，请稍后再试 (request id: ${requestId})`,
			'new_api_error',
			'rate_limit_exceeded',
		);
	}
	if (status === 403) {
		return relayError(
			`用户额度不足, 剩余额度: ＄0.000000 (request id: ${requestId})`,
			'new_api_error',
			'insufficient_user_quota',
		);
	}
	const text = STATUS_TEXT[status] ?? `status ${status}`;
	const type = status >= 500 ? 'upstream_error' : 'new_api_error';
	return relayError(`sandbox fault: ${text} (request id: ${requestId})`, type, `sandbox_${status}`);
}

/** What nginx / Cloudflare put in front of a relay answer when they fail themselves. */
export function htmlErrorPage(status: number): string {
	const text = STATUS_TEXT[status] ?? 'error';
	const title = `${status} ${text.replace(/\b\w/g, (c) => c.toUpperCase())}`;
	return (
		`<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n` +
		`<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
	);
}
