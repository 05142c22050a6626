import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { deerApiCredentialTest } from '../shared/n8n/credential-test';
import { searchModels } from '../shared/n8n/model-search';
import { chatProperties } from './description';
import { execute } from './execute';

export class DeerApiChat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DeerAPI Chat',
		name: 'deerApiChat',
		icon: { light: 'file:deerapi.svg', dark: 'file:deerapi.dark.svg' },
		group: ['transform'],
		version: 1,
		// n8n's expression proxy hands a resource locator's plain value to $parameter.
		subtitle: '={{ $parameter["model"] }}',
		description:
			'Send a prompt to a chat model on DeerAPI or another OpenAI-compatible relay and get its reply: text, JSON, tool calls or images',
		defaults: {
			name: 'DeerAPI Chat',
		},
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'deerApiRelayApi', required: true, testedBy: 'deerApiCredentialTest' }],
		properties: chatProperties,
	};

	methods = {
		credentialTest: { deerApiCredentialTest },
		listSearch: { searchModels },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await execute.call(this);
	}
}
