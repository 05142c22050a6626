import {
	NodeConnectionTypes,
	type INodeType,
	type INodeTypeDescription,
	type ISupplyDataFunctions,
	type SupplyData,
} from 'n8n-workflow';

import { deerApiCredentialTest } from '../shared/n8n/credential-test';
import { searchModels } from '../shared/n8n/model-search';
import { chatModelProperties } from './description';
import { supplyChatModel } from './supply-data';

export class DeerApiChatModel implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DeerAPI Chat Model',
		name: 'deerApiChatModel',
		icon: { light: 'file:deerapi.svg', dark: 'file:deerapi.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"] }}',
		description:
			'A chat model on DeerAPI or another OpenAI-compatible relay, for the AI Agent and chains: Chat Completions, tools, reasoning models',
		defaults: {
			name: 'DeerAPI Chat Model',
		},
		inputs: [],
		outputs: [NodeConnectionTypes.AiLanguageModel],
		outputNames: ['Model'],
		credentials: [{ name: 'deerApiRelayApi', required: true, testedBy: 'deerApiCredentialTest' }],
		properties: chatModelProperties,
	};

	methods = {
		credentialTest: { deerApiCredentialTest },
		listSearch: { searchModels },
	};

	async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
		return await supplyChatModel.call(this, itemIndex);
	}
}
