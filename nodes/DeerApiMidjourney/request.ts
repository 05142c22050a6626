import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { Image } from '../shared/transport/file-types';
import { fetchImage } from '../shared/transport/media-download';
import { readBinaryImage } from '../shared/n8n/binary';
import { invalidParameter, toNodeError } from '../shared/n8n/errors';
import { DEFAULT_BINARY_PROPERTY, readImageUrls } from '../shared/n8n/image-options';
import { readMaxDownloadBytes, readText, splitList } from '../shared/n8n/parameters';
import { readTaskId, readTaskWait, type TaskItemRequest } from '../shared/n8n/tasks';
import {
	midjourneyDetails,
	RelayApiError,
	type MidjourneyButton,
	type MidjourneyDetails,
	type MidjourneySpeed,
	type MidjourneySubmit,
	type RelayClient,
	type TaskKind,
	type TaskSnapshot,
} from '../shared/transport';
import { ALL_UPSCALES, buttonName, choiceName, CUSTOM_ID, findButton } from './buttons';
import { DEFAULT_IMAGE_FIELD, type Operation } from './description';

/** Everything one item asks for, read and checked before anything is submitted. */
export interface MidjourneyRequest extends TaskItemRequest {
	operation: Operation;
	/** The tasks to start: one, four for U1-U4 together, none for a Get. */
	submits: MidjourneySubmit[];
	/** Get: the task to look up. */
	taskId?: string;
	download: boolean;
	binaryProperty: string;
	maxDownloadBytes: number;
}

/** Midjourney takes these as images (Discord uploads). */
const IMAGE_EXTENSIONS = ['png', 'jpg', 'webp', 'gif'];
const MIN_BLEND = 2;
const MAX_BLEND = 5;

export async function readMidjourneyRequest(
	context: IExecuteFunctions,
	client: RelayClient,
	kind: TaskKind<MidjourneySubmit>,
	itemIndex: number,
	signal: AbortSignal,
): Promise<MidjourneyRequest> {
	const operation = context.getNodeParameter('operation', itemIndex) as Operation;
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const binaryProperty =
		typeof options.binaryPropertyOutput === 'string' ? options.binaryPropertyOutput.trim() : DEFAULT_BINARY_PROPERTY;
	if (!binaryProperty) {
		throw invalidParameter(context.getNode(), itemIndex, 'Put Output in Field', 'is empty', 'Enter a binary field name such as "data".');
	}
	const base = {
		operation,
		wait: readTaskWait(context, itemIndex),
		download: operation !== 'describe' && context.getNodeParameter('download', itemIndex, true) !== false,
		binaryProperty,
		maxDownloadBytes: readMaxDownloadBytes(context, itemIndex, options),
	};
	const reader = new ItemReader(context, client, kind, itemIndex, signal, base.maxDownloadBytes);
	if (operation === 'get') return { ...base, submits: [], taskId: reader.taskId() };
	const speed = reader.speed();
	const submit = (route: MidjourneySubmit['route'], body: Record<string, unknown>): MidjourneySubmit =>
		speed ? { route, body, speed } : { route, body };
	switch (operation) {
		case 'imagine':
			return { ...base, submits: [submit('imagine', await reader.imagine())] };
		case 'action':
			return { ...base, submits: (await reader.actions()).map((body) => submit('action', body)) };
		case 'blend':
			return { ...base, submits: [submit('blend', await reader.blend())] };
		case 'describe':
			return { ...base, submits: [submit('describe', await reader.describe())] };
		case 'modal':
			return { ...base, submits: [submit('modal', await reader.modal())] };
	}
	throw invalidParameter(context.getNode(), itemIndex, 'Operation', `"${String(operation)}" is not one of this node's operations`);
}

/** The parameters of one item, each read and checked, with errors naming the field. */
class ItemReader {
	constructor(
		private readonly context: IExecuteFunctions,
		private readonly client: RelayClient,
		private readonly kind: TaskKind<MidjourneySubmit>,
		private readonly itemIndex: number,
		private readonly signal: AbortSignal,
		private readonly maxDownloadBytes: number,
	) {}

	private invalid(field: string, problem: string, description?: string): Error {
		return invalidParameter(this.context.getNode(), this.itemIndex, field, problem, description);
	}

