import { NodeOperationError, type IDataObject, type INode } from 'n8n-workflow';

import { contentText, truncate, type ChatChoice, type ChatCompletion } from '../shared/transport';

/** One answer of the model, as the Simplified output shows it. */
export interface ChoiceSummary extends IDataObject {
	content: string;
	finishReason: string | null;
}

export interface SummaryOptions {
	/** A JSON response format was asked: parse the content into `json`. */
	parseJson: boolean;
	/** The media URLs found in each choice's content. */
	mediaOf: (choice: ChatChoice) => string[];
	/** Where they are listed: `images`, or `videos` for a video model. */
	mediaField: MediaField;
}

export type MediaField = 'images' | 'videos';

export function summarizeChoice(
	node: INode,
	itemIndex: number,
	choice: ChatChoice,
	options: SummaryOptions,
): ChoiceSummary {
	const message = choice.message ?? { role: 'assistant', content: '' };
	const content = contentText(message.content) ?? '';
	const summary: ChoiceSummary = { content, finishReason: choice.finish_reason ?? null };
	if (options.parseJson && !message.tool_calls?.length) {
		summary.json = parseJsonReply(node, itemIndex, content, choice.finish_reason) as IDataObject;
	}
	if (typeof message.reasoning_content === 'string' && message.reasoning_content) {
		summary.reasoning = message.reasoning_content;
	}
	if (typeof message.refusal === 'string' && message.refusal) summary.refusal = message.refusal;
	if (message.tool_calls?.length) {
		summary.toolCalls = message.tool_calls.map((call) => toolCall(call.id, call.function?.name, call.function?.arguments));
	}
	const media = options.mediaOf(choice);
	if (media.length) summary[options.mediaField] = media;
	return summary;
}

/**
 * The Simplified item: the first answer's fields at the top, the metadata, and every answer under
 * `choices` when there are several. `images` (a video model: `videos`) lists the files of all
 * answers, in the order of the binary fields they are downloaded into.
 */
export function simplifiedJson(completion: ChatCompletion, choices: ChoiceSummary[], model: string): IDataObject {
	const first = choices[0] ?? { content: '', finishReason: null };
	const json: IDataObject = { ...first };
	delete json.finishReason;
	for (const field of MEDIA_FIELDS) {
		const all = mediaUrls(choices, field);
		delete json[field];
		if (all.length) json[field] = all;
	}
	json.finishReason = first.finishReason;
	json.model = completion.model || model;
	if (completion.usage) json.usage = completion.usage as IDataObject;
	if (completion.id) json.id = completion.id;
	if (choices.length > 1) json.choices = choices;
	return json;
}

const MEDIA_FIELDS: MediaField[] = ['images', 'videos'];

/** The media URLs of every choice listed under `field`, in order. */
export function mediaUrls(choices: ChoiceSummary[], field: MediaField): string[] {
	return choices.flatMap((choice) => (choice[field] as string[] | undefined) ?? []);
}

function toolCall(id: string | undefined, name: string | undefined, args: string | undefined): IDataObject {
	const call: IDataObject = { id: id ?? '', name: name ?? '' };
	const text = args ?? '';
	try {
		call.arguments = text.trim() ? (JSON.parse(text) as IDataObject) : {};
	} catch (error) {
		// Kept as text with the reason: the flow can still see what the model meant.
		call.arguments = text;
		call.argumentsError = `not valid JSON (${(error as Error).message})`;
	}
	return call;
}

const FENCED = /^```[a-z]*[ \t]*\r?\n([\s\S]*?)\r?\n?```$/i;

/** The reply of a JSON response format as a value; relays' models often wrap it in a ```json fence. */
export function parseJsonReply(
	node: INode,
	itemIndex: number,
	content: string,
	finishReason: string | null,
): unknown {
	const trimmed = content.trim();
	const text = FENCED.exec(trimmed)?.[1] ?? trimmed;
	try {
		return JSON.parse(text);
	} catch (error) {
		const head = truncate(trimmed, 200);
		const truncated = finishReason === 'length';
		throw new NodeOperationError(
			node,
			`The model's reply is not valid JSON (${(error as Error).message}): ${head ? JSON.stringify(head) : 'the reply is empty'}`,
			{
				itemIndex,
				description: truncated
					? 'The answer was cut off at the token limit (finish reason "length"): raise "Maximum Number of Tokens".'
					: 'Ask for JSON explicitly in the prompt, or use Response Format "JSON Schema" with a model that supports it.',
			},
		);
	}
}
