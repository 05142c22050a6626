/**
 * The reasoning_content a thinking model sent with its tool calls, kept until the calls come back.
 *
 * Why a memory: n8n's AI Agent (v3) runs the tools through the workflow engine and then rebuilds
 * the assistant's tool-call message from the engine's record of the calls, and the SDK's bridge
 * to LangChain passes only content blocks, tool calls and response metadata both ways, no
 * `additional_kwargs`. The reasoning is lost on the way, and DeepSeek then refuses the next turn
 * with a 400 (n8n-io/n8n #22579, #25161). The model remembers it by tool call id, per execution,
 * and puts it back on the assistant message that carries those calls.
 */
const MAX_ENTRIES = 5_000;
const MAX_AGE_MS = 6 * 60 * 60_000;

interface Entry {
	reasoning: string;
	at: number;
}

const remembered = new Map<string, Entry>();

function keyOf(scope: string, toolCallId: string): string {
	return `${scope}\u0000${toolCallId}`;
}

/** Remembers the reasoning of an answer with these tool calls, within one scope (an execution). */
export function rememberReasoning(scope: string, toolCallIds: string[], reasoning: string): void {
	if (!reasoning) return;
	const now = Date.now();
	for (const id of toolCallIds) {
		if (!id) continue;
		const key = keyOf(scope, id);
		remembered.delete(key); // re-inserted last: the Map's order is the eviction order
		remembered.set(key, { reasoning, at: now });
	}
	for (const [key, entry] of remembered) {
		if (remembered.size <= MAX_ENTRIES && now - entry.at < MAX_AGE_MS) break;
		remembered.delete(key);
	}
}

/** The reasoning sent with the first of these tool calls that is remembered in this scope. */
export function recallReasoning(scope: string, toolCallIds: string[]): string | undefined {
	const now = Date.now();
	for (const id of toolCallIds) {
		const entry = id ? remembered.get(keyOf(scope, id)) : undefined;
		if (entry && now - entry.at < MAX_AGE_MS) return entry.reasoning;
	}
	return undefined;
}
