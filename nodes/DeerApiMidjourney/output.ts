import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { fetchImage } from '../shared/transport/media-download';
import { mediaToBinary } from '../shared/n8n/binary';
import { describedPrompts, midjourneyDetails, type RelayClient, type TaskOutcome } from '../shared/transport';
import { buttonName } from './buttons';
import { modalWaitsFor, type MidjourneyRequest } from './request';

/**
 * The items of one task once its wait ended: the task's state and details; the image as binary
 * when it is done (downloaded at once: Midjourney's links expire); a Describe's four prompts as
 * four items; for a task in MODAL, what it waits for.
 */
export async function taskItems(
	context: IExecuteFunctions,
	client: RelayClient,
	request: MidjourneyRequest,
	outcome: TaskOutcome,
	signal: AbortSignal,
): Promise<INodeExecutionData[]> {
	const { snapshot } = outcome;
	const details = midjourneyDetails(snapshot);
	const json: IDataObject = {
		taskId: snapshot.id,
		action: details.action,
		status: snapshot.status,
		relayStatus: snapshot.relayStatus,
		progress: snapshot.progress,
		done: outcome.done,
		timedOut: outcome.timedOut,
		prompt: details.prompt,
		promptEn: details.promptEn,
		description: details.description,
		failReason: details.failReason,
		imageUrl: details.imageUrl,
		imageWidth: details.imageWidth,
		imageHeight: details.imageHeight,
		buttons: details.buttons.map((button) => ({ label: buttonName(button), customId: button.customId, ...(button.emoji ? { emoji: button.emoji } : {}) })),
		botType: details.botType,
		state: details.state,
		submitTime: details.submitTime,
		finishTime: details.finishTime,
	};
	if (snapshot.state === 'input') json.waitsFor = modalWaitsFor(details);
	for (const key of Object.keys(json)) if (json[key] === undefined) delete json[key];

	if (outcome.done && details.action?.toUpperCase() === 'DESCRIBE') {
		const prompts = describedPrompts(details);
		if (prompts.length > 0) {
			// Each prompt's 1️⃣-4️⃣ button imagines it: Action with Custom ID.
			const { buttons: _buttons, prompt: _prompt, promptEn: _promptEn, ...task } = json;
			return prompts.map((prompt, index) => {
				const button = details.buttons.find((candidate) => candidate.customId === `MJ::Job::PicReader::${index + 1}`);
				return { json: { ...task, index: index + 1, prompt, ...(button ? { customId: button.customId } : {}) } };
			});
		}
	}
	if (!outcome.done || !request.download || !details.imageUrl || details.action?.toUpperCase() === 'DESCRIBE') return [{ json }];

	const image = await fetchImage(client, details.imageUrl, { signal, maxBytes: request.maxDownloadBytes });
	const binary = await mediaToBinary(context, image, `midjourney-${snapshot.id}`);
	json.imageWidth ??= image.width;
	json.imageHeight ??= image.height;
	json.mimeType = image.mimeType;
	json.fileSize = image.bytes.length;
	return [{ json, binary: { [request.binaryProperty]: binary } }];
}