	// Text parameters follow the one rule of every node (readText): objects as JSON, no text as empty.
	private text(name: string): string {
		return readText(this.context, this.itemIndex, name).trim();
	}

	taskId(): string {
		return readTaskId(this.context, this.itemIndex, 'Enter the "taskId" of an earlier output, e.g. {{ $json.taskId }}.');
	}

	speed(): MidjourneySpeed | undefined {
		const speed = this.text('speed');
		return speed === 'relax' || speed === 'fast' || speed === 'turbo' ? speed : undefined;
	}

	async imagine(): Promise<Record<string, unknown>> {
		const prompt = this.text('prompt');
		if (!prompt) throw this.invalid('Prompt', 'is empty', 'Say what to imagine, e.g. "a red bicycle on a beach --ar 16:9".');
		const fields = splitList(this.context.getNodeParameter('referenceImageFields', this.itemIndex, ''), /[\s,]+/);
		const urls = readImageUrls(this.context, this.itemIndex, this.context.getNodeParameter('referenceImageUrls', this.itemIndex, ''), 'Reference Image URLs');
		const images = await this.images(fields, 'Reference Image Fields', urls, 'Reference Image URLs');
		const body: Record<string, unknown> = { prompt, botType: this.text('botType') || 'MID_JOURNEY' };
		if (images.length > 0) body.base64Array = images;
		return body;
	}

	async blend(): Promise<Record<string, unknown>> {
		const fields = splitList(this.context.getNodeParameter('imageFields', this.itemIndex, DEFAULT_IMAGE_FIELD), /[\s,]+/);
		const urls = readImageUrls(this.context, this.itemIndex, this.context.getNodeParameter('imageUrls', this.itemIndex, ''), 'Image URLs');
		const count = fields.length + urls.length;
		if (count < MIN_BLEND || count > MAX_BLEND) {
			throw this.invalid(
				'Image Fields',
				`${count} image${count === 1 ? '' : 's'} given; Blend takes ${MIN_BLEND} to ${MAX_BLEND}`,
				'Name the binary fields holding the images (e.g. "data, data_1"), or add Image URLs.',
			);
		}
		const base64Array = await this.images(fields, 'Image Fields', urls, 'Image URLs');
		return { base64Array, dimensions: this.text('dimensions') || 'SQUARE' };
	}

	async describe(): Promise<Record<string, unknown>> {
		const url = this.text('imageUrl');
		if (url) {
			const [image] = await this.images([], 'Image Field', readImageUrls(this.context, this.itemIndex, url, 'Image URL'), 'Image URL');
			return { base64: image };
		}
		const field = this.text('imageField');
		if (!field) throw this.invalid('Image Field', 'is empty', 'Name the binary field holding the image (e.g. "data"), or enter an Image URL.');
		const [image] = await this.images([field], 'Image Field', [], 'Image URL');
		return { base64: image };
	}

	/** The action bodies: one button, or U1-U4; checked against the buttons the task offers. */
	async actions(): Promise<Array<Record<string, unknown>>> {
		const taskId = this.taskId();
		const choice = this.text('button');
		const customId = choice === CUSTOM_ID ? this.text('customId') : undefined;
		if (choice === CUSTOM_ID && !customId) {
			throw this.invalid('Custom ID', 'is empty', 'Enter the customId of one of the task\'s buttons, e.g. {{ $json.buttons[0].customId }}.');
		}
		const task = await this.lookUp(taskId);
		if (task.snapshot.state !== 'done') {
			throw this.invalid(
				'Task ID',
				`task ${taskId} is ${statusText(task.snapshot)}: a button can be pressed once the task has succeeded`,
				'Wait for it first: the Get operation with Wait for Completion on.',
			);
		}
		const { buttons } = task.details;
		const offered = () => (buttons.length ? `It offers: ${buttons.map(buttonName).join(', ')}.` : 'The relay lists no buttons for it.');
		if (customId !== undefined) {
			// A relay that lists no buttons cannot be checked: the custom id goes as given.
			if (buttons.length && !buttons.some((button) => button.customId === customId)) {
				throw this.invalid('Custom ID', `task ${taskId} offers no button "${customId}"`, offered());
			}
			return [{ taskId, customId }];
		}
		const wanted = choice === ALL_UPSCALES ? ['U1', 'U2', 'U3', 'U4'] : [choice];
		const found: MidjourneyButton[] = [];
		for (const value of wanted) {
			const button = findButton(buttons, value);
			if (!button) {
				const action = task.details.action ? ` (${task.details.action})` : '';
				throw this.invalid('Button', `task ${taskId}${action} offers no ${choiceName(value)} button`, offered());
			}
			found.push(button);
		}
		return found.map((button) => ({ taskId, customId: button.customId }));
	}

