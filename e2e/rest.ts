/**
 * n8n's REST API as the editor uses it: owner setup, login with a cookie, and the calls behind
 * the node panel, the credential "Test" button and the model picker.
 */
export const OWNER = {
	email: 'owner@e2e.example.com',
	firstName: 'E2E',
	lastName: 'Owner',
	password: 'E2e-owner-Passw0rd',
};

export class RestClient {
	private cookie = '';

	constructor(readonly baseUrl: string) {}

	get authCookie(): string {
		return this.cookie;
	}

	async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string; headers: Headers }> {
		const response = await fetch(`${this.baseUrl}${path}`, {
			method,
			headers: {
				...(body !== undefined ? { 'content-type': 'application/json' } : {}),
				...(this.cookie ? { cookie: this.cookie } : {}),
				// n8n's browser-id check on authenticated REST calls.
				'browser-id': 'e2e-browser',
			},
			body: body !== undefined ? JSON.stringify(body) : undefined,
		});
		const setCookie = response.headers.getSetCookie?.() ?? [];
		const auth = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth;
		const text = await response.text();
		let json: any;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { status: response.status, json, text, headers: response.headers };
	}

	/** The `data` of a 2xx JSON answer; anything else throws with what n8n said. */
	async data(method: string, path: string, body?: unknown): Promise<any> {
		const answer = await this.request(method, path, body);
		if (answer.status < 200 || answer.status >= 300) {
			throw new Error(`${method} ${path} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
		}
		return answer.json && 'data' in answer.json ? answer.json.data : answer.json;
	}

	async setupOwnerAndLogin(): Promise<void> {
		await this.data('POST', '/rest/owner/setup', OWNER);
		await this.data('POST', '/rest/login', { emailOrLdapLoginId: OWNER.email, password: OWNER.password });
		if (!this.cookie) throw new Error('login set no n8n-auth cookie');
	}
}
