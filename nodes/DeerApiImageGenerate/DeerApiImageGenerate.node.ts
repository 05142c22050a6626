import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { deerApiCredentialTest } from '../shared/n8n/credential-test';
import { searchImageModels } from '../shared/n8n/model-search';
import { properties } from './description';
import { execute } from './execute';

export class DeerApiImageGenerate implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DeerAPI Image Generate',
		name: 'deerApiImageGenerate',
		icon: { light: 'file:deerapi.svg', dark: 'file:deerapi.dark.svg' },
		group: ['transform'],
		version: 1,
		// n8n's expression proxy hands a resource locator's plain value to $parameter.
		subtitle: '={{ $parameter["model"] }}',
		description:
			'Generate images with any image model on DeerAPI or another OpenAI-compatible relay (gpt-image-1, dall-e-3, Seedream, Flux, gpt-4o-image) and output them as binary files',
		defaults: { name: 'DeerAPI Image Generate' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'deerApiRelayApi', required: true, testedBy: 'deerApiCredentialTest' }],
		properties,
	};

	methods = {
		credentialTest: { deerApiCredentialTest },
		listSearch: { searchImageModels },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await execute.call(this);
	}
}
