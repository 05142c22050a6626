import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { deerApiCredentialTest } from '../shared/n8n/credential-test';
import { searchVideoModels } from '../shared/n8n/model-search';
import { properties } from './description';
import { execute } from './execute';

export class DeerApiVideo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DeerAPI Video',
		name: 'deerApiVideo',
		icon: { light: 'file:deerapi.svg', dark: 'file:deerapi.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "get" ? "Get: " + $parameter["taskId"] : "Generate: " + $parameter["model"] }}',
		description:
			'Text and pictures to video with veo3, kling, seedance, hailuo, sora-2 and other video models on DeerAPI or another relay: submits the tasks, waits for all of them side by side, downloads the videos',
		defaults: { name: 'DeerAPI Video' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'deerApiRelayApi', required: true, testedBy: 'deerApiCredentialTest' }],
		properties,
	};

	methods = {
		credentialTest: { deerApiCredentialTest },
		listSearch: { searchVideoModels },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await execute.call(this);
	}
}
