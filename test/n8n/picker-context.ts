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
	INodeParameters,
	INodeType,
	INodeTypeDescription,
	ILoadOptionsFunctions,
} from 'n8n-workflow';

import { DeerApiRelayApi } from '../../credentials/DeerApiRelayApi.credentials';
import { searchAudioModels, searchEmbeddingModels, searchImageModels, searchModels, searchVideoModels } from '../../nodes/shared/n8n/model-search';
import { modelLocator } from '../../nodes/shared/n8n/parameters';
import { createAdditionalData } from '../../harness/additional-data';
import { HarnessCredentialsHelper } from '../../harness/credentials-helper';
import { ensureN8nEnvironment } from '../../harness/n8n-env';
import { TypeRegistry } from '../../harness/type-registry';

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
	return openNodePicker(new PickerNode(searchMethod), credential);
}

/**
 * The model picker of a real node type with the parameters the editor sends along (e.g. Audio's
 * operation): the list search its Model field names, in a context for a node with `parameters`.
 */
export function openNodePicker(nodeType: INodeType, credential: ICredentialDataDecryptedObject, parameters: INodeParameters = {}): Picker {
	ensureN8nEnvironment();
	const registry = new TypeRegistry();
	const typeName = `n8n-nodes-deerapi-relay.${nodeType.description.name}`;
	registry.addNodeType(typeName, nodeType);
	registry.addCredentialType(new DeerApiRelayApi());
	const credentialsHelper = new HarnessCredentialsHelper(registry);
	credentialsHelper.setCredentials({ deerApiRelayApi: credential });

	const node: INode = {
		id: 'picker-node',
		name: 'Picker',
		type: typeName,
		typeVersion: 1,
		position: [0, 0],
		parameters: { ...parameters, model: { __rl: true, mode: 'list', value: '' } },
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
	const model = nodeType.description.properties.find((property) => property.name === 'model');
	const searchMethod = model?.modes?.find((mode) => mode.name === 'list')?.typeOptions?.searchListMethod;
	const method = searchMethod ? nodeType.methods?.listSearch?.[searchMethod] : undefined;
	if (!method) throw new Error(`${nodeType.description.name} has no list search for its Model`);

	const search = async (filter?: string) => {
		// n8n makes a new context for every request from the editor, with the node's current parameters.
		const context: ILoadOptionsFunctions = new LoadOptionsContext(workflow, node, { ...additionalData, currentNodeParameters: node.parameters }, 'parameters.model');
		return await method.call(context, filter);
	};
	return {
		search,
		async ids(filter) {
			return (await search(filter)).results.map((result) => String(result.value));
		},
	};
}
