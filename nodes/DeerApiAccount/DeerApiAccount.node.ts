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

export class DeerApiAccount implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DeerAPI Account',
		name: 'deerApiAccount',
		icon: { light: 'file:deerapi.svg', dark: 'file:deerapi.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: operationSubtitle(properties),
		description:
			'What your DeerAPI (or other one-api / new-api relay) key has left, in US dollars: for low-balance alerts',
		defaults: { name: 'DeerAPI Account' },
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
