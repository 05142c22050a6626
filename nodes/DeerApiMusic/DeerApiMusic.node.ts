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

export class DeerApiMusic implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DeerAPI Music',
		name: 'deerApiMusic',
		icon: { light: 'file:deerapi.svg', dark: 'file:deerapi.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: operationSubtitle(properties),
		description:
			'Songs and lyrics with Suno on DeerAPI or another new-api relay: a song from a description or your own lyrics as audio files, lyrics as text, and the state of any music task',
		defaults: { name: 'DeerAPI Music' },
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
