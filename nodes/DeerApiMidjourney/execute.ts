import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runClient } from '../shared/n8n/client';
import { readConcurrency } from '../shared/n8n/parameters';
import { runTasks } from '../shared/n8n/tasks';
import { midjourneyTaskKind } from '../shared/transport';
import { taskItems } from './output';
import { readMidjourneyRequest } from './request';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	// Timeout, Max Retries and Max Concurrent Requests shape the run: they are read from item 0.
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const client = await runClient(this, options);
	const kind = midjourneyTaskKind();
	return await runTasks(
		this,
		client,
		{
			read: async (itemIndex, signal) => await readMidjourneyRequest(this, client, kind, itemIndex, signal),
			kind: () => kind,
			// U1-U4 together are four submits of one item, one after the other in its request slot.
			start: async (request, signal) => {
				if (request.taskId !== undefined) return request.taskId;
				const started = [];
				for (const submit of request.submits) started.push(await kind.submit(client, submit, { signal }));
				return started;
			},
			output: async (request, outcome, _itemIndex, signal) => await taskItems(this, client, request, outcome, signal),
		},
		readConcurrency(options),
	);
}
