/**
 * A deterministic value that satisfies a JSON schema, used both for json_schema answers and
 * tool-call arguments: string -> "sample <property name>", number / integer -> 1, boolean ->
 * true, array -> one item, object -> every listed property plus any required name not listed,
 * enum -> first value, const -> itself, anyOf / oneOf -> first branch, local $refs resolved.
 */
type Schema = Record<string, any>;

const MAX_DEPTH = 12;

export function sampleFromSchema(schema: unknown, name = ''): unknown {
	return sample(schema, name, isObject(schema) ? schema : {}, 0);
}

function isObject(value: unknown): value is Schema {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveRef(ref: string, root: Schema): unknown {
	if (!ref.startsWith('#')) return {};
	let node: unknown = root;
	for (const part of ref.slice(1).split('/').filter(Boolean)) {
		if (!isObject(node)) return {};
		node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')];
	}
	return node ?? {};
}

function sample(schema: unknown, name: string, root: Schema, depth: number): unknown {
	if (!isObject(schema) || depth > MAX_DEPTH) return null;
	if (typeof schema.$ref === 'string') return sample(resolveRef(schema.$ref, root), name, root, depth + 1);
	if ('const' in schema) return schema.const;
	if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
	for (const key of ['anyOf', 'oneOf']) {
		const branches = schema[key];
		if (Array.isArray(branches) && branches.length > 0) {
			const branch = branches.find((b) => !(isObject(b) && b.type === 'null')) ?? branches[0];
			return sample(branch, name, root, depth + 1);
		}
	}
	if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
		const merged: Schema = { type: 'object', properties: {}, required: [] };
		for (const part of schema.allOf) {
			const resolved = isObject(part) && typeof part.$ref === 'string' ? resolveRef(part.$ref, root) : part;
			if (!isObject(resolved)) continue;
			Object.assign(merged.properties, resolved.properties ?? {});
			merged.required.push(...(Array.isArray(resolved.required) ? resolved.required : []));
		}
		return sample(merged, name, root, depth + 1);
	}

	let type = schema.type;
	if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? type[0];
	if (type === undefined) {
		if (isObject(schema.properties) || Array.isArray(schema.required)) type = 'object';
		else if (schema.items !== undefined) type = 'array';
		else type = 'string';
	}

	switch (type) {
		case 'string':
			return name ? `sample ${name}` : 'sample';
		case 'number':
		case 'integer':
			return 1;
		case 'boolean':
			return true;
		case 'null':
			return null;
		case 'array': {
			const items = Array.isArray(schema.items) ? schema.items[0] : schema.items;
			return [sample(items ?? {}, name, root, depth + 1)];
		}
		case 'object': {
			const out: Record<string, unknown> = {};
			const properties = isObject(schema.properties) ? schema.properties : {};
			for (const [key, child] of Object.entries(properties)) {
				out[key] = sample(child, key, root, depth + 1);
			}
			if (Array.isArray(schema.required)) {
				for (const key of schema.required) {
					if (typeof key === 'string' && !(key in out)) out[key] = `sample ${key}`;
				}
			}
			return out;
		}
		default:
			return null;
	}
}
