import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { deerApiCredentialTest } from '../shared/n8n/credential-test';
import { operationSubtitle } from '../shared/n8n/parameters';
import { properties } from './description';
import { execute } from './execute';

export class DeerApiMidjourney implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DeerAPI Midjourney',
		name: 'deerApiMidjourney',
		icon: { light: 'file:deerapi.svg', dark: 'file:deerapi.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: operationSubtitle(properties),
		description:
			'Midjourney through DeerAPI or another relay with midjourney-proxy routes: imagine, upscale, vary, zoom and pan, blend and describe, waiting for every task side by side and downloading the images',
		defaults: { name: 'DeerAPI Midjourney' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'deerApiRelayApi', required: true, testedBy: 'deerApiCredentialTest' }],
		properties,
	};

	methods = {
		credentialTest: { deerApiCredentialTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await execute.call(this);
	}
}
