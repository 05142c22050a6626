import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * Whether n8n runs the node as a tool of an AI Agent, not on the workflow's main path.
 *
 * n8n's Agent (v3) has the workflow engine run its tools with a plain execute context, whose
 * isToolExecution() says false; what tells is the node's type: a `usableAsTool` node placed as a
 * tool is the `<name>Tool` variant n8n makes of it (`deerApiChatTool`). Older n8n runs tools
 * through a supply-data context whose isToolExecution() says true.
 */
export function runsAsTool(context: Pick<IExecuteFunctions, 'getNode'> & { isToolExecution?: () => boolean }): boolean {
	if (typeof context.isToolExecution === 'function' && context.isToolExecution()) return true;
	const type = context.getNode().type;
	return type.slice(type.lastIndexOf('.') + 1).endsWith('Tool');
}
