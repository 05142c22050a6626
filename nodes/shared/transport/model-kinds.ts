import type { ModelEntry } from './types';

export const MODEL_KINDS = ['chat', 'image', 'embedding', 'audio', 'video', 'moderation', 'other'] as const;

export type ModelKind = (typeof MODEL_KINDS)[number];

// new-api's `supported_endpoint_types`. It gives every model of a channel "openai" (and
// "anthropic" / "gemini" by channel type), so those say nothing about the model and the id
// decides. Only these name what the model does.
const ENDPOINT_KINDS: Record<string, ModelKind> = {
	'image-generation': 'image', // set per model, from its name
	'openai-video': 'video', // per channel: Sora channels
	embeddings: 'embedding',
	'jina-rerank': 'other', // per channel: a Jina channel's embedding models carry it too
};

// Ordered, first match wins. Words that name the output ("image", "video", "tts") come before
// family names, so "sora_image" is an image model and "mj_video" a video one.
const ID_KINDS: Array<[RegExp, ModelKind]> = [
	[/moderation/, 'moderation'],
	[/embed|^bge-|^m3e|^jina-clip/, 'embedding'],
	[/rerank/, 'other'],
	[/whisper|(^|[-_])(tts|stt|asr)($|[-_])|audio|speech|transcri|realtime|^suno|chirp|voice|music/, 'audio'],
	[/video|(^|[-_])[ti]2v($|[-_])/, 'video'],
	[/(^|[-_.])image($|[-_.\d])|(^|[-_])t2i($|[-_])|gpt-image|dall-e/, 'image'],
	[/sora|^veo|kling|runway|luma|hailuo|seedance|^wan\d|vidu|pika/, 'video'],
	[
		/seedream|seededit|flux|^mj[_-]|midjourney|stable-diffusion|sdxl|^sd-?3|imagen|ideogram|recraft|kolors|cogview|jimeng|nano-banana/,
		'image',
	],
];

/**
 * What a model does: from the relay's `supported_endpoint_types` when one of them is specific,
 * else from the id. Chat-form image models (gpt-4o-image) are "image": that is what their
 * users want them for. An id nothing matches is "chat": on a relay most unknown ids are new
 * chat models, and a chat filter must not hide them.
 */
export function classifyModel(entry: Pick<ModelEntry, 'id' | 'supported_endpoint_types'>): ModelKind {
	const id = String(entry.id).toLowerCase();
	const byId = ID_KINDS.find(([pattern]) => pattern.test(id))?.[1];
	const declared = entry.supported_endpoint_types as unknown;
	const endpoints = Array.isArray(declared) ? declared : typeof declared === 'string' ? [declared] : [];
	for (const endpoint of endpoints) {
		const kind = ENDPOINT_KINDS[String(endpoint).toLowerCase()];
		if (kind === 'other' && byId === 'embedding') return byId;
		if (kind) return kind;
	}
	return byId ?? 'chat';
}

const idCollator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Model ids in the order people expect: case-insensitive, numbers by value ("v2" before "v10"). */
export function compareModelIds(a: string, b: string): number {
	return idCollator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The list without repeated ids (relays with several channels for a model may list it twice). */
export function uniqueModels(models: ModelEntry[]): ModelEntry[] {
	const seen = new Set<string>();
	return models.filter((model) => {
		if (seen.has(model.id)) return false;
		seen.add(model.id);
		return true;
	});
}

/** What an audio model is for: `/audio/speech`, or `/audio/transcriptions` and `/audio/translations`. */
export type AudioUse = 'speech' | 'transcription';

// Within the audio kind, first match wins: "speech-to-text" ids name transcription.
const AUDIO_USES: Array<[RegExp, AudioUse]> = [
	[/whisper|transcri|(^|[-_])(stt|asr)($|[-_])|speech-to-text/, 'transcription'],
	[/(^|[-_])tts($|[-_])|speech|voice/, 'speech'],
];

/** The audio use an id names, for audio models only (music and realtime models have none). */
export function audioUse(entry: Pick<ModelEntry, 'id' | 'supported_endpoint_types'>): AudioUse | undefined {
	if (classifyModel(entry) !== 'audio') return undefined;
	const id = String(entry.id).toLowerCase();
	return AUDIO_USES.find(([pattern]) => pattern.test(id))?.[1];
}

/** A group a picker lists first: a kind of model, or an audio use. */
export type ModelPreference = ModelKind | AudioUse;

export interface ModelListOptions {
	/** Case-insensitive substring of the id. */
	filter?: string;
	/**
	 * Groups listed first, in this order, each sorted; the other models follow (Image Generate:
	 * `['image']`; Audio's Text to Speech: `['speech', 'audio']`).
	 */
	prefer?: ModelPreference[];
}

/** Model ids for a picker: every id (no vendor filter), optionally filtered, sorted. */
export function pickModels(models: ModelEntry[], options: ModelListOptions = {}): ModelEntry[] {
	const needle = options.filter?.trim().toLowerCase();
	const matching = uniqueModels(models).filter(
		(model) => !needle || model.id.toLowerCase().includes(needle),
	);
	const prefer = options.prefer ?? [];
	const rank = (model: ModelEntry) => {
		const kind = classifyModel(model);
		const use = audioUse(model);
		const group = prefer.findIndex((preference) => preference === kind || preference === use);
		return group < 0 ? prefer.length : group;
	};
	const ranks = new Map(matching.map((model) => [model, rank(model)]));
	return matching.sort((a, b) => ranks.get(a)! - ranks.get(b)! || compareModelIds(a.id, b.id));
}
