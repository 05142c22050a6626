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

export class DeerApiImageEdit implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DeerAPI Image Edit',
		name: 'deerApiImageEdit',
		icon: { light: 'file:deerapi.svg', dark: 'file:deerapi.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"] }}',
		description:
			'Edit images the workflow already has with gpt-image-1 or dall-e-2 on DeerAPI or another OpenAI-compatible relay: new background, another season, a logo added, a masked area redrawn',
		defaults: { name: 'DeerAPI Image Edit' },
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
