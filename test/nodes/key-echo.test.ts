/**
 * A relay that echoes the API key, whole or in part, in whatever it answers: without its "sk-"
 * (one-api's `无效的令牌 token xxxxxxxx not found`), with an upper-case "SK-", inside the
 * Authorization header it quotes, in an HTML page, in plain text, in an error event of a stream,
 * cut off where a quote is truncated. Through every node, the Chat Model, the model picker and
 * the credential test, as real workflows against the sandbox: no run of the key's secret part
 * appears in a message, a description, an error item, the run data or the log.
 */
import type { IDataObject } from 'n8n-workflow';

import { encodeImage, type Fault } from '../../sandbox';
import { openPicker } from '../n8n/picker-context';
import { failure } from '../transport/loopback';
import { singleNodeWorkflow, toBinaryData, type RunOptions, type WorkflowRunResult } from '../../harness/workflow';
import { probeWorkflow } from './chat-model/model-probe';
import { NODE_TYPES as TYPES, useEveryNode } from './every-node';

// A key as relays issue them: "sk-" and 48 letters and digits.
const API_KEY = 'sk-Qw3rTy7uIo9pAsDfGh2jKlZx5cVbNm8Q1w2E3r4T5y6U7i8O';
const SECRET = API_KEY.slice(3);

/** How many runs of 8 characters of the secret part `text` holds, and the first (none, if it is masked). */
function leaks(text: string): string[] {
	const lower = text.toLowerCase();
	const found: string[] = [];
	for (let i = 0; i + 8 <= SECRET.length; i++) {
		const run = SECRET.slice(i, i + 8);
		if (lower.includes(run.toLowerCase())) found.push(run);
	}
	return found.length ? [`${found.length} runs, the first "${found[0]}"`] : [];
}

const { ctx, harness, credential } = useEveryNode({ apiKey: API_KEY });
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

/** What a surface left for someone to read: each place separately, to name the one that leaks. */
type Seen = Record<string, string>;

interface Surface {
	name: string;
	path: string;
	/** It reads an event stream (where an error can come as an event). */
	streams?: boolean;
	run(): Promise<Seen>;
}

function seenInRun(result: WorkflowRunResult, name: string): Seen {
	const error = (result.nodes[name]?.error ?? result.error) as (Error & { description?: string }) | undefined;
	return {
		message: String(error?.message),
		description: String(error?.description),
		'error items': JSON.stringify(result.nodes[name]?.items ?? []),
		'run data': JSON.stringify(result.raw),
		log: result.logText(),
	};
}

async function runNode(type: string, parameters: IDataObject, input?: RunOptions['input']): Promise<Seen> {
	const seen: Seen = {};
	// Failing the node, and under Continue On Fail as an error item.
	for (const continueOnFail of [false, true]) {
		const result = await harness.run(singleNodeWorkflow({ type, name: 'Node', parameters, continueOnFail }), {
			credentials: { deerApiRelayApi: credential() },
			input,
		});
		if (!continueOnFail) expect(result.status).toBe('error');
		else expect(JSON.stringify(result.nodes.Node?.items)).toContain('"error"');
		for (const [place, text] of Object.entries(seenInRun(result, 'Node'))) seen[`${place}${continueOnFail ? ' (Continue On Fail)' : ''}`] = text;
	}
	return seen;
}

const CHAT = '/v1/chat/completions';
const noRetries = { maxRetries: 0 };

