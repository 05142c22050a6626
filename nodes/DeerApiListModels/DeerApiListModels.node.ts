import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { deerApiCredentialTest } from '../shared/n8n/credential-test';
import { properties } from './description';
import { execute } from './execute';

export class DeerApiListModels implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DeerAPI List Models',
		name: 'deerApiListModels',
		icon: { light: 'file:deerapi.svg', dark: 'file:deerapi.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["returnAll"] ? "All models" : "Up to " + $parameter["limit"] + " models"}}',
		description: 'List the models your DeerAPI (or other OpenAI-compatible relay) key can use',
		defaults: { name: 'DeerAPI List Models' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'deerApiRelayApi', required: true, testedBy: 'deerApiCredentialTest' }],
		properties,
	};

	methods = { credentialTest: { deerApiCredentialTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await execute.call(this);
	}
}
