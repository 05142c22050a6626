import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runNode } from '../shared/n8n/runner';
import { taskOperation } from '../shared/n8n/tasks';
import { midjourneyTaskKind } from '../shared/transport';
import { taskItems } from './output';
import { readMidjourneyRequest, type MidjourneyRequest } from './request';

const kind = midjourneyTaskKind();

const midjourney = taskOperation<MidjourneyRequest>({
	read: async ({ context, client, itemIndex, signal }) => await readMidjourneyRequest(context, client, kind, itemIndex, signal),
	kind: () => kind,
	// U1-U4 together are four submits of one item, one after the other in its request slot.
	start: async (request, { client, signal }) => {
		if (request.taskId !== undefined) return request.taskId;
		const started = [];
		for (const submit of request.submits) started.push(await kind.submit(client, submit, { signal }));
		return started;
	},
	output: async (request, outcome, { context, client, signal }) => await taskItems(context, client, request, outcome, signal),
});

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runNode(this, midjourney);
}