const SURFACES: Surface[] = [
	{
		name: 'Chat, Stream on',
		path: CHAT,
		streams: true,
		run: async () => await runNode(TYPES.chat, { model: byId('gpt-4o'), messages: { values: [{ content: 'hi' }] }, options: noRetries }),
	},
	{
		name: 'Chat, Stream off',
		path: CHAT,
		run: async () =>
			await runNode(TYPES.chat, { model: byId('gpt-4o'), messages: { values: [{ content: 'hi' }] }, options: { ...noRetries, stream: false } }),
	},
	{
		name: 'Image Generate',
		path: '/v1/images/generations',
		run: async () => await runNode(TYPES.image, { model: byId('gpt-image-1'), prompt: 'a deer', options: noRetries }),
	},
	{
		name: 'Image Generate, chat mode',
		path: CHAT,
		streams: true,
		run: async () => await runNode(TYPES.image, { mode: 'chat', model: byId('gpt-4o-image'), prompt: 'a deer', options: noRetries }),
	},
	{
		name: 'Image Edit',
		path: '/v1/images/edits',
		run: async () =>
			await runNode(TYPES.edit, { model: byId('gpt-image-1'), prompt: 'on a beach', options: noRetries }, [
				{ json: {}, binary: { data: await toBinaryData(encodeImage('png', { width: 64, height: 48, rgb: [200, 120, 40] }), 'a.png', 'image/png') } },
			]),
	},
	{
		name: 'Embeddings',
		path: '/v1/embeddings',
		run: async () => await runNode(TYPES.embeddings, { model: byId('text-embedding-3-small'), text: 'hi', options: noRetries }),
	},
	{
		name: 'Audio, Text to Speech',
		path: '/v1/audio/speech',
		run: async () => await runNode(TYPES.audio, { operation: 'textToSpeech', input: 'hi', options: noRetries }),
	},
	{
		name: 'List Models',
		path: '/v1/models',
		run: async () => await runNode(TYPES.list, { returnAll: true, options: noRetries }),
	},
	{
		name: 'Chat Model (under a root node)',
		path: CHAT,
		streams: true,
		run: async () => {
			const result = await harness.run(probeWorkflow({ options: { maxRetries: 0 } }, { prompt: 'hi' }, { probe: 'Probe', model: 'Model' }), { credentials: { deerApiRelayApi: credential() } });
			expect(result.status).toBe('error');
			return { ...seenInRun(result, 'Probe'), 'model error': JSON.stringify(result.nodes.Model ?? {}) };
		},
	},
	{
		name: 'model picker',
		path: '/v1/models',
		run: async () => {
			const error = (await failure(openPicker('searchModels', credential()).ids())) as Error & { description?: string };
			return { message: error.message, description: String(error.description), error: JSON.stringify(error) };
		},
	},
	{
		name: 'credential test',
		path: '/v1/models',
		run: async () => {
			const answer = await harness.testCredential('deerApiRelayApi', credential());
			expect(answer.status).toBe('Error');
			return { message: answer.message };
		},
	},
];

// What relays say with the key in it: each echo is a kind of answer every surface can meet.
const ECHOES: Array<[string, (path: string) => Fault]> = [
	[
		'one-api\'s 401, the key without its "sk-"',
		(path) => ({ path, status: 401, body: { error: { message: `无效的令牌 token ${SECRET} not found (request id: 20250101)`, type: 'one_api_error' } } }),
	],
	['an upper-case "SK-"', (path) => ({ path, status: 401, body: { error: { message: `Invalid API key: SK-${SECRET}`, code: 'invalid_api_key' } } })],
	[
		'the Authorization header quoted, in lower case',
		(path) => ({ path, status: 403, body: { error: { message: `header "authorization: bearer ${API_KEY.toLowerCase()}" is not allowed` } } }),
	],
	['new-api\'s {success: false} on a 200', (path) => ({ path, status: 200, body: { success: false, message: `token ${API_KEY} has expired` } })],
	[
		'an HTML page',
		(path) => ({
			path,
			status: 401,
			body: `<html><head><title>Key ${SECRET} rejected</title></head><body><h1>401</h1></body></html>`,
			headers: { 'content-type': 'text/html' },
		}),
	],
	['plain text', (path) => ({ path, status: 403, body: `forbidden for token Bearer ${SECRET}` })],
	[
		'a body quoted up to where it is cut off, mid-key',
		(path) => ({ path, status: 200, body: { object: 'x', note: 'n'.repeat(250), token: SECRET } }),
	],
];

const STREAM_ECHOES: Array<[string, (path: string) => Fault]> = [
	['an error event in the stream', (path) => ({ path, streamError: { message: `token ${SECRET} has no quota left`, type: 'new_api_error' }, afterChunks: 0 })],
	[
		'a JSON error sent as an event stream',
		(path) => ({ path, status: 200, body: { error: { message: `令牌 ${SECRET} 已被禁用` } }, headers: { 'content-type': 'text/event-stream' } }),
	],
];

describe.each(SURFACES.map((surface) => [surface.name, surface] as const))('%s', (_name, surface) => {
	const echoes = surface.streams ? [...ECHOES, ...STREAM_ECHOES] : ECHOES;
	it.each(echoes)('%s: no run of the secret part is left anywhere', async (_echo, fault) => {
		ctx.sandbox.fault({ ...fault(surface.path), times: 4 });
		const seen = await surface.run();
		const leaked = Object.fromEntries(
			Object.entries(seen)
				.map(([place, text]) => [place, leaks(text)] as const)
				.filter(([, runs]) => runs.length > 0),
		);
		expect(leaked).toEqual({});
		// The echo reached the surface: the test would prove nothing otherwise.
		expect(ctx.sandbox.requests.some((request) => request.path === surface.path)).toBe(true);
	});
});
