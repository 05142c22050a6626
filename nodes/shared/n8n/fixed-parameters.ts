import type { IExecuteFunctions, IGetNodeParameterOptions, INodeParameters, NodeParameterValueType } from 'n8n-workflow';

/** n8n's own test: a string parameter is an expression when it starts with "=". */
function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(holdsExpression);
	return false;
}

/** The stored value at a dotted parameter path ("messages.values"), as n8n looks it up. */
function storedAt(parameters: INodeParameters, path: string): unknown {
	let value: unknown = parameters;
	for (const key of path.split('.')) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}

/**
 * `context` with a getNodeParameter that reads a parameter holding no expression once per node
 * run. Without an expression it cannot differ between items, yet n8n copies, cleans and validates
 * it again on every call: a per-item reader asking for 7 parameters of 200 items pays that 1,400
 * times. Parameters with an expression anywhere in them are still resolved for each item, and a
 * read that throws is not kept, so every item still gets its own error. Callers must not mutate
 * what they get: items share it.
 */
export function withFixedParametersReadOnce(context: IExecuteFunctions): IExecuteFunctions {
	const stored = context.getNode().parameters;
	const fixed = new Map<string, unknown>();
	const getNodeParameter = (name: string, itemIndex: number, fallback?: unknown, options?: IGetNodeParameterOptions) => {
		const key = JSON.stringify([name, fallback, options]);
		if (fixed.has(key)) return fixed.get(key);
		const value = context.getNodeParameter(name, itemIndex, fallback as NodeParameterValueType, options);
		if (!holdsExpression(storedAt(stored, name))) fixed.set(key, value);
		return value;
	};
	return new Proxy(context, {
		get(target, property) {
			if (property === 'getNodeParameter') return getNodeParameter;
			const value: unknown = Reflect.get(target, property);
			// n8n's context methods expect the context itself as `this`, never the proxy.
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
	});
}
