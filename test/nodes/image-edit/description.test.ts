/** What the editor shows for Image Edit: a notice per model family, sorted options, n8n's conventions. */
import { NodeHelpers, type INodeParameters, type INodeProperties } from 'n8n-workflow';

import { DeerApiImageEdit } from '../../../nodes/DeerApiImageEdit/DeerApiImageEdit.node';

const node = new DeerApiImageEdit();
const { description } = node;

function visibleTopLevel(values: INodeParameters): string[] {
	return description.properties
		.filter((property) => NodeHelpers.displayParameter(values, property, null, description))
		.map((property) => property.name);
}

const withModel = (id: string, extra: INodeParameters = {}) => ({ model: { __rl: true, mode: 'id', value: id }, ...extra });

test('a notice for gpt-image, dall-e-2 and Seedream (which belongs in Image Generate)', () => {
	const notices = (id: string) => visibleTopLevel(withModel(id)).filter((name) => name.endsWith('Notice'));
	expect(notices('gpt-image-1')).toEqual(['gptImageNotice']);
	expect(notices('dall-e-2')).toEqual(['dallE2Notice']);
	expect(notices('doubao-seedream-4-0-250828')).toEqual(['seedreamNotice']);
	expect(notices('flux-kontext-pro')).toEqual([]);
	const seedream = description.properties.find((property) => property.name === 'seedreamNotice')!;
	expect(seedream.displayName).toContain('DeerAPI Image Generate');
});

test('parameters, custom size only for Custom, options sorted as n8n wants', () => {
	expect(visibleTopLevel(withModel('gpt-image-1', { size: 'modelDefault' }))).toEqual([
		'model',
		'gptImageNotice',
		'prompt',
		'imageFields',
		'imageUrls',
		'numberOfImages',
		'size',
		'options',
	]);
	expect(visibleTopLevel(withModel('gpt-image-1', { size: 'custom' }))).toContain('customSize');

	const options = description.properties.find((property) => property.name === 'options')!.options as INodeProperties[];
	expect(options.map((option) => option.name)).toEqual([
		'background',
		'downloadImages',
		'extraBody',
		'inputFidelity',
		'maskField',
		'maxConcurrency',
		'maxDownloadMb',
		'maxRetries',
		'moderation',
		'outputCompression',
		'outputFormat',
		'binaryPropertyOutput',
		'quality',
		'responseFormat',
		'timeout',
	]);
	const names = options.map((option) => option.displayName);
	expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })));
	for (const property of [...description.properties, ...options]) {
		if (property.type !== 'options') continue;
		const values = (property.options as Array<{ name: string }>).map((option) => option.name);
		expect(values).toEqual([...values].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })));
	}
});
