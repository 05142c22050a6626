/** Audio formats told from their bytes: what speech answers are, and what transcription accepts. */

export interface AudioType {
	mimeType: string;
	extension: string;
}

export const MP3: AudioType = { mimeType: 'audio/mpeg', extension: 'mp3' };
export const AAC: AudioType = { mimeType: 'audio/aac', extension: 'aac' };
export const OPUS: AudioType = { mimeType: 'audio/ogg', extension: 'opus' };
export const OGG: AudioType = { mimeType: 'audio/ogg', extension: 'ogg' };
export const FLAC: AudioType = { mimeType: 'audio/flac', extension: 'flac' };
export const WAV: AudioType = { mimeType: 'audio/wav', extension: 'wav' };
export const M4A: AudioType = { mimeType: 'audio/mp4', extension: 'm4a' };
export const MP4: AudioType = { mimeType: 'video/mp4', extension: 'mp4' };
export const WEBM: AudioType = { mimeType: 'audio/webm', extension: 'webm' };

/** OpenAI's `pcm`: headerless 24 kHz 16-bit mono little-endian samples, as the RFC 2586 type says it. */
export const PCM_24K: AudioType = { mimeType: 'audio/L16;rate=24000;channels=1', extension: 'pcm' };

/** The files the transcription and translation endpoints take (OpenAI: flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav, webm). */
export const TRANSCRIBABLE = 'FLAC, MP3, MP4 / M4A, MPEG, OGG / Opus, WAV or WebM';

/** The API's limit on an uploaded audio file. */
export const MAX_AUDIO_UPLOAD_BYTES = 25 * 1024 * 1024;

/** Where the first audio frame starts: after an ID3v2 tag, if there is one. */
function afterId3(bytes: Buffer): number {
	if (bytes.length < 10 || bytes.toString('latin1', 0, 3) !== 'ID3') return 0;
	const size = ((bytes[6] & 0x7f) << 21) | ((bytes[7] & 0x7f) << 14) | ((bytes[8] & 0x7f) << 7) | (bytes[9] & 0x7f);
	const footer = bytes[5] & 0x10 ? 10 : 0;
	return 10 + size + footer;
}

/**
 * The container from the file's first bytes, whatever a label claims: WAV, FLAC, Ogg (Opus or
 * Vorbis), MP4 / M4A, WebM, and MPEG frames after an optional ID3 tag (Layer III is MP3, the
 * ADTS layer 0 is AAC). Undefined for anything else, PCM included (it has no header).
 */
export function sniffAudioType(bytes: Buffer): AudioType | undefined {
	if (bytes.length < 12) return undefined;
	const ascii = (start: number, end: number) => bytes.toString('latin1', start, end);
	if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return WAV;
	if (ascii(0, 4) === 'fLaC') return FLAC;
	if (ascii(0, 4) === 'OggS') return ascii(28, 36) === 'OpusHead' ? OPUS : OGG;
	if (ascii(4, 8) === 'ftyp') return /^(M4A |M4B |M4P )$/.test(ascii(8, 12)) ? M4A : MP4;
	if (bytes.readUInt32BE(0) === 0x1a45dfa3) return WEBM;
	const frame = afterId3(bytes);
	if (frame + 2 > bytes.length) return undefined;
	if (bytes[frame] !== 0xff || (bytes[frame + 1] & 0xe0) !== 0xe0) return undefined;
	const layer = (bytes[frame + 1] >> 1) & 0x03;
	if (layer === 0) return (bytes[frame + 1] & 0xf6) === 0xf0 ? AAC : undefined;
	return MP3;
}
