/**
 * What the n8n editor does when a model dropdown opens or its filter changes: n8n-core's own
 * LoadOptionsContext for a node that has a DeerAPI credential, and the list search method the
 * node's resource locator names, called with the filter.
 */
import { LoadOptionsContext } from 'n8n-core';
import { Workflow } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	INode,
	INodeListSearchResult,
	INodeType,
	INodeTypeDescription,
	ILoadOptionsFunctions,
} from 'n8n-workflow';

import { DeerApiRelayApi } from '../../credentials/DeerApiRelayApi.credentials';
import { searchAudioModels, searchEmbeddingModels, searchImageModels, searchModels, searchVideoModels } from '../../nodes/shared/n8n/model-search';
import { modelLocator } from '../../nodes/shared/n8n/parameters';
import { createAdditionalData } from '../support/additional-data';
import { HarnessCredentialsHelper } from '../support/credentials-helper';
import { ensureN8nEnvironment } from '../support/n8n-env';
import { TypeRegistry } from '../support/type-registry';

type SearchMethod = 'searchModels' | 'searchImageModels' | 'searchEmbeddingModels' | 'searchAudioModels' | 'searchVideoModels';

/** A node with one model picker, as Chat and Image Generate declare theirs. */
class PickerNode implements INodeType {
	description: INodeTypeDescription;

	methods = { listSearch: { searchModels, searchImageModels, searchEmbeddingModels, searchAudioModels, searchVideoModels } };

	constructor(searchMethod: SearchMethod) {
		this.description = {
			displayName: 'Picker',
			name: 'picker',
			group: ['transform'],
			version: 1,
			description: 'A model picker',
			defaults: { name: 'Picker' },
			inputs: [],
			outputs: [],
			credentials: [{ name: 'deerApiRelayApi', required: true }],
			properties: [modelLocator({ searchMethod, defaultId: '', placeholder: 'e.g. gpt-4o' })],
		};
	}
}

export interface Picker {
	/** The dropdown's list for this filter text. */
	search(filter?: string): Promise<INodeListSearchResult>;
	/** Ids only, in order. */
	ids(filter?: string): Promise<string[]>;
}

export function openPicker(searchMethod: SearchMethod, credential: ICredentialDataDecryptedObject): Picker {
	ensureN8nEnvironment();
	const registry = new TypeRegistry();
	const nodeType = new PickerNode(searchMethod);
	registry.addNodeType('n8n-nodes-deerapi-relay.picker', nodeType);
	registry.addCredentialType(new DeerApiRelayApi());
	const credentialsHelper = new HarnessCredentialsHelper(registry);
	credentialsHelper.setCredentials({ deerApiRelayApi: credential });

	const node: INode = {
		id: 'picker-node',
		name: 'Picker',
		type: 'n8n-nodes-deerapi-relay.picker',
		typeVersion: 1,
		position: [0, 0],
		parameters: { model: { __rl: true, mode: 'list', value: '' } },
		credentials: { deerApiRelayApi: { id: 'picker-credential', name: 'DeerAPI' } },
	};
	const workflow = new Workflow({
		id: 'picker-workflow',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: registry,
	});
	const additionalData = createAdditionalData({ credentialsHelper, workflowId: workflow.id });

	const search = async (filter?: string) => {
		// n8n makes a new context for every request from the editor.
		const context: ILoadOptionsFunctions = new LoadOptionsContext(workflow, node, additionalData, 'parameters.model');
		const method = nodeType.methods.listSearch[searchMethod];
		return await method.call(context, filter);
	};
	return {
		search,
		async ids(filter) {
			return (await search(filter)).results.map((result) => String(result.value));
		},
	};
}
