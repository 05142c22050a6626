/**
 * The canvas subtitles a user should read under each node of the package, as cases: every node
 * type (and the `<name>Tool` variant n8n makes of a `usableAsTool` node), fresh from the node
 * panel and with a model chosen in each mode its Model field offers, for each operation. Shared
 * by the jest test (n8n's own expression code, as the editor runs it) and the e2e tier (the real
 * editor's canvas). Only descriptions are read here: no n8n code runs.
 */
import type { INodeParameters, INodeProperties, INodeTypeDescription } from 'n8n-workflow';

export interface SubtitleCase {
	/** The node type's name without the package prefix: `deerApiChat`, `deerApiChatTool`. */
	nodeName: string;
	/** The node type's newest version, what a node added now gets. */
	typeVersion: number;
	/** What was set, for test names and canvas node names: `model By ID`, `fresh`. */
	label: string;
	parameters: INodeParameters;
	expected: string;
}

/** What a model chosen in each mode looks like in the workflow, as the editor stores it. */
function chosenModel(mode: string): { value: INodeParameters; id: string } {
	if (mode === 'list') {
		// A picked list entry keeps the entry's name; the subtitle shows the bare id.
		return { value: { __rl: true, mode, value: 'gpt-4o', cachedResultName: 'gpt-4o · chat · openai' }, id: 'gpt-4o' };
	}
	const id = `model-typed-in-${mode}`;
	return { value: { __rl: true, mode, value: id }, id };
}

function property(description: INodeTypeDescription, name: string): INodeProperties | undefined {
	return description.properties.find((candidate) => candidate.name === name);
}

/** What the subtitle must say: the model, after the operation's name when the node has operations. */
function modelSubtitle(description: INodeTypeDescription, model: string, operation: unknown): string {
	const operations = property(description, 'operation')?.options as Array<{ name: string; value: unknown }> | undefined;
	if (!operations) return model;
	const chosen = operations.find((option) => option.value === operation);
	if (!chosen) throw new Error(`${description.name}: no operation ${String(operation)}`);
	return `${chosen.name}: ${model}`;
}

type CaseOfType = Omit<SubtitleCase, 'nodeName' | 'typeVersion'>;

function casesOf(description: INodeTypeDescription): CaseOfType[] {
	const model = property(description, 'model');
	if (model) {
		if (model.type !== 'resourceLocator' || !model.modes?.length) throw new Error(`${description.name}: Model is not a resource locator with modes`);
		const operation = property(description, 'operation');
		const operations = (operation?.options as Array<{ value: unknown }> | undefined)?.map((option) => option.value) ?? [undefined];
		const defaultId = String((model.default as { value?: unknown }).value ?? '');
		const cases: CaseOfType[] = [
			{ label: 'fresh', parameters: {}, expected: modelSubtitle(description, defaultId, operation?.default) },
		];
		// Audio has a Model field per operation; a task node's Get has none.
		const models = description.properties.filter((candidate) => candidate.name === 'model');
		const modelShownFor = (value: unknown) =>
			value === undefined ||
			models.some((candidate) => {
				const shown = candidate.displayOptions?.show?.operation;
				return !shown || shown.includes(value as string);
			});
		for (const value of operations.filter((candidate) => !modelShownFor(candidate))) {
			// An operation without a model (a task node's Get) shows the task it looks up.
			const taskId = 'task_subtitle0001';
			if (!property(description, 'taskId')) throw new Error(`${description.name}: no subtitle case for operation ${String(value)}`);
			cases.push({ label: `operation ${String(value)}`, parameters: { operation: value as string, taskId }, expected: modelSubtitle(description, taskId, value) });
		}
		for (const mode of model.modes) {
			const chosen = chosenModel(mode.name);
			for (const value of operations.filter(modelShownFor)) {
				cases.push({
					label: `model ${mode.displayName}${value === undefined ? '' : `, ${String(value)}`}`,
					parameters: { model: chosen.value, ...(value === undefined ? {} : { operation: value as string }) },
					expected: modelSubtitle(description, chosen.id, value),
				});
			}
		}
		return cases;
	}
	const limit = property(description, 'limit');
	if (property(description, 'returnAll') && limit) {
		return [
			{ label: 'fresh', parameters: {}, expected: `Up to ${String(limit.default)} models` },
			{ label: 'limit 20', parameters: { returnAll: false, limit: 20 }, expected: 'Up to 20 models' },
			{ label: 'return all', parameters: { returnAll: true }, expected: 'All models' },
		];
	}
	const operation = property(description, 'operation');
	const operations = operation?.options as Array<{ name: string; value: unknown }> | undefined;
	if (operations?.length) {
		// A node without a model shows the operation by its name, as it reads in the Operation field.
		const named = (value: unknown) => operations.find((option) => option.value === value)?.name ?? '';
		return [
			{ label: 'fresh', parameters: {}, expected: named(operation?.default) },
			...operations.map((option) => ({ label: `operation ${String(option.value)}`, parameters: { operation: option.value as string }, expected: option.name })),
		];
	}
	throw new Error(`${description.name}: no subtitle cases for a node with neither a Model, an Operation nor Return All / Limit`);
}

/** Every case of every node, Tool variants included. */
export function subtitleCases(descriptions: INodeTypeDescription[]): SubtitleCase[] {
	return descriptions.flatMap((description) => {
		const names = description.usableAsTool ? [description.name, `${description.name}Tool`] : [description.name];
		const typeVersion = Math.max(...[description.version].flat());
		return names.flatMap((nodeName) => casesOf(description).map((entry) => ({ nodeName, typeVersion, ...entry })));
	});
}
