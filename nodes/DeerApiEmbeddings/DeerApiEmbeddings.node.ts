import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { deerApiCredentialTest } from '../shared/n8n/credential-test';
import { searchEmbeddingModels } from '../shared/n8n/model-search';
import { properties } from './description';
import { execute } from './execute';

export class DeerApiEmbeddings implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DeerAPI Embeddings',
		name: 'deerApiEmbeddings',
		icon: { light: 'file:deerapi.svg', dark: 'file:deerapi.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"] }}',
		description:
			'Turn text into embedding vectors with any embedding model on DeerAPI or another OpenAI-compatible relay (text-embedding-3-small / -large, ...), many items per request',
		defaults: { name: 'DeerAPI Embeddings' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'deerApiRelayApi', required: true, testedBy: 'deerApiCredentialTest' }],
		properties,
	};

	methods = {
		credentialTest: { deerApiCredentialTest },
		listSearch: { searchEmbeddingModels },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await execute.call(this);
	}
}
