/**
 * A relay's timestamp as an ISO date, or null for none (0, negative, missing: new-api's "never").
 * Relays send Unix seconds; a value too large for seconds is taken as milliseconds (some relays
 * send those) rather than shown as a date thousands of years ahead.
 */
export function unixTimeToIso(value: unknown): string | null {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number) || number <= 0) return null;
	const date = new Date(number > 1e11 ? number : number * 1000);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
