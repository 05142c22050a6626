/** How the key goes into the Authorization header: OpenAI's "Bearer sk-…", or the bare key some relay pages show. */
export type AuthFormat = 'bearer' | 'bare';

/** The one rule for the header, used by the client and by the credential (for n8n's HTTP Request node). */
export function authorizationHeader(apiKey: string, format: AuthFormat | undefined): string {
	return format === 'bare' ? apiKey : `Bearer ${apiKey}`;
}
