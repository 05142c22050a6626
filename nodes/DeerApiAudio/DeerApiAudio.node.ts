import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { deerApiCredentialTest } from '../shared/n8n/credential-test';
import { searchAudioModels } from '../shared/n8n/model-search';
import { properties } from './description';
import { execute } from './execute';

export class DeerApiAudio implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DeerAPI Audio',
		name: 'deerApiAudio',
		icon: { light: 'file:deerapi.svg', dark: 'file:deerapi.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ ($parameter["operation"] === "textToSpeech" ? "Text to Speech" : $parameter["operation"] === "translate" ? "Translate to English" : "Transcribe") + ": " + $parameter["model"] }}',
		description:
			'Text to speech, transcription and translation to English with the audio models on DeerAPI or another OpenAI-compatible relay (tts-1, gpt-4o-mini-tts, whisper-1, gpt-4o-transcribe)',
		defaults: { name: 'DeerAPI Audio' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'deerApiRelayApi', required: true, testedBy: 'deerApiCredentialTest' }],
		properties,
	};

	methods = {
		credentialTest: { deerApiCredentialTest },
		listSearch: { searchAudioModels },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await execute.call(this);
	}
}
