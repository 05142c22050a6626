import type { MediaType } from '../shared/transport/file-types';

/** OpenAI's `pcm`: headerless 24 kHz 16-bit mono little-endian samples, as the RFC 2586 type says it. */
export const PCM_24K: MediaType = { kind: 'audio', mimeType: 'audio/L16;rate=24000;channels=1', extension: 'pcm' };

/** The files the transcription and translation endpoints take (OpenAI: flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav, webm). */
export const TRANSCRIBABLE = 'FLAC, MP3, MP4 / M4A, MPEG, OGG / Opus, WAV or WebM';

/** The API's limit on an uploaded audio file. */
export const MAX_AUDIO_UPLOAD_BYTES = 25 * 1024 * 1024;
