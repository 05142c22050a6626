import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { sniffAudioType, type MediaType } from '../shared/transport/file-types';
import { PCM_24K } from './formats';
import { runNode, type ItemOperation, type ItemScope } from '../shared/n8n/runner';
import { RelayResponseError, type BinaryAnswer, type RelayResponse, type TranscriptionAnswer } from '../shared/transport';
import type { Operation } from './description';
import {
	readSpeechRequest,
	readTranscriptionRequest,
	transcriptionForm,
	type SpeechRequest,
	type TranscriptionRequest,
} from './request';

const PCM_NOTE = 'Raw PCM: 24 kHz, 16-bit signed little-endian, mono, no header';

// Every item is read and validated before the first request: a batch of paid speech or of uploads
// (up to 25 MB each) does not start when one of its items cannot go.

const speak: ItemOperation<SpeechRequest, RelayResponse<BinaryAnswer>> = {
	reading: 'allFirst',
	read: ({ context, itemIndex }) => readSpeechRequest(context, itemIndex),
	call: async (request, { client, signal }) => await client.speech(request.body, { signal }),
	toItems: speechItems,
};

function listen(task: 'transcribe' | 'translate'): ItemOperation<TranscriptionRequest, TranscriptionAnswer> {
	return {
		reading: 'allFirst',
		read: async ({ context, itemIndex }) => await readTranscriptionRequest(context, itemIndex, task),
		call: async (request, { context, client, itemIndex, signal }) => {
			const form = await transcriptionForm(context, itemIndex, request);
			const call = task === 'transcribe' ? client.transcribe : client.translate;
			return (await call.call(client, form, { signal, expect: request.expect })).body;
		},
		toItems: transcriptionItems,
	};
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as Operation;
	if (operation === 'textToSpeech') return await runNode(this, speak);
	return await runNode(this, listen(operation));
}

async function speechItems(
	response: RelayResponse<BinaryAnswer>,
	request: SpeechRequest,
	{ context }: ItemScope,
): Promise<INodeExecutionData[]> {
	const { bytes } = response.body;
	// PCM has no header to tell it by: the format asked for says what it is.
	const type: MediaType | undefined = request.format === 'pcm' ? PCM_24K : sniffAudioType(bytes);
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

async function transcriptionItems(
	answer: TranscriptionAnswer,
	request: TranscriptionRequest,
	{ context }: ItemScope,
): Promise<INodeExecutionData[]> {
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
