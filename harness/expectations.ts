/**
 * What each workflow in examples/ must put out, checked the same way wherever it ran: through
 * n8n-core in jest (examples.test.ts) and in real n8n by `n8n execute` (the e2e tier). Both turn
 * their run into a NormalisedResult first; a check sees only that, the requests the sandbox relay
 * received and the workflow file. Plain node:assert, so it runs with or without jest.
 *
 * Adding an example: add its file name here with a check, or both tiers fail on it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { FIRST_N8N_WITH_AI_SDK, MISSING_AI_SDK_MESSAGE } from '../nodes/DeerApiChatModel/sdk';
import { classifyModel } from '../nodes/shared/transport/model-kinds';
import { readImageInfo, SANDBOX_ACCOUNTS, SANDBOX_QUOTA_PER_USD, taggedClip, type ImageInfo, type RecordedRequest, type SandboxModel } from '../sandbox';

export interface BinarySummary {
	mimeType: string;
	fileName?: string;
	/** Bytes. */
	fileSize: number;
	/** Hex SHA-256 of the bytes, to compare with what the relay served. */
	sha256: string;
	/** Format and pixel size read from the bytes; undefined when they are not a known image. */
	image?: ImageInfo;
}

export interface ItemSummary {
	json: IDataObject;
	binary: Record<string, BinarySummary>;
}

/** Output 0 of each node's first run, by node name. */
export type NormalisedResult = Record<string, ItemSummary[]>;

export interface ExampleWorkflow {
	name: string;
	nodes: Array<{ name: string; type: string; parameters: IDataObject }>;
}

export interface ExampleContext {
	/** The example file, parsed. */
	workflow: ExampleWorkflow;
	/** Every request the sandbox relay received during this run, in order. */
	requests: RecordedRequest[];
	/** The models the sandbox serves. */
	models: readonly SandboxModel[];
}

export type ExampleCheck = (result: NormalisedResult, context: ExampleContext) => void | Promise<void>;

export function summariseBinary(meta: { mimeType: string; fileName?: string }, bytes: Buffer): BinarySummary {
	return {
		mimeType: meta.mimeType,
		...(meta.fileName !== undefined ? { fileName: meta.fileName } : {}),
		fileSize: bytes.length,
		sha256: createHash('sha256').update(bytes).digest('hex'),
		...(readImageInfo(bytes) ? { image: readImageInfo(bytes) } : {}),
	};
}

export function nodeNamed(workflow: ExampleWorkflow, name: string): ExampleWorkflow['nodes'][number] {
	const node = workflow.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`no node "${name}" in ${workflow.name}`);
	return node;
}

function itemsOf(result: NormalisedResult, nodeName: string): ItemSummary[] {
	const items = result[nodeName];
	assert.ok(items, `node "${nodeName}" did not run (ran: ${Object.keys(result).join(', ')})`);
	return items;
}

