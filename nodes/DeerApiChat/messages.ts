import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { isImageSource } from '../shared/transport/media-links';
import { binaryImageDataUrl } from '../shared/n8n/binary';
import { invalidParameter } from '../shared/n8n/errors';
import { parseJsonParameter, readText, textOf } from '../shared/n8n/parameters';
import type { ChatContentPart, ChatMessage } from '../shared/transport';

interface ImagePart extends IDataObject {
	type: 'image_url';
	image_url: { url: string; detail?: string };
}

interface ImageEntry {
	source?: 'url' | 'binary';
	url?: unknown;
	binaryPropertyName?: string;
	detail?: 'auto' | 'low' | 'high';
}

const HISTORY_ROLES = ['system', 'developer', 'user', 'assistant', 'tool'];
// What the API accepts on a message; flows that carry history often add timestamps or ids.
const HISTORY_FIELDS = ['role', 'content', 'name', 'tool_calls', 'tool_call_id'];
// DeepSeek's thinking mode refuses a tool-call turn that comes back without the reasoning it sent.
const ASSISTANT_FIELDS = ['reasoning_content'];

/**
 * The messages for item `itemIndex`: the system message, the conversation history, the Messages
 * list, and the images attached to the last user message.
 */
export async function buildMessages(
	context: IExecuteFunctions,
	itemIndex: number,
): Promise<ChatMessage[]> {
	const messages: ChatMessage[] = [];

	const system = readText(context, itemIndex, 'systemMessage');
	if (system.trim()) messages.push({ role: 'system', content: system });

	messages.push(...readHistory(context, itemIndex));

	const listed = context.getNodeParameter('messages.values', itemIndex, []) as Array<{
		role?: string;
		content?: unknown;
	}>;
	const firstListed = messages.length;
	for (const entry of listed) {
		messages.push({ role: entry.role ?? 'user', content: textOf(entry.content) });
	}

	const images = await readImages(context, itemIndex);
	let imageTarget = -1;
	if (images.length) {
		imageTarget = messages.map((message) => message.role).lastIndexOf('user');
		if (imageTarget < 0) {
			throw invalidParameter(
				context.getNode(),
				itemIndex,
				'Images',
				'there is no user message to attach the images to',
				'Add a message with the role "User".',
			);
		}
		const target = messages[imageTarget];
		const parts: ChatContentPart[] = Array.isArray(target.content)
			? [...target.content]
			: target.content?.trim()
				? [{ type: 'text', text: target.content }]
				: [];
		target.content = [...parts, ...images];
	}

	for (let index = firstListed; index < messages.length; index++) {
		const content = messages[index].content;
		if (index !== imageTarget && typeof content === 'string' && !content.trim()) {
			const position = index - firstListed + 1;
			throw invalidParameter(
				context.getNode(),
				itemIndex,
				'Messages',
				`message ${position} (${messages[index].role}) is empty`,
				'Fill in its content or remove it. An expression that yields nothing for this item also leaves it empty.',
			);
		}
	}
	if (messages.length === 0) {
		throw invalidParameter(
			context.getNode(),
			itemIndex,
			'Messages',
			'there is no message to send',
			'Add a message, or pass earlier messages in "Conversation History".',
		);
	}
	return messages;
}

function readHistory(context: IExecuteFunctions, itemIndex: number): ChatMessage[] {
	const field = 'Conversation History';
	const raw = context.getNodeParameter('history', itemIndex, '[]');
	const history = parseJsonParameter(context, itemIndex, raw, field, 'array') as unknown[] | undefined;
	return (history ?? []).map((entry, index) => {
		const position = `entry ${index + 1}`;
		if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
			throw invalidParameter(context.getNode(), itemIndex, field, `${position} is not an object with "role" and "content"`);
		}
		const message = entry as IDataObject;
		if (typeof message.role !== 'string' || !HISTORY_ROLES.includes(message.role)) {
			throw invalidParameter(
				context.getNode(),
				itemIndex,
				field,
				`${position} has ${message.role === undefined ? 'no "role"' : `the role ${JSON.stringify(message.role)}`}`,
				`Each message needs a role: ${HISTORY_ROLES.join(', ')}.`,
			);
		}
		const content = message.content;
		const hasToolCalls = Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
		const contentFits =
			typeof content === 'string' ||
			Array.isArray(content) ||
			((content === null || content === undefined) && hasToolCalls);
		if (!contentFits) {
			throw invalidParameter(
				context.getNode(),
				itemIndex,
				field,
				`${position} (${message.role}) has ${content === undefined || content === null ? 'no "content"' : `a ${typeof content} as "content"`}`,
				'The content must be a string or an array of content parts.',
			);
		}
		const kept: ChatMessage = { role: message.role, content: (content ?? null) as ChatMessage['content'] };
		const fields = message.role === 'assistant' ? [...HISTORY_FIELDS, ...ASSISTANT_FIELDS] : HISTORY_FIELDS;
		for (const key of fields) {
			if (key !== 'role' && key !== 'content' && message[key] !== undefined) kept[key] = message[key];
		}
		return kept;
	});
}

async function readImages(context: IExecuteFunctions, itemIndex: number): Promise<ImagePart[]> {
	const entries = context.getNodeParameter('images.values', itemIndex, []) as ImageEntry[];
	const parts: ImagePart[] = [];
	for (const [index, entry] of entries.entries()) {
		const position = `image ${index + 1}`;
		const urls =
			entry.source === 'binary'
				? await binaryDataUrls(context, itemIndex, entry.binaryPropertyName ?? 'data', position)
				: linkedUrls(context, itemIndex, entry.url, position);
		for (const url of urls) {
			const imageUrl: ImagePart['image_url'] = { url };
			if (entry.detail && entry.detail !== 'auto') imageUrl.detail = entry.detail;
			parts.push({ type: 'image_url', image_url: imageUrl });
		}
	}
	return parts;
}

function linkedUrls(
	context: IExecuteFunctions,
	itemIndex: number,
	value: unknown,
	position: string,
): string[] {
	const values = (Array.isArray(value) ? value : [value]).map((url) =>
		typeof url === 'string' ? url.trim() : url,
	);
	if (values.length === 0 || values.every((url) => url === '' || url === undefined || url === null)) {
		throw invalidParameter(context.getNode(), itemIndex, 'Images', `${position} has no URL`);
	}
	return values.map((url) => {
		if (typeof url !== 'string' || !isImageSource(url)) {
			throw invalidParameter(
				context.getNode(),
				itemIndex,
				'Images',
				`${position}: ${JSON.stringify(url)} is not an http(s) or data:image URL`,
			);
		}
		return url;
	});
}

async function binaryDataUrls(
	context: IExecuteFunctions,
	itemIndex: number,
	propertyNames: string,
	position: string,
): Promise<string[]> {
	const names = propertyNames
		.split(',')
		.map((name) => name.trim())
		.filter(Boolean);
	if (names.length === 0) {
		throw invalidParameter(context.getNode(), itemIndex, 'Images', `${position} names no binary field`);
	}
	const urls: string[] = [];
	for (const name of names) urls.push(await binaryImageDataUrl(context, itemIndex, name, 'Images'));
	return urls;
}
