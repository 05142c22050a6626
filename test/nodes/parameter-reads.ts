import type { IExecuteFunctions } from 'n8n-workflow';

/** Counts the parameter reads that reach n8n (each of them costs a copy, a clean-up and a validation). */
export interface ParameterReads {
	/** `context` with its getNodeParameter calls counted. */
	count(context: IExecuteFunctions): IExecuteFunctions;
	/** Reads so far, by parameter name. */
	byName(): Record<string, number>;
}

export function countParameterReads(): ParameterReads {
	const counts: Record<string, number> = {};
	const count = (context: IExecuteFunctions): IExecuteFunctions =>
		new Proxy(context, {
			get(target, property) {
				if (property === 'getNodeParameter') {
					return (name: string, ...rest: unknown[]) => {
						counts[name] = (counts[name] ?? 0) + 1;
						return (target.getNodeParameter as (...args: unknown[]) => unknown)(name, ...rest);
					};
				}
				const value: unknown = Reflect.get(target, property);
				return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
			},
		});
	return {
		count,
		byName: () => ({ ...counts }),
	};
}
