/**
 * Whether the run answers a streaming caller (a Webhook or Chat Trigger set to stream): n8n then
 * sends the caller chunks, a failed node's description among them. False on n8n versions without
 * streaming, and for contexts whose typings leave isStreaming out (supply data) but have it.
 */
export function answersStreamingCaller(context: object): boolean {
	const { isStreaming } = context as { isStreaming?: unknown };
	return typeof isStreaming === 'function' && (isStreaming as () => boolean).call(context) === true;
}
