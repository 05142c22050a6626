/**
 * What n8n's editor does with a node type, for tests of what a user sees, without a browser:
 * - the `<name>Tool` type n8n derives from a `usableAsTool` node (`createAiTools` and
 *   `convertNodeToAiTool` in n8n's CLI package: tool-generation/ai-tools.ts in 2.40.7,
 *   load-nodes-and-credentials.ts in 1.123.81; not in n8n-workflow, so mirrored here);
 * - the canvas subtitle: the editor-ui's `getNodeSubtitle` (composables/useNodeHelpers.ts), which
 *   the canvas calls for every node, run with n8n-workflow's own Workflow and expression code on
 *   a workflow whose node types are descriptions only, as the editor's are.
 */
import { deepCopy, NodeConnectionTypes, Workflow, type INode, type INodeProperties, type INodeType, type INodeTypeDescription, type INodeTypes } from 'n8n-workflow';

/** The editor's PLACEHOLDER_FILLED_AT_EXECUTION_TIME. */
const PLACEHOLDER_FILLED_AT_EXECUTION_TIME = '[filled at execution time]';

/** The `<name>Tool` description n8n adds to its node list for a `usableAsTool` node. */
export function toolVariant(source: INodeTypeDescription): INodeTypeDescription {
	const replacements = typeof source.usableAsTool === 'object' ? (source.usableAsTool as { replacements?: object }).replacements : undefined;
	const description = { ...deepCopy(source), ...replacements } as INodeTypeDescription;
	description.name += 'Tool';
	description.inputs = [];
	description.outputs = [NodeConnectionTypes.AiTool];
	description.displayName += ' Tool';
	delete description.usableAsTool;
	if (!description.properties.some((prop) => prop.name === 'toolDescription')) {
		const hasResourceOrOperation = description.properties.some((prop) => prop.name === 'resource' || prop.name === 'operation');
		const toolDescription: INodeProperties = {
			displayName: 'Description',
			name: 'toolDescription',
			type: 'string',
			default: description.description,
			required: true,
			typeOptions: { rows: 2 },
		};
		const lastCallout = description.properties.map((prop) => prop.type).lastIndexOf('callout');
		description.properties.splice(lastCallout + 1, 0, toolDescription);
		if (hasResourceOrOperation) {
			description.properties.splice(lastCallout + 1, 0, {
				displayName: 'Tool Description',
				name: 'descriptionType',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Set Automatically', value: 'auto' },
					{ name: 'Set Manually', value: 'manual' },
				],
				default: 'auto',
			});
			toolDescription.displayOptions = { show: { descriptionType: ['manual'] } };
		}
	}
	return description;
}

/** The node types as the editor knows them: descriptions, looked up by `<package>.<name>`. */
export function editorNodeTypes(packageName: string, descriptions: INodeTypeDescription[]): INodeTypes {
	const byType = new Map(descriptions.map((description) => [`${packageName}.${description.name}`, { description } as INodeType]));
	const get = (type: string) => {
		const found = byType.get(type);
		if (!found) throw new Error(`the editor knows no node type ${type}`);
		return found;
	};
	return {
		getByName: get,
		getByNameAndVersion: get,
		getKnownTypes: () => ({}),
	};
}

/** The subtitle the canvas shows under `node` ('' where the editor shows none). */
export function canvasSubtitle(nodes: INode[], node: INode, nodeTypes: INodeTypes): string {
	const workflow = new Workflow({ nodes, connections: {}, active: false, nodeTypes });
	const description = nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description;
	const data = workflow.getNode(node.name)!;
	try {
		let subtitle: unknown;
		if (data.notesInFlow) subtitle = data.notes;
		else if (description.subtitle !== undefined) {
			try {
				subtitle = workflow.expression.getSimpleParameterValue(data, description.subtitle, 'internal', {}, undefined, PLACEHOLDER_FILLED_AT_EXECUTION_TIME);
			} catch {
				subtitle = undefined;
			}
		} else if (data.parameters.operation !== undefined) {
			const options = description.properties.find((prop) => prop.name === 'operation')?.options as Array<{ name: string; value: unknown }> | undefined;
			subtitle = options?.find((option) => option.value === data.parameters.operation)?.name ?? data.parameters.operation;
		}
		// The canvas takes `?? ''` and calls `.includes()` on it: anything but a string shows nothing.
		return typeof subtitle === 'string' ? subtitle : '';
	} catch {
		return '';
	}
}
