/**
 * n8n's AI nodes (the AI Agent, its tools) come with n8n, in @n8n/n8n-nodes-langchain, which the
 * harness does not load: workflows that use them run in real n8n only (the e2e tier).
 */
export const N8N_AI_NODES_PREFIX = '@n8n/n8n-nodes-langchain.';

export function usesN8nAiNodes(workflow: { nodes: Array<{ type: string }> }): boolean {
	return workflow.nodes.some((node) => node.type.startsWith(N8N_AI_NODES_PREFIX));
}
