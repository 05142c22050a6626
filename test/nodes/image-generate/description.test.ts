/**
 * What the editor shows: the model notices (gpt-image, dall-e-3, Seedream, chat mode), the
 * options per mode, and n8n's conventions for a node description.
 */
import { NodeHelpers, type INodeParameters, type INodeProperties } from 'n8n-workflow';

import { DeerApiImageGenerate } from '../../../nodes/DeerApiImageGenerate/DeerApiImageGenerate.node';

const node = new DeerApiImageGenerate();
const { description } = node;

function parameters(mode: string, modelId: string, extra: INodeParameters = {}): INodeParameters {
	return { mode, model: { __rl: true, mode: 'id', value: modelId }, ...extra };
}

function visibleTopLevel(values: INodeParameters): string[] {
	return description.properties
		.filter((property) => NodeHelpers.displayParameter(values, property, null, description))
		.map((property) => property.name);
}

function visibleOptions(values: INodeParameters): string[] {
	const collection = description.properties.find((property) => property.name === 'options')!;
	return (collection.options as INodeProperties[])
		.filter((option) => NodeHelpers.displayParameter({}, option, null, description, values))
		.map((option) => option.name);
}

test('a notice for each model family, only for that family', () => {
	const notices = (values: INodeParameters) => visibleTopLevel(values).filter((name) => name.endsWith('Notice'));
	expect(notices(parameters('images', 'gpt-image-1'))).toEqual(['gptImageNotice']);
	expect(notices(parameters('images', 'gpt-image-1-mini'))).toEqual(['gptImageNotice']);
	expect(notices(parameters('images', 'dall-e-3'))).toEqual(['dallE3Notice']);
	expect(notices(parameters('images', 'doubao-seedream-4-5-251128'))).toEqual(['seedreamNotice']);
	expect(notices(parameters('images', 'flux-kontext-pro'))).toEqual([]);
	expect(notices(parameters('chat', 'gpt-4o-image'))).toEqual(['chatNotice']);
	expect(notices(parameters('chat', 'gpt-image-1'))).toEqual(['chatNotice']);

	const gptImage = description.properties.find((property) => property.name === 'gptImageNotice')!;
	expect(gptImage.displayName).toContain('Response Format');
	const dallE3 = description.properties.find((property) => property.name === 'dallE3Notice')!;
	expect(dallE3.displayName).toContain('Number of Images');
});

test('images mode shows size and count; chat mode hides them and the Images API options', () => {
	const images = visibleTopLevel(parameters('images', 'gpt-image-1', { size: 'modelDefault' }));
	expect(images).toEqual(expect.arrayContaining(['model', 'mode', 'prompt', 'numberOfImages', 'size', 'options']));
	expect(images).not.toContain('customSize');
	expect(visibleTopLevel(parameters('images', 'x', { size: 'custom' }))).toContain('customSize');

	const chat = visibleTopLevel(parameters('chat', 'gpt-4o-image', { size: 'custom' }));
	expect(chat).not.toContain('numberOfImages');
	expect(chat).not.toContain('size');
	expect(chat).not.toContain('customSize');

	expect(visibleOptions({ mode: 'chat' })).toEqual([
		'downloadImages',
		'extraBody',
		'maxConcurrency',
		'maxDownloadMb',
		'maxRetries',
		'binaryPropertyOutput',
		'referenceImageFields',
		'referenceImageUrls',
		'stream',
		'timeout',
	]);
	expect(visibleOptions({ mode: 'images' })).not.toContain('stream');
	expect(visibleOptions({ mode: 'images' })).toEqual(
		expect.arrayContaining(['quality', 'style', 'background', 'outputFormat', 'outputCompression', 'moderation', 'responseFormat']),
	);
});

test('options lists and the Options collection are sorted by name, as n8n\'s lint rules want', () => {
	const sortedBy = (list: Array<{ name?: string; displayName?: string }>, key: 'name' | 'displayName') => {
		const names = list.map((entry) => String(entry[key]));
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })));
	};
	const all = [...description.properties, ...((description.properties.find((p) => p.name === 'options')!.options ?? []) as INodeProperties[])];
	for (const property of all) {
		if (property.type === 'options') sortedBy(property.options as Array<{ name: string }>, 'name');
	}
	sortedBy(description.properties.find((p) => p.name === 'options')!.options as INodeProperties[], 'displayName');
});
