/**
 * The hints under an error are true to the settings the call ran with: how many attempts were
 * made, whether it streamed (and whether it could have), the timeout it had, the options the
 * surface has (Max Concurrent Requests above 1, Max Retries, Timeout, Download Timeout), the
 * endpoint it called. Real workflows against the sandbox; the description is what n8n shows.
 */
import type { IDataObject } from 'n8n-workflow';

import { openPicker } from '../n8n/picker-context';
import { singleNodeWorkflow, toBinaryData, type RunOptions } from '../../harness/workflow';
import { failure } from '../transport/loopback';
import { probeWorkflow } from './chat-model/model-probe';
import { NODE_TYPES as TYPES, useEveryNode } from './every-node';

const { ctx, harness, credential } = useEveryNode();

const CHAT = '/v1/chat/completions';
const byId = (value: string) => ({ __rl: true, mode: 'id', value });
const ask = (content: string) => ({ values: [{ content }] });

interface Shown {
	message: string;
	description: string;
}

async function runNode(type: string, parameters: IDataObject, input?: RunOptions['input']): Promise<Shown> {
	const result = await harness.run(singleNodeWorkflow({ type, name: 'Node', parameters }), { credentials: { deerApiRelayApi: credential() }, input });
	const error = result.nodes.Node?.error as (Error & { description?: string }) | undefined;
	if (!error) throw new Error(`the node did not fail: ${JSON.stringify(result.nodes.Node?.items)}`);
	return { message: error.message, description: String(error.description) };
}

async function runChatModel(options: IDataObject): Promise<Shown> {
	const result = await harness.run(probeWorkflow({ options }, { prompt: 'hi' }), { credentials: { deerApiRelayApi: credential() } });
	const error = result.error as (Error & { description?: string }) | undefined;
	if (!error) throw new Error('the Chat Model did not fail');
	return { message: error.message, description: String(error.description) };
}

describe('a call that timed out on every attempt', () => {
	const slow = (path: string) => ctx.sandbox.fault({ path, latencyMs: 3000, times: 2 });

	it('Chat, Stream on: says how many attempts, and does not advise streaming', async () => {
		slow(CHAT);
		const shown = await runNode(TYPES.chat, { model: byId('gpt-4o'), messages: ask('hi'), options: { timeout: 0.3, maxRetries: 1 } });
		expect(shown.message).toBe('The relay did not answer within 300 ms (request timeout)');
		expect(shown.description).toBe('Raise the "Timeout" option: a streamed answer has to start within it. Tried 2 times.');
	});

	it('Chat, Stream off: advises streaming, and says how many attempts', async () => {
		slow(CHAT);
		const shown = await runNode(TYPES.chat, { model: byId('gpt-4o'), messages: ask('hi'), options: { timeout: 0.3, maxRetries: 1, stream: false } });
		expect(shown.message).toBe('The relay did not answer within 300 ms (request timeout)');
		expect(shown.description).toBe('Raise the "Timeout" option, or turn streaming on so that the answer arrives as it is written. Tried 2 times.');
	});

	it('Embeddings, which cannot stream: no word of streaming', async () => {
		slow('/v1/embeddings');
		const shown = await runNode(TYPES.embeddings, { model: byId('text-embedding-3-small'), text: 'hi', options: { timeout: 0.3, maxRetries: 1 } });
		expect(shown.message).toBe('The relay did not answer within 300 ms (request timeout)');
		expect(shown.description).toBe('Raise the "Timeout" option if the relay is known to take this long. Tried 2 times.');
	});

	it('Chat\'s image download: names the option that bounds it, "Download Timeout (Seconds)"', async () => {
		const url = ctx.sandbox.fileUrl('sample.png');
		ctx.sandbox.fault({ path: '/files/sample.png', latencyMs: 3000, times: 2 });
		const shown = await runNode(TYPES.chat, {
			model: byId('gpt-4o-image'),
			messages: ask(`Here: ![pic](${url})`),
			options: { imageDownloadTimeout: 0.3, maxRetries: 1 },
		});
		expect(shown.message).toBe(`Could not download the image at ${url}: no answer within 0.3 s`);
		expect(shown.description).toBe('Raise the "Download Timeout (Seconds)" option if the image host is this slow. Tried 2 times.');
	});
});

