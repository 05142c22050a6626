/**
 * Node and credential types known to one harness: programmatic ones handed in by
 * a test, the ones of a built package folder (loaded with n8n-core's own
 * `PackageDirectoryLoader`, the way n8n loads an installed community package),
 * and a few n8n-nodes-base core nodes (required lazily, file by file).
 */
import { PackageDirectoryLoader } from 'n8n-core';
import { NodeHelpers, UnexpectedError } from 'n8n-workflow';
import type {
	ICredentialType,
	IDataObject,
	INodeProperties,
	INodeType,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';
import path from 'node:path';

import { ensureN8nEnvironment } from './n8n-env';

/** n8n-nodes-base nodes example workflows may use: type name -> file under dist/nodes. */
export const CORE_NODE_FILES: Record<string, string> = {
	'n8n-nodes-base.manualTrigger': 'ManualTrigger/ManualTrigger.node.js',
	'n8n-nodes-base.scheduleTrigger': 'Schedule/ScheduleTrigger.node.js',
	'n8n-nodes-base.set': 'Set/Set.node.js',
	'n8n-nodes-base.filter': 'Filter/Filter.node.js',
	'n8n-nodes-base.summarize': 'Transform/Summarize/Summarize.node.js',
	'n8n-nodes-base.if': 'If/If.node.js',
	'n8n-nodes-base.merge': 'Merge/Merge.node.js',
	'n8n-nodes-base.noOp': 'NoOp/NoOp.node.js',
	'n8n-nodes-base.splitOut': 'Transform/SplitOut/SplitOut.node.js',
	'n8n-nodes-base.aggregate': 'Transform/Aggregate/Aggregate.node.js',
	'n8n-nodes-base.sort': 'Transform/Sort/Sort.node.js',
	'n8n-nodes-base.limit': 'Transform/Limit/Limit.node.js',
	'n8n-nodes-base.stickyNote': 'StickyNote/StickyNote.node.js',
	'n8n-nodes-base.convertToFile': 'Files/ConvertToFile/ConvertToFile.node.js',
};

type AnyNodeType = INodeType | IVersionedNodeType;

function isVersioned(type: AnyNodeType): type is IVersionedNodeType {
	return 'nodeVersions' in type;
}

/** Every concrete version object of a node type. */
export function allVersions(type: AnyNodeType): INodeType[] {
	return isVersioned(type) ? Object.values(type.nodeVersions) : [type];
}

/** The version a node gets when a workflow does not say (n8n's default for new nodes). */
export function defaultVersion(type: AnyNodeType): number {
	if (isVersioned(type)) return type.currentVersion;
	const { version, defaultVersion: preferred } = type.description;
	if (preferred !== undefined) return preferred;
	return Array.isArray(version) ? Math.max(...version) : version;
}

function loadCoreNode(file: string): AnyNodeType {
	const modulePath = require.resolve(`n8n-nodes-base/dist/nodes/${file}`);
	const [className] = path.basename(file).split('.');
	const exported = require(modulePath) as Record<string, new () => AnyNodeType>;
	const NodeClass = exported[className];
	if (typeof NodeClass !== 'function') {
		throw new UnexpectedError(`${modulePath} does not export class ${className}`);
	}
	return new NodeClass();
}

export class TypeRegistry implements INodeTypes {
	private readonly nodes = new Map<string, AnyNodeType>();

	private readonly lazyNodes = new Map<string, () => AnyNodeType>();

	private readonly credentials = new Map<string, ICredentialType>();

	addNodeType(fullName: string, type: AnyNodeType) {
		this.nodes.set(fullName, type);
		this.lazyNodes.delete(fullName);
	}

	addLazyNodeType(fullName: string, load: () => AnyNodeType) {
		if (!this.nodes.has(fullName)) this.lazyNodes.set(fullName, load);
	}

	addCredentialType(type: ICredentialType) {
		this.credentials.set(type.name, type);
	}

	addCoreNodes() {
		for (const [fullName, file] of Object.entries(CORE_NODE_FILES)) {
			this.addLazyNodeType(fullName, () => loadCoreNode(file));
		}
	}

	/**
	 * Loads a built package folder the way n8n loads an installed community
	 * package: its package.json `n8n.nodes` / `n8n.credentials` files, through
	 * n8n-core's PackageDirectoryLoader (which also validates node descriptions).
	 * Node types are named `<package name>.<node name>`.
	 */
	async addPackage(packageDir: string): Promise<string> {
		ensureN8nEnvironment();
		const loader = new PackageDirectoryLoader(path.resolve(packageDir));
		await loader.loadAll();
		for (const [nodeName, { type }] of Object.entries(loader.nodeTypes)) {
			this.addNodeType(`${loader.packageName}.${nodeName}`, type);
		}
		for (const { type } of Object.values(loader.credentialTypes)) {
			this.addCredentialType(type);
		}
		return loader.packageName;
	}

	// ---- INodeTypes -------------------------------------------------------

	has(fullName: string) {
		return this.nodes.has(fullName) || this.lazyNodes.has(fullName);
	}

	find(fullName: string): AnyNodeType | undefined {
		let type = this.nodes.get(fullName);
		if (!type) {
			const load = this.lazyNodes.get(fullName);
			if (!load) return undefined;
			type = load();
			this.addNodeType(fullName, type);
		}
		return type;
	}

	getByName(nodeType: string): AnyNodeType {
		const type = this.find(nodeType);
		if (!type) {
			throw new UnexpectedError(
				`Unknown node type "${nodeType}". Registered: ${this.knownNodeNames().join(', ') || '(none)'}`,
			);
		}
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		const type = this.getByName(nodeType);
		if (version !== undefined) {
			if (isVersioned(type)) {
				if (!type.nodeVersions[version]) {
					throw new UnexpectedError(
						`Node type "${nodeType}" has no version ${version} (versions: ${Object.keys(type.nodeVersions).join(', ')})`,
					);
				}
			} else {
				const declared = type.description.version;
				const versions = Array.isArray(declared) ? declared : [declared];
				if (!versions.includes(version)) {
					throw new UnexpectedError(
						`Node type "${nodeType}" has no version ${version} (versions: ${versions.join(', ')})`,
					);
				}
			}
		}
		return NodeHelpers.getVersionedNodeType(type, version);
	}

	getKnownTypes(): IDataObject {
		const known: IDataObject = {};
		for (const name of this.knownNodeNames()) known[name] = { className: name, sourcePath: '' };
		return known;
	}

	knownNodeNames(): string[] {
		return [...new Set([...this.nodes.keys(), ...this.lazyNodes.keys()])].sort();
	}

	/** Node types currently materialised (lazy core nodes only once used). */
	loadedNodeTypes(): Array<[string, AnyNodeType]> {
		return [...this.nodes.entries()];
	}

	// ---- credential types -------------------------------------------------

	knownCredentialNames(): string[] {
		return [...this.credentials.keys()].sort();
	}

	recognizesCredential(name: string) {
		return this.credentials.has(name);
	}

	getCredentialType(name: string): ICredentialType {
		const type = this.credentials.get(name);
		if (!type) {
			throw new UnexpectedError(
				`Unknown credential type "${name}". Registered: ${this.knownCredentialNames().join(', ') || '(none)'}` +
					' (pass it in createHarness({ credentialTypes }) or load a packageDir)',
			);
		}
		return type;
	}

	/** All types the credential type extends, transitively (like n8n's CredentialTypes.getParentTypes). */
	getParentTypes(name: string): string[] {
		const type = this.credentials.get(name);
		if (!type?.extends) return [];
		const parents = [...type.extends];
		for (const parent of type.extends) parents.push(...this.getParentTypes(parent));
		return parents;
	}

	/** Full names of the node types whose description lists the credential type. */
	getSupportedNodes(credentialType: string): string[] {
		const supported: string[] = [];
		for (const name of this.knownNodeNames()) {
			// Lazy core nodes are not loaded just to look at their credentials: none uses ours.
			const type = this.nodes.get(name);
			if (!type) continue;
			if (allVersions(type).some((v) => v.description.credentials?.some((c) => c.name === credentialType))) {
				supported.push(name);
			}
		}
		return supported;
	}

	/** Credential properties including those of extended types (n8n CredentialsHelper.getCredentialsProperties). */
	getCredentialsProperties(name: string): INodeProperties[] {
		const type = this.getCredentialType(name);
		if (type.extends === undefined) return type.properties;
		const combined: INodeProperties[] = [];
		for (const parent of type.extends) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, type.properties);
		return combined;
	}
}
