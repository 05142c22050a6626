import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { authorizationHeader, type AuthFormat } from '../nodes/shared/transport/auth';

// The connection test lives on the nodes (`testedBy: 'deerApiCredentialTest'`), not here: a
// declarative `test` would win over it and show only the HTTP status text, while the nodes'
// test goes through our own transport and shows the relay's message ("无效的令牌", "quota ...").
export class DeerApiRelayApi implements ICredentialType {
	name = 'deerApiRelayApi';

	displayName = 'DeerAPI Relay API';

	icon: Icon = { light: 'file:deerApiRelayApi.svg', dark: 'file:deerApiRelayApi.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-deerapi-relay#credential';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'sk-...',
			description: 'The key from your DeerAPI (or other relay) console',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.deerapi.com',
			placeholder: 'https://api.deerapi.com',
			description:
				'Where the relay answers. "https://api.deerapi.com", ".../v1" and a trailing slash all work; a path prefix such as "https://host/openai/v1" is kept.',
		},
		{
			displayName: 'Authorization Format',
			name: 'authFormat',
			type: 'options',
			default: 'bearer',
			options: [
				{
					name: 'Bearer <Key>',
					value: 'bearer',
					description: 'Authorization: Bearer sk-... (OpenAI style, what most relays expect)',
				},
				{
					name: 'Bare Key',
					value: 'bare',
					description: 'Authorization: sk-... (the form some relay pages document)',
				},
			],
		},
	];

	// For n8n's own requests with this credential (the HTTP Request node): the rule our client follows.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const authorization = authorizationHeader(String(credentials.apiKey ?? '').trim(), credentials.authFormat as AuthFormat);
		return { ...requestOptions, headers: { ...requestOptions.headers, Authorization: authorization } };
	}
}