describe('429, rate limited', () => {
	const limited = (path: string) => ctx.sandbox.fault({ path, status: 429, times: 4, headers: { 'retry-after-ms': '1' } });

	it('Chat running 5 at once: lower Max Concurrent Requests (naming its value) or raise Max Retries', async () => {
		limited(CHAT);
		const shown = await runNode(TYPES.chat, { model: byId('gpt-4o'), messages: ask('hi'), options: { maxRetries: 1 } });
		expect(shown.description).toMatch(/^The relay is rate limiting: lower "Max Concurrent Requests" \(5 now\) or raise "Max Retries"\. .*Tried 2 times\.$/);
	});

	it('Chat running one at a time: only Max Retries', async () => {
		limited(CHAT);
		const shown = await runNode(TYPES.chat, { model: byId('gpt-4o'), messages: ask('hi'), options: { maxRetries: 1, maxConcurrency: 1 } });
		expect(shown.description).toMatch(/^The relay is rate limiting: raise "Max Retries", or wait before running again\. /);
	});

	it('List Models (no Max Concurrent Requests): only Max Retries', async () => {
		limited('/v1/models');
		const shown = await runNode(TYPES.list, { returnAll: true, options: { maxRetries: 1 } });
		expect(shown.description).toMatch(/^The relay is rate limiting: raise "Max Retries", or wait before running again\. /);
	});

	it('the Chat Model (no Max Concurrent Requests): only Max Retries', async () => {
		limited(CHAT);
		const shown = await runChatModel({ maxRetries: 1 });
		expect(shown.description).toMatch(/The relay is rate limiting: raise "Max Retries", or wait before running again\. /);
		expect(shown.description).not.toContain('Max Concurrent Requests');
	});

	it('the model picker (no options at all): names none', async () => {
		limited('/v1/models');
		const error = (await failure(openPicker('searchModels', credential()).ids())) as Error & { description?: string };
		expect(error.description).toMatch(/^The relay is rate limiting: wait a moment and open the list again\. .*Tried 2 times\.$/);
	});
});

describe('hints that depend on the endpoint or on streaming', () => {
	it('504 with Stream on: no advice to turn streaming on', async () => {
		ctx.sandbox.fault({ path: CHAT, status: 504, times: 1 });
		const shown = await runNode(TYPES.chat, { model: byId('gpt-4o'), messages: ask('hi'), options: { maxRetries: 0 } });
		expect(shown.description).toMatch(/^The model provider took too long\. Try again later\. /);
	});

	it('504 with Stream off: streaming keeps long answers alive', async () => {
		ctx.sandbox.fault({ path: CHAT, status: 504, times: 1 });
		const shown = await runNode(TYPES.chat, { model: byId('gpt-4o'), messages: ask('hi'), options: { maxRetries: 0, stream: false } });
		expect(shown.description).toMatch(/^The model provider took too long\. Turn streaming on: it keeps long answers alive\. /);
	});

	it('404 on the model list: the Base URL, not a model ID', async () => {
		ctx.sandbox.fault({ path: '/v1/models', status: 404 });
		const shown = await runNode(TYPES.list, { returnAll: true, options: { maxRetries: 0 } });
		expect(shown.description).toMatch(/^Check the Base URL \(e\.g\. https:\/\/api\.deerapi\.com\): the relay lists no models there\. /);
	});

	it('413 on a transcription: the audio file, not images', async () => {
		ctx.sandbox.fault({ path: '/v1/audio/transcriptions', status: 413 });
		const input = [{ json: {}, binary: { data: await toBinaryData(Buffer.from('RIFF....WAVEfmt '), 'a.wav', 'audio/wav') } }];
		const shown = await runNode(TYPES.audio, { operation: 'transcribe', options: { maxRetries: 0 } }, input);
		expect(shown.description).toMatch(/^The audio file is too large for the relay: send a shorter or more compressed recording\. /);
	});

	it('400 naming a parameter: that parameter', async () => {
		ctx.sandbox.fault({ path: CHAT, status: 400, body: { error: { message: 'Unsupported value: temperature', type: 'invalid_request_error', param: 'temperature' } } });
		const shown = await runNode(TYPES.chat, { model: byId('o3-mini'), messages: ask('hi'), options: { maxRetries: 0 } });
		expect(shown.description).toMatch(/^The relay rejected the "temperature" parameter: some models accept fewer options than others\. Request ID: \w+/);
	});
});
