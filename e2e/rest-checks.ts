/**
 * The editor's REST API on a running n8n: what the node panel loads, the credential "Test"
 * button, and the model picker's list search.
 */
import { DEFAULT_MODELS, type Sandbox } from '../sandbox';
import type { N8nInstance } from './n8n';
import { declaredPackage } from '../harness/package-info';
import type { Report } from './report';
import { RestClient } from './rest';

export interface RestSession {
	client: RestClient;
	projectId: string;
	credential: { id: string; name: string };
}

interface ListedType {
	name: string;
	displayName: string;
	iconUrl?: string | { light: string; dark: string };
	icon?: unknown;
}

function iconUrls(type: ListedType): string[] {
	if (!type.iconUrl) return [];
	return typeof type.iconUrl === 'string' ? [type.iconUrl] : [type.iconUrl.light, type.iconUrl.dark];
}

async function checkIcons(client: RestClient, listed: ListedType): Promise<void> {
	const urls = iconUrls(listed);
	if (urls.length === 0) throw new Error(`${listed.name} is listed without an icon (icon: ${JSON.stringify(listed.icon)})`);
	for (const url of urls) {
		const answer = await client.request('GET', `/${url.replace(/^\//, '')}`);
		if (answer.status !== 200 || !answer.text.includes('<svg')) {
			throw new Error(`icon ${url} of ${listed.name} answered ${answer.status} ${answer.headers.get('content-type')}`);
		}
	}
}

export async function checkRest(
	report: Report,
	n8n: N8nInstance,
	sandbox: Sandbox,
	keys: { apiKey: string; wrongKey: string },
): Promise<RestSession | undefined> {
	const column = n8n.label;
	const client = new RestClient(n8n.baseUrl);
	const loggedIn = await report.check('REST: owner setup and login', column, async () => client.setupOwnerAndLogin());
	if (loggedIn === undefined && !client.authCookie) return undefined;
	const declared = declaredPackage();

	const listedWithIcons = (what: string, path: string, wanted: Array<{ name: string; displayName: string }>) =>
		report.check(`REST: ${what} listed (${path}), icons served`, column, async () => {
			const listed = (await client.data('GET', path)) as ListedType[];
			for (const type of wanted) {
				const entry = listed.find((candidate) => candidate.name === type.name);
				if (!entry) throw new Error(`${type.name} is not in ${path}`);
				await checkIcons(client, entry);
			}
			return wanted.map((type) => type.displayName).join(', ');
		});
	await listedWithIcons('our node types', '/types/nodes.json', declared.nodes.map((node) => ({ name: node.type, displayName: node.displayName })));
	await listedWithIcons('our credential type', '/types/credentials.json', declared.credentials);

	const projectId = String((await client.data('GET', '/rest/projects/personal')).id);
	const credentialType = declared.credentials[0].name;
	const data = (apiKey: string) => ({ apiKey, baseUrl: sandbox.url, authFormat: 'bearer' });
	const created = await client.data('POST', '/rest/credentials', {
		name: 'DeerAPI sandbox',
		type: credentialType,
		data: data(keys.apiKey),
		projectId,
	});
	const credential = { id: String(created.id), name: String(created.name) };

	const test = async (apiKey: string) =>
		(await client.data('POST', '/rest/credentials/test', {
			credentials: { ...credential, type: credentialType, data: data(apiKey) },
		})) as { status: string; message: string };

	await report.check('REST: credential test, good key: Connected ...', column, async () => {
		const answer = await test(keys.apiKey);
		if (answer.status !== 'OK' || !answer.message.startsWith('Connected to ')) throw new Error(JSON.stringify(answer));
		return answer.message;
	});
	await report.check("REST: credential test, wrong key: the relay's message", column, async () => {
		const answer = await test(keys.wrongKey);
		if (answer.status !== 'Error' || !answer.message.includes('无效的令牌')) throw new Error(JSON.stringify(answer));
		if (answer.message.includes(keys.wrongKey)) throw new Error('the answer shows the key');
		return answer.message;
	});

	await report.check("REST: model picker list search returns the sandbox's models", column, async () => {
		const chat = declared.nodes.find((node) => node.type.endsWith('.deerApiChat'))!;
		const answer = (await client.data('POST', '/rest/dynamic-node-parameters/resource-locator-results', {
			path: 'model',
			nodeTypeAndVersion: { name: chat.type, version: chat.version },
			methodName: 'searchModels',
			filter: '',
			currentNodeParameters: { model: { __rl: true, mode: 'list', value: '' } },
			credentials: { [credentialType]: credential },
			projectId,
		})) as { results: Array<{ name: string; value: string }> };
		const served = [...new Set(DEFAULT_MODELS.map((model) => model.id))].sort();
		const values = answer.results.map((result) => result.value).sort();
		if (JSON.stringify(values) !== JSON.stringify(served)) {
			throw new Error(`picker values differ from the sandbox's models: ${values.join(', ')}`);
		}
		const sample = answer.results.find((result) => result.value === 'gpt-4o-mini');
		// What the dropdown shows is the name alone: type and owner must be in it.
		if (sample?.name !== 'gpt-4o-mini · chat · openai') throw new Error(`gpt-4o-mini is named "${sample?.name}", not "gpt-4o-mini · chat · openai"`);
		return `${answer.results.length} models; e.g. value "${sample.value}", shown as "${sample.name}"`;
	});

	return { client, projectId, credential };
}