function requestsTo(context: ExampleContext, endpoint: string): RecordedRequest[] {
	return context.requests.filter((request) => request.path === endpoint);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function marketingCampaign(result: NormalisedResult, context: ExampleContext): Promise<void> {
	const products = (
		JSON.parse(String(nodeNamed(context.workflow, 'Products').parameters.jsonOutput)) as {
			products: Array<{ name: string; category: string; features: string }>;
		}
	).products;
	assert.ok(products.length >= 2, 'the example has at least two products');

	const chats = requestsTo(context, '/v1/chat/completions');
	assert.equal(chats.length, products.length, 'one chat request per product');
	for (const product of products) {
		const body = chats.find((request) => JSON.stringify(request.body.messages).includes(product.name))?.body;
		assert.ok(body, `a chat request names ${product.name}`);
		assert.equal(body.model, 'gpt-4o-mini');
		assert.equal(body.response_format?.type, 'json_schema');
		assert.equal(body.response_format.json_schema.name, 'campaign_copy');
		assert.deepEqual(body.response_format.json_schema.schema.required, ['tagline', 'description']);
		assert.equal(body.messages[0].role, 'system');
		assert.match(body.messages[0].content, /copywriter/);
		assert.ok(String(body.messages[1].content).includes(product.features), 'the user message carries the features');
	}

	// The chat node puts the parsed JSON reply under `json`.
	const copy = itemsOf(result, 'Write Tagline and Description').map((item) => item.json.json as IDataObject);
	assert.equal(copy.length, products.length);
	for (const reply of copy) assert.equal(typeof reply?.tagline, 'string', 'each reply parsed into {tagline, description}');
	const images = requestsTo(context, '/v1/images/generations');
	assert.equal(images.length, products.length, 'one image request per product');
	for (const [index, product] of products.entries()) {
		const body = images.find((request) => String(request.body.prompt).includes(`"${product.name}"`))?.body;
		assert.ok(body, `an image request names "${product.name}"`);
		assert.equal(body.model, 'gpt-image-1');
		assert.equal(body.size, '1024x1536');
		assert.equal(body.quality, 'low');
		assert.ok(String(body.prompt).includes(String(copy[index].tagline)), 'the poster prompt carries the tagline');
		assert.equal('response_format' in body, false, 'gpt-image-1 gets no response_format');
	}

	const campaign = itemsOf(result, 'Campaign');
	assert.equal(campaign.length, products.length);
	for (const [index, item] of campaign.entries()) {
		assert.equal(item.json.product, products[index].name);
		assert.equal(typeof item.json.tagline, 'string');
		assert.equal(item.json.tagline, copy[index].tagline, 'the parsed JSON reply is carried to the end');
		assert.equal(item.json.description, copy[index].description);
		assert.ok(String(item.json.description).length > 0);
		assert.equal(item.json.width, 1024);
		assert.equal(item.json.height, 1536);
		const poster = item.binary.data;
		assert.ok(poster, `item ${index} carries the poster as binary "data"`);
		assert.equal(poster.mimeType, 'image/png');
		assert.equal(item.json.poster, poster.fileName);
		assert.deepEqual(poster.image, { format: 'png', width: 1024, height: 1536 });
		assert.ok(poster.fileSize > 0);
	}
}

function modelInventory(result: NormalisedResult, context: ExampleContext): void {
	assert.equal(requestsTo(context, '/v1/models').length, 1, 'one model list request');
	const expected = new Map<string, number>();
	const seen = new Set<string>();
	for (const model of context.models) {
		if (seen.has(model.id)) continue;
		seen.add(model.id);
		if (classifyModel(model) === 'image') expected.set(model.owned_by, (expected.get(model.owned_by) ?? 0) + 1);
	}
	assert.ok(expected.size > 1, 'the sandbox has image models of several owners');
	assert.equal(itemsOf(result, 'List Models').length, seen.size, 'one item per distinct model');
	const counts = itemsOf(result, 'Count per Owner').map((item) => item.json);
	assert.deepEqual(Object.fromEntries(counts.map((row) => [row.ownedBy, row.count_id])), Object.fromEntries(expected));
	assert.equal(counts.length, expected.size);
}

async function pictureViaChat(result: NormalisedResult, context: ExampleContext): Promise<void> {
	const chat = requestsTo(context, '/v1/chat/completions');
	assert.equal(chat.length, 1);
	assert.equal(chat[0].body.model, 'gpt-4o-image');
	assert.equal(chat[0].body.stream, true);

	const [item] = itemsOf(result, 'Paint with gpt-4o-image');
	const links = item.json.images as string[];
	assert.equal(links.length, 1, 'one picture link in the reply');
	assert.ok(
		context.requests.some((request) => links[0].endsWith(request.path) && request.path.startsWith('/files/gen/')),
		'the picture was downloaded from the relay',
	);
	const picture = item.binary.image_0;
	assert.ok(picture, 'the picture is binary "image_0"');
	assert.equal(picture.mimeType, 'image/png');
	assert.equal(picture.image?.format, 'png');
	// The very bytes the sandbox serves at the link in the reply.
	const served = Buffer.from(await (await fetch(links[0])).arrayBuffer());
	assert.equal(picture.sha256, sha256(served));
	assert.equal(picture.fileSize, served.length);
}

function visionFromBinary(result: NormalisedResult, context: ExampleContext): void {
	const assignments = (
		nodeNamed(context.workflow, 'Sample Image').parameters.assignments as { assignments: Array<{ name: string; value: string }> }
	).assignments;
	const embedded = Buffer.from(assignments.find((a) => a.name === 'imageBase64')!.value, 'base64');
	assert.deepEqual(readImageInfo(embedded), { format: 'png', width: 64, height: 64 });

	const chat = requestsTo(context, '/v1/chat/completions');
	assert.equal(chat.length, 1);
	assert.equal(chat[0].body.model, 'gpt-4o');
	const user = chat[0].body.messages.at(-1);
	assert.equal(user.role, 'user');
	const imagePart = user.content.find((part: IDataObject) => part.type === 'image_url');
	const url = String(imagePart.image_url.url);
	assert.ok(url.startsWith('data:image/png;base64,'), 'the image goes inline as a PNG data URL');
	assert.ok(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64').equals(embedded), 'the data URL holds the embedded PNG');
	assert.ok(
		user.content.some((part: IDataObject) => part.type === 'text' && String(part.text).includes('What colour')),
		'the question goes with the image',
	);

	const [answer] = itemsOf(result, 'Describe the Image').map((item) => item.json);
	assert.ok(String(answer.content).includes('[images: 1 image/png]'), `the sandbox saw the image: ${String(answer.content)}`);
	assert.equal(answer.finishReason, 'stop');
}

async function editProductPhoto(result: NormalisedResult, context: ExampleContext): Promise<void> {
	const photo = examplePhoto(context.workflow);
	assert.deepEqual(readImageInfo(photo), { format: 'png', width: 96, height: 128 });

	const edits = requestsTo(context, '/v1/images/edits');
	assert.equal(edits.length, 1, 'one edit request');
	const parts = edits[0].parts ?? [];
	const field = (name: string) => parts.find((part) => part.name === name)?.value;
	assert.equal(field('model'), 'gpt-image-1');
	assert.equal(field('prompt'), 'Place it on a beach at sunset');
	assert.equal(field('quality'), 'low');
	assert.equal(field('response_format'), undefined, 'gpt-image-1 gets no response_format');
	const images = parts.filter((part) => part.name === 'image');
	assert.deepEqual(
		images.map(({ fileName, contentType, size }) => ({ fileName, contentType, size })),
		[{ fileName: 'product.png', contentType: 'image/png', size: photo.length }],
		'the photo goes as the one "image" file part',
	);

	const [item] = itemsOf(result, 'Place on a Beach');
	assert.equal(item.json.model, 'gpt-image-1');
	assert.equal(item.json.prompt, 'Place it on a beach at sunset');
	const edited = item.binary.edited;
	assert.ok(edited, 'the edited picture is binary "edited"');
	assert.equal(edited.mimeType, 'image/png');
	// An edit keeps the photo's shape.
	assert.deepEqual(edited.image, { format: 'png', width: 96, height: 128 });
	assert.equal(item.json.fileSize, edited.fileSize);
	assert.notEqual(edited.sha256, sha256(photo), 'the picture was changed');
}

/** The photo an example carries as base64 in a Set node (examples 05 and 10). */
function examplePhoto(workflow: ExampleWorkflow): Buffer {
	const assignments = (nodeNamed(workflow, 'Product Photo').parameters.assignments as { assignments: Array<{ name: string; value: string }> }).assignments;
	return Buffer.from(assignments.find((a) => a.name === 'photoBase64')!.value, 'base64');
}

/** A finished video item: the sandbox's video of that task, whole, as binary `property`. */
function checkVideoItem(item: ItemSummary, property: string, what: string): string {
	const taskId = String(item.json.taskId);
	const served = taggedClip(taskId);
	assert.equal(item.json.done, true, `${what}: done`);
	assert.equal(item.json.timedOut, false, `${what}: not timed out`);
	assert.equal(item.json.status, 'completed', `${what}: status completed`);
	assert.equal(item.json.mimeType, 'video/mp4', `${what}: an MP4 by its bytes`);
	assert.equal(item.json.fileSize, served.length, `${what}: fileSize`);
	const video = item.binary[property];
	assert.ok(video, `${what}: the video is binary "${property}"`);
	assert.equal(video.mimeType, 'video/mp4');
	assert.equal(video.fileName, `${taskId}.mp4`);
	assert.equal(video.sha256, sha256(served), `${what}: the bytes the relay served for task ${taskId}`);
	return taskId;
}

async function productPhotoToClip(result: NormalisedResult, context: ExampleContext): Promise<void> {
	const photo = examplePhoto(context.workflow);
	const node = nodeNamed(context.workflow, 'Make a Clip');
	const submits = context.requests.filter((request) => request.method === 'POST');
	assert.deepEqual(submits.map((request) => request.path), ['/v1/videos'], 'one submit, OpenAI Videos format');
	const parts = submits[0].parts ?? [];
	const field = (name: string) => parts.find((part) => part.name === name)?.value;
	assert.equal(field('model'), 'veo3-fast');
	assert.equal(field('prompt'), node.parameters.prompt);
	assert.equal(field('seconds'), '8');
	assert.equal(field('size'), '1280x720');
	assert.deepEqual(
		parts.filter((part) => part.name === 'input_reference').map(({ fileName, contentType, size }) => ({ fileName, contentType, size })),
		[{ fileName: 'product.png', contentType: 'image/png', size: photo.length }],
		'the photo goes as the first frame',
	);

	const [item] = itemsOf(result, 'Make a Clip');
	assert.equal(itemsOf(result, 'Make a Clip').length, 1);
	const taskId = checkVideoItem(item, 'clip', 'the clip');
	assert.equal(item.json.model, 'veo3-fast');
	assert.ok(requestsTo(context, `/v1/videos/${taskId}`).length >= 1, 'the task was polled');
	const content = requestsTo(context, `/v1/videos/${taskId}/content`);
	assert.equal(content.length, 1, 'the video from the relay content route, once');
	assert.match(String(content[0].headers.authorization), /^Bearer /, 'the content route gets the key');
}

async function manyClipsAtOnce(result: NormalisedResult, context: ExampleContext): Promise<void> {
	const products = (JSON.parse(String(nodeNamed(context.workflow, 'Products').parameters.jsonOutput)) as { products: Array<{ name: string; look: string }> }).products;
	assert.ok(products.length >= 3, 'the example has several products');
	const submits = requestsTo(context, '/v1/video/generations');
	assert.equal(submits.length, products.length, 'one task per product');
	for (const product of products) {
		const body = submits.find((request) => String(request.body.prompt).includes(`"${product.name}"`))?.body;
		assert.ok(body, `a task for ${product.name}`);
		assert.equal(body.model, 'kling-v1');
		assert.equal(body.duration, 5);
		assert.equal(body.size, '16:9');
		assert.ok(String(body.prompt).includes(product.look));
	}
	const downloads = context.requests.filter((request) => request.path.startsWith('/files/videos/'));
	assert.equal(downloads.length, products.length, 'each clip downloaded once, from its link');
	assert.ok(downloads.every((request) => request.headers.authorization === undefined), 'links are fetched without the key');
	// Side by side: every task was submitted before the first clip was fetched.
	assert.ok(Math.max(...submits.map((r) => r.receivedAt)) <= Math.min(...downloads.map((r) => r.receivedAt)), 'all submitted before any download');

	const items = itemsOf(result, 'Clip per Product');
	assert.equal(items.length, products.length);
	const taskIds = items.map((item, index) => {
		assert.ok(String(item.json.prompt).includes(`"${products[index].name}"`), `item ${index} is ${products[index].name}'s, in input order`);
		assert.equal(item.json.apiFormat, 'new-api');
		return checkVideoItem(item, 'data', products[index].name);
	});
	assert.equal(new Set(taskIds).size, products.length, 'a task of its own for each');
}

export function cosineSimilarity(a: number[], b: number[]): number {
	let dot = 0;
	let normA = 0;
	let normB = 0;
	for (let i = 0; i < a.length; i++) {
		dot += a[i] * b[i];
		normA += a[i] * a[i];
		normB += b[i] * b[i];
	}
	return dot / Math.sqrt(normA * normB);
}

function mostSimilarProducts(result: NormalisedResult, context: ExampleContext): void {
	const products = (
		JSON.parse(String(nodeNamed(context.workflow, 'Products').parameters.jsonOutput)) as {
			products: Array<{ name: string; description: string }>;
		}
	).products;
	const texts = products.map((product) => `${product.name}: ${product.description}`);
	const requests = requestsTo(context, '/v1/embeddings');
	assert.equal(requests.length, 1, 'all product texts go in one embeddings request');
	assert.deepEqual(requests[0].body, { model: 'text-embedding-3-small', input: texts, dimensions: 256 });

	const embedded = itemsOf(result, 'Embed Product Texts').map((item) => item.json);
	assert.equal(embedded.length, products.length, 'one vector per product');
	embedded.forEach((json, index) => {
		assert.equal(json.text, texts[index], `item ${index} is paired with its own text`);
		assert.equal((json.embedding as number[]).length, 256);
		assert.equal(json.dimensions, 256);
	});
	let best = { first: '', second: '', similarity: -1 };
	for (let i = 0; i < embedded.length; i++) {
		for (let j = i + 1; j < embedded.length; j++) {
			const similarity = cosineSimilarity(embedded[i].embedding as number[], embedded[j].embedding as number[]);
			if (similarity > best.similarity) best = { first: texts[i], second: texts[j], similarity };
		}
	}
	const [pair] = itemsOf(result, 'Most Similar Pair').map((item) => item.json);
	assert.deepEqual(pair.mostSimilar, { first: best.first, second: best.second, similarity: Math.round(best.similarity * 10000) / 10000 });
	// The two merino products share most of their words: the sandbox's vectors, like a real model's, put them closest.
	assert.deepEqual([best.first, best.second].map((text) => text.split(':')[0]), ['Merino Scarf', 'Merino Beanie']);
}

function speechRoundTrip(result: NormalisedResult, context: ExampleContext): void {
	const [productText] = itemsOf(result, 'Product Text').map((item) => item.json);
	const speech = requestsTo(context, '/v1/audio/speech');
	assert.equal(speech.length, 1, 'one speech request');
	assert.deepEqual(speech[0].body, { model: 'tts-1', input: productText.text, voice: 'nova', response_format: 'mp3' });

	const [spoken] = itemsOf(result, 'Read Aloud');
	const mp3 = spoken.binary.data;
	assert.ok(mp3, 'the speech is binary "data"');
	assert.equal(mp3.mimeType, 'audio/mpeg');
	assert.equal(mp3.fileName, 'speech.mp3');
	assert.equal(spoken.json.fileSize, mp3.fileSize);

	const transcriptions = requestsTo(context, '/v1/audio/transcriptions');
	assert.equal(transcriptions.length, 1, 'one transcription request');
	const form = transcriptions[0].form;
	assert.ok(form, 'the transcription request is multipart');
	assert.deepEqual(form.fields, { model: ['whisper-1'], language: ['en'] });
	assert.equal(form.files.length, 1);
	assert.equal(form.files[0].fileName, 'speech.mp3');
	assert.equal(form.files[0].contentType, 'audio/mpeg');
	assert.equal(sha256(form.files[0].bytes), mp3.sha256, 'the very MP3 the speech node emitted is uploaded');

	const [back] = itemsOf(result, 'Text Back').map((item) => item.json);
	assert.equal(back.original, productText.text);
	assert.equal(back.audioFile, 'speech.mp3');
	assert.equal(back.audioBytes, mp3.fileSize);
	// The sandbox hears the text the speech file carries, and says what it received.
	assert.equal(back.transcript, `${String(productText.text)} [sandbox heard ${mp3.fileSize} bytes of audio/mpeg in speech.mp3]`);
}

async function productJingle(result: NormalisedResult, context: ExampleContext): Promise<void> {
	const [product] = itemsOf(result, 'Product Text').map((item) => item.json);
	const description = `A cheerful 20-second jingle for ${String(product.product)}, acoustic guitar and whistling. ${String(product.text)}`;
	const submits = requestsTo(context, '/suno/submit/music');
	assert.equal(submits.length, 1, 'one song task submitted');
	assert.deepEqual(submits[0].body, { gpt_description_prompt: description, mv: 'chirp-v4' });

	const clips = itemsOf(result, 'Make a Jingle');
	assert.equal(clips.length, 2, 'one item per clip: Suno makes two');
	const taskId = String(clips[0].json.taskId);
	assert.match(taskId, /^task_/);
	const polls = requestsTo(context, `/suno/fetch/${taskId}`);
	assert.ok(polls.length >= 1 && polls.every((poll) => poll.method === 'GET'), 'the task was polled');
	assert.notEqual(clips[0].json.clipId, clips[1].json.clipId);
	for (const [index, { json, binary }] of clips.entries()) {
		assert.equal(json.taskId, taskId);
		assert.equal(json.clip, index + 1);
		assert.equal(json.clips, 2);
		assert.equal(json.done, true);
		assert.equal(json.status, 'completed');
		assert.equal(json.relayStatus, 'complete');
		assert.equal(json.model, 'chirp-v4');
		assert.equal(json.description, description);
		assert.ok(typeof json.title === 'string' && json.title.length > 0, 'a title');
		assert.ok(typeof json.tags === 'string' && json.tags.length > 0, 'style tags');
		assert.ok(typeof json.lyrics === 'string' && json.lyrics.includes('[Chorus]'), 'the lyrics sung');
		assert.ok(typeof json.duration === 'number' && json.duration > 0, 'a duration');

		const mp3 = binary.data;
		assert.ok(mp3, `clip ${index + 1}: the audio is binary "data"`);
		assert.equal(mp3.mimeType, 'audio/mpeg');
		assert.ok(mp3.fileName?.endsWith(`-${index + 1}.mp3`), `an .mp3 named after the title: ${mp3.fileName}`);
		assert.equal(json.fileName, mp3.fileName);
		assert.equal(json.fileSize, mp3.fileSize);
		// The very bytes the relay links to, fetched without the key.
		const audioPath = new URL(String(json.audioUrl)).pathname;
		const downloads = context.requests.filter((request) => request.path === audioPath);
		assert.equal(downloads.length, 1, 'each MP3 downloaded once');
		assert.equal(downloads[0].headers.authorization, undefined, 'no key to the file link');
		const served = Buffer.from(await (await fetch(String(json.audioUrl))).arrayBuffer());
		assert.equal(mp3.sha256, sha256(served));

		const cover = binary.cover;
		assert.ok(cover, `clip ${index + 1}: the cover is binary "cover"`);
		assert.equal(cover.mimeType, 'image/jpeg');
		assert.deepEqual(cover.image, { format: 'jpeg', width: 1024, height: 1024 }, 'the large cover');
		assert.equal(json.coverFileName, cover.fileName);
	}

	const kept = itemsOf(result, 'Keep the First Clip');
	assert.equal(kept.length, 1);
	assert.equal(kept[0].json.clipId, clips[0].json.clipId);
	assert.equal(kept[0].binary.data.sha256, clips[0].binary.data.sha256, 'the first clip\'s MP3 comes out');
}

/** The agent's text prompt, its chat requests and its final answer, checked alike for both agent examples. */
function agentRun(result: NormalisedResult, context: ExampleContext, agentName: string, modelId: string) {
	const prompt = String(nodeNamed(context.workflow, agentName).parameters.text);
	const chats = requestsTo(context, '/v1/chat/completions');
	assert.equal(requestsTo(context, '/v1/responses').length, 0, 'never the Responses API');
	for (const [index, chat] of chats.entries()) {
		const body = chat.body;
		assert.equal(body.model, modelId, `request ${index + 1} asks ${modelId}`);
		assert.equal(body.stream, true, 'streamed');
		assert.deepEqual(body.stream_options, { include_usage: true });
		assert.equal('max_completion_tokens' in body, false, 'no max_completion_tokens unless asked');
		const calculator = (body.tools as IDataObject[] | undefined)?.find(
			(tool) => (tool.function as IDataObject | undefined)?.name === 'Calculator',
		);
		assert.ok(calculator, `request ${index + 1} offers the Calculator tool`);
		assert.equal(((calculator.function as IDataObject).parameters as { properties: IDataObject }).properties.input !== undefined, true);
		const user = (body.messages as IDataObject[]).filter((message) => message.role === 'user');
		assert.equal(user.at(-1)?.content, prompt, 'the prompt of the agent is the user message');
	}
	const [answer] = itemsOf(result, agentName);
	assert.ok(answer, 'the agent put out an item');
	return { chats, output: String(answer.json.output), last: chats.at(-1)!.body.messages as IDataObject[] };
}

type ToolCallMessage = { id: string; function: { name: string; arguments: string } };

/**
 * A tool call's arguments as the model gave them. n8n's Agent (v3) rebuilds the assistant message
 * of each tool call from the tool's input, to which it adds the call's id: that id is dropped here
 * once it is checked to be the call's own.
 */
function callArguments(call: ToolCallMessage): IDataObject {
	const { id, ...args } = JSON.parse(call.function.arguments) as IDataObject;
	assert.ok(id === undefined || id === call.id, `the arguments of ${call.id} carry another call's id ${String(id)}`);
	return args;
}

function toolMessages(messages: IDataObject[]): IDataObject[] {
	return messages.filter((message) => message.role === 'tool');
}

function agentCalculator(result: NormalisedResult, context: ExampleContext): void {
	const { chats, output, last } = agentRun(result, context, 'AI Agent', 'gpt-4o-mini');
	assert.equal(chats.length, 2, 'two model turns: the tool call, then the answer');
	const call = last.find((message) => message.role === 'assistant' && Array.isArray(message.tool_calls));
	const toolCall = (call?.tool_calls as ToolCallMessage[])[0];
	assert.equal(toolCall.function.name, 'Calculator');
	assert.deepEqual(callArguments(toolCall), { input: '6 * 7' }, 'the model called the calculator with the expression');
	const [tool] = toolMessages(last);
	assert.equal(tool.tool_call_id, toolCall.id);
	assert.ok(String(tool.content).includes('42'), `the calculator's result went back to the model: ${String(tool.content)}`);
	assert.equal(output, `Sandbox reply to tool result: ${String(tool.content)}`, 'the agent answers with the tool result');
}

function agentReasoningTwoTurns(result: NormalisedResult, context: ExampleContext): void {
	const { chats, output, last } = agentRun(result, context, 'Reasoning Agent', 'deepseek-reasoner');
	assert.equal(chats.length, 3, 'three model turns: two tool calls, then the answer');
	const calls = last.filter((message) => message.role === 'assistant' && Array.isArray(message.tool_calls));
	const args = calls.map((message) => callArguments((message.tool_calls as ToolCallMessage[])[0]));
	assert.deepEqual(args, [{ input: '6 * 7' }, { input: '12 + 30' }], 'one calculator call per expression, one turn each');
	// DeepSeek's rule, which the sandbox enforces: each tool-call turn comes back with its reasoning.
	for (const [index, message] of calls.entries()) {
		assert.match(
			String(message.reasoning_content),
			new RegExp(`^Thinking about: .+ \\(Calculator for ${['6 \\* 7', '12 \\+ 30'][index]}, call_\\d+\\)$`),
			`assistant tool-call message ${index + 1} carries the reasoning it was sent with`,
		);
	}
	const secondTurn = (chats[1].body.messages as IDataObject[]).find((message) => message.role === 'assistant');
	assert.equal(secondTurn?.reasoning_content, calls[0].reasoning_content, 'already in the second turn');
	const results = toolMessages(last).map((message) => String(message.content));
	assert.equal(results.length, 2);
	for (const text of results) assert.ok(text.includes('42'), `a calculator result: ${text}`);
	assert.equal(output, `Sandbox reply to tool result: ${results.join('; ')}`);
}

function midjourneySubmits(context: ExampleContext, route: string): RecordedRequest[] {
	return context.requests.filter((request) => request.method === 'POST' && request.path.endsWith(`/mj/submit/${route}`));
}

type ButtonJson = { label: string; customId: string };

/** A Midjourney item of a finished image task, its image as binary in `property` (or none), checked against its json. */
function finishedImage(item: ItemSummary, action: string, property?: string): void {
	assert.equal(item.json.action, action);
	assert.equal(item.json.status, 'completed');
	assert.equal(item.json.relayStatus, 'SUCCESS');
	assert.equal(item.json.done, true);
	if (!property) {
		assert.deepEqual(Object.keys(item.binary), [], 'no image downloaded (Download Image off)');
		return;
	}
	const image = item.binary[property];
	assert.ok(image, `the image is in binary "${property}" (has: ${Object.keys(item.binary).join(', ')})`);
	assert.equal(image.mimeType, 'image/png');
	assert.equal(image.fileName, `midjourney-${String(item.json.taskId)}.png`);
	assert.deepEqual(image.image, { format: 'png', width: item.json.imageWidth, height: item.json.imageHeight }, 'the bytes are the image the task says');
	assert.equal(image.fileSize, item.json.fileSize);
}

/** The image links were fetched without the key. */
function downloadsWithoutKey(context: ExampleContext, taskIds: unknown[]): void {
	for (const id of taskIds) {
		const downloads = context.requests.filter((request) => request.path === `/files/mj/${String(id)}.png`);
		assert.equal(downloads.length, 1, `the image of task ${String(id)} was downloaded once`);
		assert.equal(downloads[0].headers.authorization, undefined, 'an image link is fetched without the key');
	}
}

function imagineThenUpscale(result: NormalisedResult, context: ExampleContext): void {
	const assignments = (nodeNamed(context.workflow, 'Product').parameters.assignments as { assignments: Array<{ name: string; value: string }> }).assignments;
	const description = assignments.find((assignment) => assignment.name === 'description')!.value;
	const imagines = midjourneySubmits(context, 'imagine');
	assert.equal(imagines.length, 1, 'one imagine');
	assert.equal(imagines[0].path, '/mj/submit/imagine');
	assert.equal(imagines[0].body.botType, 'MID_JOURNEY');
	assert.ok(String(imagines[0].body.prompt).startsWith(`${description}, `), 'the prompt starts with the product description');
	assert.ok(String(imagines[0].body.prompt).endsWith(' --ar 3:2 --v 6.1'), "Midjourney's flags go as they are");

	const [grid] = itemsOf(result, 'Imagine the Scene');
	finishedImage(grid, 'IMAGINE');
	const buttons = grid.json.buttons as ButtonJson[];
	assert.deepEqual(buttons.map((button) => button.label), ['U1', 'U2', 'U3', 'U4', 'Reroll', 'V1', 'V2', 'V3', 'V4']);

	const actions = midjourneySubmits(context, 'action');
	assert.equal(actions.length, 1, 'one button pressed');
	assert.deepEqual(actions[0].body, { taskId: grid.json.taskId, customId: buttons[0].customId }, "U1 of the grid's task");
	const scene = itemsOf(result, 'Upscale U1');
	assert.equal(scene.length, 1);
	finishedImage(scene[0], 'UPSCALE', 'scene');
	assert.deepEqual([scene[0].json.imageWidth, scene[0].json.imageHeight], [512, 342], 'a quadrant of the 3:2 grid');
	downloadsWithoutKey(context, [scene[0].json.taskId]);
}

function fourUpscales(result: NormalisedResult, context: ExampleContext): void {
	const imagines = midjourneySubmits(context, 'imagine');
	assert.equal(imagines.length, 1);
	assert.equal(imagines[0].path, '/mj-fast/mj/submit/imagine', 'the Fast route');
	const [grid] = itemsOf(result, 'Imagine the Grid');
	finishedImage(grid, 'IMAGINE');
	const u = (grid.json.buttons as ButtonJson[]).slice(0, 4);
	assert.deepEqual(u.map((button) => button.label), ['U1', 'U2', 'U3', 'U4']);

	const actions = midjourneySubmits(context, 'action');
	assert.deepEqual(
		actions.map((request) => request.body),
		u.map((button) => ({ taskId: grid.json.taskId, customId: button.customId })),
		'U1, U2, U3 and U4 pressed, in that order',
	);
	const upscales = itemsOf(result, 'Upscale All Four');
	assert.equal(upscales.length, 4, 'four items from one');
	for (const item of upscales) finishedImage(item, 'UPSCALE', 'data');
	assert.equal(new Set(upscales.map((item) => item.binary.data.sha256)).size, 4, 'four different images');
	assert.equal(new Set(upscales.map((item) => item.json.taskId)).size, 4, 'four tasks');
	downloadsWithoutKey(context, upscales.map((item) => item.json.taskId));
}


/** The sandbox's main key is its limited account (US$25 granted, US$21.50 used): below the US$5 of the example. */
function lowBalanceAlert(result: NormalisedResult, context: ExampleContext): void {
	const account = SANDBOX_ACCOUNTS.limited;
	const routes = ['/v1/dashboard/billing/subscription', '/v1/dashboard/billing/usage', '/api/usage/token'];
	assert.deepEqual(
		context.requests.map((request) => `${request.method} ${request.path}`),
		routes.map((route) => `GET ${route}`),
		'the billing routes, then the key usage route; nothing else (no quota lookup)',
	);
	for (const request of context.requests) assert.match(String(request.headers.authorization), /^Bearer sk-/, 'each with the key');
	assert.equal(result['Every Hour'], undefined, 'the run starts at the manual trigger, not the schedule');

	const [balance, ...more] = itemsOf(result, 'Get Balance');
	assert.equal(more.length, 0, 'one balance item');
	const remaining = account.grantedUsd - account.usedUsd;
	// As JSON: n8n-core may hand over objects of another realm (structuredClone), which deepEqual tells apart.
	const { keyUsage, answeredBy, raw, ...figures } = JSON.parse(JSON.stringify(balance.json)) as IDataObject;
	assert.ok(keyUsage && answeredBy && raw, 'the key usage, the routes that answered and the raw answers are there');
	assert.deepEqual(
		figures,
		{
			currency: 'USD',
			remaining,
			used: account.usedUsd,
			granted: account.grantedUsd,
			unlimited: false,
			accessUntil: new Date(account.accessUntil * 1000).toISOString(),
			quotaLookup: null,
			missingRoutes: [],
		},
	);
	assert.equal((keyUsage as IDataObject).available, remaining * SANDBOX_QUOTA_PER_USD, 'the key usage in quota units');
	assert.deepEqual(
		(answeredBy as string[]).map((url) => new URL(url).pathname),
		routes,
		'every route answered, and is named',
	);
	assert.equal(itemsOf(result, 'Below US$5?').length, 1, 'below the threshold');
	const [alert, ...others] = itemsOf(result, 'Low Balance Alert');
	assert.equal(others.length, 0);
	assert.deepEqual(JSON.parse(JSON.stringify(alert.json)), {
		alert: `DeerAPI balance is low: US$${remaining.toFixed(2)} left of US$${account.grantedUsd.toFixed(2)}. Top up before workflows start failing.`,
		remaining,
		used: account.usedUsd,
		accessUntil: balance.json.accessUntil,
	});
	assert.equal(result['Balance OK']?.length ?? 0, 0, 'nothing on the "enough balance" branch');
}

/** Examples whose model is the DeerAPI Chat Model: they need n8n's AI node SDK. */
export function needsAiNodeSdk(workflow: ExampleWorkflow): boolean {
	return workflow.nodes.some((node) => node.type === 'n8n-nodes-deerapi-relay.deerApiChatModel');
}

/** Whether an n8n version ships the AI node SDK. */
export function hasAiNodeSdk(n8nVersion: string): boolean {
	const [major, minor] = n8nVersion.split('.').map(Number);
	const [needMajor, needMinor] = FIRST_N8N_WITH_AI_SDK.split('.').map(Number);
	return major > needMajor || (major === needMajor && minor >= needMinor);
}

/** On an n8n without the SDK, such an example fails, and says which n8n it needs, before any request. */
export function checkWithoutAiNodeSdk(error: string | undefined, context: ExampleContext): void {
	assert.ok(error?.includes(MISSING_AI_SDK_MESSAGE), `the run fails naming the n8n it needs; it said: ${error}`);
	assert.equal(requestsTo(context, '/v1/chat/completions').length, 0, 'nothing was sent');
}

export const EXAMPLE_CHECKS: Record<string, ExampleCheck> = {
	'01-marketing-campaign.json': marketingCampaign,
	'02-model-inventory.json': modelInventory,
	'03-picture-via-chat.json': pictureViaChat,
	'04-vision-from-binary.json': visionFromBinary,
	'05-edit-product-photo.json': editProductPhoto,
	'06-most-similar-products.json': mostSimilarProducts,
	'07-speech-round-trip.json': speechRoundTrip,
	'08-agent-calculator.json': agentCalculator,
	'09-agent-reasoning-two-tool-turns.json': agentReasoningTwoTurns,
	'12-low-balance-alert.json': lowBalanceAlert,
	'10-product-photo-to-clip.json': productPhotoToClip,
	'11-many-clips-at-once.json': manyClipsAtOnce,
	'13-imagine-then-upscale.json': imagineThenUpscale,
	'14-four-upscales.json': fourUpscales,
	'15-product-jingle.json': productJingle,
};

/** The check for an example file; throws when the example has none. */
export function checkFor(file: string): ExampleCheck {
	const check = EXAMPLE_CHECKS[file];
	if (!check) throw new Error(`examples/${file} has no expectation in harness/expectations.ts`);
	return check;
}
