/**
 * What the editor shows of DeerAPI Chat's top level: the JSON mode notices appear for the
 * Response Format chosen under Options, and only then, as the running engine line's
 * displayParameter decides (the editor's own check). That the description resolves at all on
 * each line is test/package/resolve-parameters.test.ts.
 */
import { NodeHelpers, type INodeParameters } from 'n8n-workflow';

import { DeerApiChat } from '../../../nodes/DeerApiChat/DeerApiChat.node';

const { description } = new DeerApiChat();
const NOTICES = ['jsonObjectNotice', 'jsonSchemaNotice'];

function parameters(options: INodeParameters): INodeParameters {
	return { model: { __rl: true, mode: 'id', value: 'gpt-4o' }, options };
}

function shownNotices(values: INodeParameters): string[] {
	return description.properties
		.filter((property) => NOTICES.includes(property.name))
		.filter((property) => NodeHelpers.displayParameter(values, property, null, description, values))
		.map((property) => property.name);
}

test.each([
	[{}, []],
	[{ responseFormat: 'text' }, []],
	[{ responseFormat: 'json_object' }, ['jsonObjectNotice']],
	[{ responseFormat: 'json_schema' }, ['jsonSchemaNotice']],
	[{ temperature: 0.2 }, []],
])('options %j shows the notices %j', (options, expected) => {
	expect(shownNotices(parameters(options))).toEqual(expected);
});

test('the notices say what each JSON mode needs', () => {
	const text = (name: string) => description.properties.find((property) => property.name === name)!.displayName;
	expect(text('jsonObjectNotice')).toContain('"JSON" appear');
	expect(text('jsonSchemaNotice')).toContain('add "JSON Schema" under Options');
});
