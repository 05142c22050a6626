import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { PCM_24K, sniffAudioType, type AudioType } from '../shared/audio';
import { runClient } from '../shared/n8n/client';
import { readConcurrency, runBatched } from '../shared/n8n/runner';
import { RelayResponseError, type RelayClient } from '../shared/transport';
import type { Operation } from './description';
import {
	readSpeechRequest,
	readTranscriptionRequest,
	transcriptionForm,
	type SpeechRequest,
	type TranscriptionRequest,
} from './request';

const PCM_NOTE = 'Raw PCM: 24 kHz, 16-bit signed little-endian, mono, no header';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as Operation;
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const client = await runClient(this, options);
	// The batching runner with batches of one: every item is read and validated before the first
	// request, then one request per item, in order, paired, under Continue On Fail and cancel.
	const oneAtATime = { key: () => '', weight: () => 0, maxItems: 1, maxWeight: 0 };
	if (operation === 'textToSpeech') {
		return await runBatched<SpeechRequest>(
			this,
			{
				...oneAtATime,
				read: (itemIndex) => readSpeechRequest(this, itemIndex),
				send: async ([{ request }], signal) => [await speak(this, client, request, signal)],
			},
			readConcurrency(options),
		);
	}
	return await runBatched<TranscriptionRequest>(
		this,
		{
			...oneAtATime,
			read: async (itemIndex) => await readTranscriptionRequest(this, itemIndex, operation),
			send: async ([{ itemIndex, request }], signal) => [await listen(this, client, request, itemIndex, operation, signal)],
		},
		readConcurrency(options),
	);
}

async function speak(
	context: IExecuteFunctions,
	client: RelayClient,
	request: SpeechRequest,
	signal: AbortSignal,
): Promise<INodeExecutionData[]> {
	const response = await client.speech(request.body, { signal });
	const { bytes } = response.body;
	// PCM has no header to tell it by: the format asked for says what it is.
	const type: AudioType | undefined = request.format === 'pcm' ? PCM_24K : sniffAudioType(bytes);
	if (!type) {
		const head = bytes.toString('utf8', 0, 60).replace(/\s+/g, ' ').trim();
		throw RelayResponseError.unusable(
			response,
			`The relay's answer is not ${request.format} audio: it starts with "${head}"`,
			'Is this a speech model? Check the model ID.',
		);
	}
	const fileName = `speech.${type.extension}`;
	const binary = await context.helpers.prepareBinaryData(bytes, fileName, type.mimeType);
	binary.fileExtension = type.extension;
	const json: IDataObject = {
		model: request.model,
		voice: request.body.voice as string,
		format: type.extension,
		mimeType: type.mimeType,
		fileName,
		fileSize: bytes.length,
	};
	if (type === PCM_24K) json.note = PCM_NOTE;
	return [{ json, binary: { [request.binaryProperty]: binary } }];
}

async function listen(
	context: IExecuteFunctions,
	client: RelayClient,
	request: TranscriptionRequest,
	itemIndex: number,
	operation: 'transcribe' | 'translate',
	signal: AbortSignal,
): Promise<INodeExecutionData[]> {
	const form = await transcriptionForm(context, itemIndex, request);
	const call = operation === 'transcribe' ? client.transcribe : client.translate;
	const response = await call.call(client, form, { signal, expect: request.expect });
	const answer = response.body;
	if ('json' in answer) {
		const { text, ...rest } = answer.json;
		return [{ json: { text: typeof text === 'string' ? text : '', ...(rest as IDataObject), model: request.model } }];
	}
	if (request.format === 'text') return [{ json: { text: answer.text.trim(), model: request.model } }];
	// Subtitles: the text for the next node, and the file for Drive, YouTube or an email.
	const extension = request.format;
	const mimeType = extension === 'vtt' ? 'text/vtt' : 'application/x-subrip';
	const fileName = `${request.fileName.replace(/\.[^.]*$/, '')}.${extension}`;
	const binary = await context.helpers.prepareBinaryData(Buffer.from(answer.text, 'utf8'), fileName, mimeType);
	binary.fileExtension = extension;
	return [
		{
			json: { text: answer.text, format: extension, model: request.model },
			binary: { [request.binaryProperty]: binary },
		},
	];
}
