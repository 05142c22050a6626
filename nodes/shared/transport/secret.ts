/**
 * Keeping the API key out of what a relay says. Relays echo the key they reject, and not always
 * whole: one-api and new-api strip "sk-" (and a "-<channel>" suffix) before they look it up and
 * quote what they looked up; others quote the Authorization header, or upper-case the prefix; a
 * quote cut off at its length limit may end mid-key. So the secret part (the key without "Bearer "
 * and "sk-") is masked wherever any run of it long enough to be told from ordinary text appears,
 * in any case, with or without a prefix: 8 characters with a digit among them, 16 without (a
 * generated key is letters and digits at random; words are what hand-made test keys are made of).
 */

/** A run of the secret this long is masked wherever it appears; shorter runs are ordinary text. */
const MIN_RUN = 8;

const MASK = '***';

export type Redact = (text: string) => string;

/** The key without what is not secret: a pasted "Bearer " and the "sk-" prefix, in any case. */
export function secretPart(apiKey: string): string {
	return apiKey.trim().replace(/^bearer\s+/i, '').replace(/^sk-/i, '');
}

/**
 * Masks the key's secret part in any text: every stretch covered by runs of at least 8 of its
 * characters becomes "***" ("sk-abc…" -> "sk-***", "token abc… not found" -> "token *** not
 * found"), unless it is letters alone, shorter than 16 and than the secret. A secret shorter than
 * 8 (no real key is) is masked only where it stands after its prefix ("sk-", "Bearer ").
 */
export function keyRedactor(apiKey: string): Redact {
	const secret = secretPart(apiKey);
	if (!secret) return (text) => text;
	if (secret.length < MIN_RUN) {
		const afterPrefix = new RegExp(`((?:sk-|bearer\\s+))${escapeRegExp(secret)}(?![A-Za-z0-9])`, 'gi');
		return (text) => text.replace(afterPrefix, `$1${MASK}`);
	}
	const runs = new Set<string>();
	const lower = asciiLowerCase(secret);
	for (let at = 0; at + MIN_RUN <= lower.length; at++) runs.add(lower.slice(at, at + MIN_RUN));
	const wholeLength = Math.min(secret.length, WORDLIKE_BELOW);
	return (text) => {
		let masked = '';
		let copiedTo = 0;
		for (const [start, end] of stretches(text, runs)) {
			// Letters alone shorter than this are a word the key happens to hold ("embeddings" of a
			// hand-made test key); a generated key's fragment has digits, or is longer.
			if (end - start < wholeLength && !/\d/.test(text.slice(start, end))) continue;
			masked += text.slice(copiedTo, start) + MASK;
			copiedTo = end;
		}
		return copiedTo === 0 ? text : masked + text.slice(copiedTo);
	};
}

/** A stretch of letters shorter than this, without a digit, is left as it is unless it is the whole secret. */
const WORDLIKE_BELOW = 16;

/** [start, end) of each stretch of `text` covered by runs of the secret (overlapping or touching runs are one). */
function stretches(text: string, runs: Set<string>): Array<[number, number]> {
	const found: Array<[number, number]> = [];
	if (text.length < MIN_RUN) return found;
	const lower = asciiLowerCase(text);
	for (let at = 0; at + MIN_RUN <= lower.length; at++) {
		if (!runs.has(lower.slice(at, at + MIN_RUN))) continue;
		const last = found[found.length - 1];
		if (last && at <= last[1]) last[1] = at + MIN_RUN;
		else found.push([at, at + MIN_RUN]);
	}
	return found;
}

// Lower case that keeps every index where it was (String#toLowerCase may not, for "İ").
function asciiLowerCase(text: string): string {
	return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The error with the key masked in every text it carries (message, stack, the relay's message,
 * URLs, …) and in those of its causes: the one exit every error of the client passes.
 */
export function redactError<E>(error: E, redact: Redact): E {
	const seen = new Set<unknown>();
	for (let current: unknown = error; typeof current === 'object' && current !== null && !seen.has(current); ) {
		seen.add(current);
		const fields = current as Record<string, unknown>;
		for (const name of Object.getOwnPropertyNames(current)) {
			const value = fields[name];
			if (typeof value !== 'string') continue;
			const masked = redact(value);
			if (masked === value) continue;
			try {
				fields[name] = masked;
			} catch {
				// A read-only field of an error we did not make: nothing of ours to mask there.
			}
		}
		current = fields.cause;
	}
	return error;
}
