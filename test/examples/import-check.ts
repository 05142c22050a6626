/**
 * What a workflow file must satisfy to import into the n8n editor as it is and run: the checks
 * n8n's import and the engine rely on, plus the package's own rules for shared examples (a
 * credential referenced by id and name only, no key anywhere).
 */
import type { INodeTypes } from 'n8n-workflow';

import { N8N_AI_NODES_PREFIX } from '../../harness/ai-nodes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OUR_PREFIX = 'n8n-nodes-deerapi-relay.';
const MANUAL_TRIGGER = 'n8n-nodes-base.manualTrigger';
const STICKY_NOTE = 'n8n-nodes-base.stickyNote';

interface ExportedNode {
	id?: unknown;
	name?: unknown;
	type?: unknown;
	typeVersion?: unknown;
	position?: unknown;
	parameters?: unknown;
	credentials?: unknown;
}

type Connections = Record<string, Record<string, Array<Array<{ node?: unknown; type?: unknown; index?: unknown }> | null>>>;

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Problems found in the raw JSON text of a workflow export; [] when it is importable. */
export function importProblems(text: string, nodeTypes: INodeTypes): string[] {
	const problems: string[] = [];
	if (/sk-[A-Za-z0-9]/.test(text)) problems.push('contains something that looks like an API key (sk-...)');

	let workflow: Record<string, unknown>;
	try {
		workflow = JSON.parse(text) as Record<string, unknown>;
	} catch (error) {
		return [...problems, `not valid JSON: ${(error as Error).message}`];
	}
	if (typeof workflow.name !== 'string' || !workflow.name.trim()) problems.push('"name" is missing');
	if (!isObject(workflow.settings) || workflow.settings.executionOrder !== 'v1') {
		problems.push('"settings.executionOrder" is not "v1"');
	}
	if (!isObject(workflow.pinData) || Object.keys(workflow.pinData).length > 0) problems.push('"pinData" is not {}');
	if (!Array.isArray(workflow.nodes) || !isObject(workflow.connections)) {
		return [...problems, '"nodes" must be an array and "connections" an object'];
	}

	const nodes = workflow.nodes as ExportedNode[];
	const byName = new Map<string, ExportedNode>();
	const ids = new Set<unknown>();
	for (const [index, node] of nodes.entries()) {
		const label = typeof node.name === 'string' ? `node "${node.name}"` : `node ${index}`;
		if (typeof node.name !== 'string' || !node.name) problems.push(`${label}: no name`);
		else if (byName.has(node.name)) problems.push(`${label}: the name is used twice`);
		else byName.set(node.name, node);
		if (typeof node.id !== 'string' || !UUID.test(node.id)) problems.push(`${label}: id is not a UUID`);
		else if (ids.has(node.id)) problems.push(`${label}: id is used twice`);
		ids.add(node.id);
		if (!Array.isArray(node.position) || node.position.length !== 2 || !node.position.every((n) => typeof n === 'number')) {
			problems.push(`${label}: position is not [x, y]`);
		}
		if (!isObject(node.parameters)) problems.push(`${label}: parameters is not an object`);

		if (typeof node.type !== 'string' || typeof node.typeVersion !== 'number') {
			problems.push(`${label}: type or typeVersion missing`);
			continue;
		}
		let properties: string[] = [];
		try {
			properties = nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description.properties.map((p) => p.name);
		} catch (error) {
			// n8n's AI Agent and its tools are not in the harness: the e2e tier imports them into real n8n.
			if (node.type.startsWith(N8N_AI_NODES_PREFIX)) continue;
			problems.push(`${label}: ${(error as Error).message}`);
			continue;
		}
		for (const parameter of Object.keys(isObject(node.parameters) ? node.parameters : {})) {
			if (!properties.includes(parameter)) {
				problems.push(`${label}: "${parameter}" is not a parameter of ${node.type} v${node.typeVersion}`);
			}
		}

		if (node.type.startsWith(OUR_PREFIX)) {
			const credential = isObject(node.credentials) ? node.credentials.deerApiRelayApi : undefined;
			const keys = isObject(credential) ? Object.keys(credential).sort().join(',') : '';
			if (
				!isObject(node.credentials) ||
				Object.keys(node.credentials).join(',') !== 'deerApiRelayApi' ||
				keys !== 'id,name' ||
				!isObject(credential) ||
				typeof credential.id !== 'string' ||
				typeof credential.name !== 'string'
			) {
				problems.push(`${label}: credentials must be exactly {"deerApiRelayApi": {"id", "name"}}`);
			}
		} else if (node.credentials !== undefined) {
			problems.push(`${label}: has credentials but is not a DeerAPI node`);
		}
	}

	const connections = workflow.connections as Connections;
	const targets = new Map<string, string[]>();
	// Sub-nodes (a chat model, a tool) run when the node they are connected to does.
	const feeds = new Map<string, string[]>();
	for (const [source, byType] of Object.entries(connections)) {
		if (!byName.has(source)) problems.push(`connections: source "${source}" is not a node`);
		for (const [type, outputs] of Object.entries(byType ?? {})) {
			for (const output of outputs ?? []) {
				for (const connection of output ?? []) {
					const target = connection.node;
					if (typeof target !== 'string' || !byName.has(target)) {
						problems.push(`connections: "${source}" leads to "${String(target)}", which is not a node`);
					} else if (type === 'main') {
						targets.set(source, [...(targets.get(source) ?? []), target]);
					} else {
						feeds.set(target, [...(feeds.get(target) ?? []), source]);
					}
					if (connection.type !== type || !Number.isInteger(connection.index)) {
						problems.push(`connections: "${source}" -> "${String(target)}" has type/index ${String(connection.type)}/${String(connection.index)}`);
					}
				}
			}
		}
	}

	const triggers = nodes.filter((node) => node.type === MANUAL_TRIGGER);
	if (triggers.length !== 1) {
		problems.push(`has ${triggers.length} Manual Trigger nodes, expected 1`);
	} else {
		const reached = new Set<string>();
		const visit = (name: string) => {
			if (reached.has(name)) return;
			reached.add(name);
			(targets.get(name) ?? []).forEach(visit);
			(feeds.get(name) ?? []).forEach(visit);
		};
		visit(triggers[0].name as string);
		// Another trigger beside it (a Schedule Trigger) starts what the manual run runs: that is checked.
		const startsWhatRuns = (name: string, type: unknown) =>
			typeof type === 'string' && /Trigger$/.test(type) && (targets.get(name) ?? []).length > 0 && targets.get(name)!.every((target) => reached.has(target));
		for (const node of nodes) {
			if (node.type !== STICKY_NOTE && typeof node.name === 'string' && !reached.has(node.name) && !startsWhatRuns(node.name, node.type)) {
				problems.push(`node "${node.name}" is not reached from the Manual Trigger`);
			}
		}
	}
	return problems;
}