	async modal(): Promise<Record<string, unknown>> {
		const taskId = this.taskId();
		const prompt = this.text('modalPrompt');
		const maskField = this.text('maskField');
		const task = await this.lookUp(taskId);
		if (task.snapshot.state !== 'input') {
			throw this.invalid(
				'Task ID',
				`task ${taskId} is ${statusText(task.snapshot)}, not MODAL: only a task that waits for input takes a Modal answer`,
				'A task waits (status MODAL) after Vary (Region) or Custom Zoom is pressed.',
			);
		}
		const waitsFor = modalWaitsFor(task.details);
		if (waitsFor === 'mask' && !maskField) {
			throw this.invalid('Mask Field', `task ${taskId} (Vary (Region)) waits for a mask`, 'Name the binary field holding the mask image.');
		}
		if (!prompt && !maskField) throw this.invalid('Prompt', `is empty: task ${taskId} waits for a ${waitsFor}`);
		const body: Record<string, unknown> = { taskId };
		if (prompt) body.prompt = prompt;
		if (maskField) [body.maskBase64] = await this.images([maskField], 'Mask Field', [], 'Mask Field');
		return body;
	}

	/** The task as the relay has it now: an unknown id names the field. */
	private async lookUp(taskId: string): Promise<{ snapshot: TaskSnapshot; details: MidjourneyDetails }> {
		try {
			const snapshot = await this.kind.poll(this.client, taskId, { signal: this.signal });
			return { snapshot, details: midjourneyDetails(snapshot) };
		} catch (error) {
			if (error instanceof RelayApiError && (error.status === 400 || error.status === 404)) {
				throw this.invalid('Task ID', `the relay knows no task ${taskId} (it answered ${error.status}: ${error.relayMessage})`, 'A task is found only with the key that made it.');
			}
			throw toNodeError(this.context.getNode(), error, this.itemIndex);
		}
	}

	/** Images from binary fields, then links (downloaded without the key), as data URLs; each checked to be one Midjourney takes. */
	private async images(fields: string[], fieldsName: string, urls: string[], urlsName: string): Promise<string[]> {
		const images: Array<{ image: Image; field: string; source: string }> = [];
		for (const property of fields) {
			const binary = await readBinaryImage(this.context, this.itemIndex, property, fieldsName);
			const image = binary.image ?? { kind: 'image' as const, mimeType: binary.mimeType, extension: '', bytes: binary.bytes };
			images.push({ image, field: fieldsName, source: `the binary field "${property}"` });
		}
		for (const url of urls) {
			// A failed download is a RelayDownloadError naming the link; the item runner maps it.
			const image = await fetchImage(this.client, url, { signal: this.signal, maxBytes: this.maxDownloadBytes });
			images.push({ image, field: urlsName, source: url.startsWith('data:') ? 'the data URL' : url });
		}
		return images.map(({ image, field, source }) => {
			if (!IMAGE_EXTENSIONS.includes(image.extension)) {
				throw this.invalid(field, `${source} is ${image.mimeType}, which Midjourney does not take`, 'Midjourney takes PNG, JPEG, WebP or GIF images.');
			}
			return `data:${image.mimeType};base64,${image.bytes.toString('base64')}`;
		});
	}
}

function statusText(snapshot: TaskSnapshot): string {
	const status = snapshot.relayStatus ?? snapshot.status;
	return snapshot.progress !== undefined && snapshot.state === 'pending' ? `${status} (${snapshot.progress}%)` : status;
}

/** What a task in MODAL waits for: Vary (Region) a mask, anything else (Custom Zoom, remix) a prompt. */
export function modalWaitsFor(details: MidjourneyDetails): 'mask' | 'prompt' {
	return details.action?.toUpperCase() === 'INPAINT' || /^MJ::Inpaint::/.test(details.customId ?? '') ? 'mask' : 'prompt';
}
