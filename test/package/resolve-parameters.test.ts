/**
 * Every node and credential the package lists (package.json `n8n`), loaded from dist/ the way n8n
 * loads an installed package, has its parameters resolved by the running engine line's
 * `NodeHelpers.getNodeParameters`: for the defaults and for every option set a user can make. That
 * is what n8n does when it builds a workflow (Workflow's constructor) and what the editor does when
 * it shows a node, so a description one engine line cannot resolve (1.x's "Could not resolve
 * parameter dependencies") fails here in seconds, on `npm test` and on `npm run test:n8n1`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { PackageDirectoryLoader } from 'n8n-core';
import { NodeHelpers } from 'n8n-workflow';
import type {
	ICredentialType,
	INode,
	INodeParameters,
	INodeProperties,
	INodePropertyCollection,
	INodeType,
	INodeTypeDescription,
	NodeParameterValueType,
} from 'n8n-workflow';

import '../../harness/n8n-env';

const root = path.resolve(__dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
	n8n: { nodes: string[]; credentials: string[] };
};

/** One choice a user can make, as the parameter values it leaves on the node, and how to name it. */
interface OptionSet {
	label: string;
	values: INodeParameters;
}

function isCollectionEntry(option: unknown): option is INodePropertyCollection {
	return typeof option === 'object' && option !== null && Array.isArray((option as INodePropertyCollection).values);
}

function isProperty(option: unknown): option is INodeProperties {
	return typeof option === 'object' && option !== null && typeof (option as INodeProperties).type === 'string';
}

/** The values a parameter's siblings test it for in their displayOptions (show and hide). */
function valuesNamedByDisplayOptions(level: INodeProperties[], name: string): NodeParameterValueType[] {
	const named: NodeParameterValueType[] = [];
	for (const property of level) {
		for (const rules of [property.displayOptions?.show, property.displayOptions?.hide]) {
			for (const value of rules?.[name] ?? []) {
				if (typeof value !== 'object' || value === null) named.push(value as NodeParameterValueType);
			}
		}
	}
	return named;
}

/**
 * The option sets of one level of parameters (the node's top level, a collection's options or a
 * fixedCollection entry's values), each setting one parameter: every value of an options
 * parameter, both values of a boolean, every value a sibling's displayOptions names, every option
 * of a collection (at its default and with its own option sets), every fixedCollection entry
 * (with its defaults and with its own option sets).
 */
function optionSets(level: INodeProperties[], prefix = ''): OptionSet[] {
	const sets: OptionSet[] = [];
	for (const property of level) {
		const label = `${prefix}${property.name}`;
		const choices: NodeParameterValueType[] = [...valuesNamedByDisplayOptions(level, property.name)];
		if (property.type === 'options' || property.type === 'multiOptions') {
			for (const option of property.options ?? []) {
				if ('value' in option) {
					choices.push(property.type === 'multiOptions' ? [option.value] : option.value);
				}
			}
		}
		if (property.type === 'boolean') choices.push(true, false);
		for (const choice of choices) {
			sets.push({ label: `${label}=${JSON.stringify(choice)}`, values: { [property.name]: choice } });
		}

		if (property.type === 'collection') {
			const options = (property.options ?? []).filter(isProperty);
			for (const option of options) {
				sets.push({
					label: `${label}.${option.name}`,
					values: { [property.name]: { [option.name]: option.default } },
				});
			}
			for (const inner of optionSets(options, `${label}.`)) {
				sets.push({ label: inner.label, values: { [property.name]: inner.values } });
			}
		}

		if (property.type === 'fixedCollection') {
			const multiple = property.typeOptions?.multipleValues === true;
			for (const entry of (property.options ?? []).filter(isCollectionEntry)) {
				const wrap = (values: INodeParameters): INodeParameters => ({
					[property.name]: { [entry.name]: multiple ? [values] : values },
				});
				sets.push({ label: `${label}.${entry.name}`, values: wrap({}) });
				for (const inner of optionSets(entry.values, `${label}.${entry.name}.`)) {
					sets.push({ label: inner.label, values: wrap(inner.values) });
				}
			}
		}
	}
	return sets;
}

/**
 * Resolves the defaults and every option set the way n8n does: with defaults (the editor, the
 * credential helper) and without (Workflow's constructor). Returns how many sets were resolved.
 */
function expectEverySetResolves(
	what: string,
	properties: INodeProperties[],
	node: INode | null,
	description: INodeTypeDescription | null,
): number {
	const sets = [{ label: 'defaults', values: {} }, ...optionSets(properties)];
	for (const { label, values } of sets) {
		const withValues = node && { ...node, parameters: values };
		let withDefaults: INodeParameters | null;
		try {
			withDefaults = NodeHelpers.getNodeParameters(properties, values, true, false, withValues, description);
			NodeHelpers.getNodeParameters(properties, values, false, false, withValues, description);
		} catch (error) {
			throw new Error(`${what}, ${label} (${JSON.stringify(values)}): ${(error as Error).message}`, { cause: error });
		}
		// Every parameter shown without conditions gets its default: the resolution ran through.
		for (const property of properties) {
			if (property.displayOptions === undefined && property.type !== 'notice') {
				expect(withDefaults).toHaveProperty([property.name]);
			}
		}
	}
	return sets.length;
}

const loader = new PackageDirectoryLoader(root);
const loaded = loader.loadAll();

function nodeTypeVersions(type: INodeType): INodeType[] {
	const versioned = type as unknown as { nodeVersions?: Record<number, INodeType> };
	return versioned.nodeVersions ? Object.values(versioned.nodeVersions) : [type];
}

const engineVersion = (require('n8n-workflow/package.json') as { version: string }).version;

describe(`every node the package lists: parameters resolve on n8n-workflow ${engineVersion}`, () => {
	beforeAll(async () => {
		await loaded;
	});

	it('the package lists the nodes and credentials this test walks', () => {
		expect(Object.values(loader.known.nodes).map((known) => known.sourcePath).sort()).toEqual(
			[...manifest.n8n.nodes].sort(),
		);
		expect(Object.values(loader.known.credentials).map((known) => known.sourcePath).sort()).toEqual(
			[...manifest.n8n.credentials].sort(),
		);
	});

	it.each(manifest.n8n.nodes.map((file) => [path.basename(file, '.node.js'), file]))(
		'%s: the defaults and every option set resolve',
		(_, file) => {
			const entry = Object.entries(loader.known.nodes).find(([, known]) => known.sourcePath === file);
			expect(entry).toBeDefined();
			const type = loader.nodeTypes[entry![0]].type as INodeType;
			for (const version of nodeTypeVersions(type)) {
				const { description } = version;
				const versions = Array.isArray(description.version) ? description.version : [description.version];
				for (const typeVersion of versions) {
					const node: INode = {
						id: 'resolve-check',
						name: description.displayName,
						type: `${loader.packageName}.${description.name}`,
						typeVersion,
						position: [0, 0],
						parameters: {},
					};
					const what = `${description.name} v${typeVersion}`;
					const resolved = expectEverySetResolves(what, description.properties, node, description);
					expect(resolved).toBeGreaterThan(description.properties.length);
				}
			}
		},
	);

	it.each(manifest.n8n.credentials.map((file) => [path.basename(file, '.credentials.js'), file]))(
		'%s credential: the defaults and every option set resolve',
		(_, file) => {
			const entry = Object.entries(loader.known.credentials).find(([, known]) => known.sourcePath === file);
			expect(entry).toBeDefined();
			const type = loader.credentialTypes[entry![0]].type as ICredentialType;
			expectEverySetResolves(type.name, type.properties, null, null);
		},
	);
});
