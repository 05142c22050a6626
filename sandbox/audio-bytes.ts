/**
 * Real audio files built from scratch, Node built-ins only, for the speech route.
 *
 * - WAV, FLAC and PCM carry a real tone (24 kHz, 16-bit, mono, like OpenAI's speech): WAV as a
 *   RIFF/WAVE file, FLAC with verbatim subframes and correct CRCs, PCM as the bare samples.
 * - MP3 (MPEG-1 Layer III frames), Ogg Opus (OpusHead, OpusTags, CRC-checked pages) and AAC (ADTS
 *   frames) have real headers and frames that decode as silence: encoding a tone in them would need
 *   a codec, and what clients check is the container.
 *
 * Every format but PCM and AAC keeps the spoken text in its own metadata (WAV LIST/INFO ICMT, ID3v2
 * TIT2, Opus and FLAC Vorbis comments): the transcription route reads it back, so a speech →
 * transcription round trip returns the text it started from. AAC gets an ID3v2 tag in front, as
 * ADTS streams in HLS do.
 */

export const SPEECH_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;
export type SpeechFormat = (typeof SPEECH_FORMATS)[number];

export const SPEECH_CONTENT_TYPES: Record<SpeechFormat, string> = {
	mp3: 'audio/mpeg',
	opus: 'audio/opus',
	aac: 'audio/aac',
	flac: 'audio/flac',
	wav: 'audio/wav',
	pcm: 'audio/pcm',
};

export const SAMPLE_RATE = 24_000;
const TONE_HZ = 440;
const AMPLITUDE = 8000;

/** Seconds of audio for a text: a speaker's pace, between a quarter second and 3 s. */
export function speechSeconds(text: string, speed = 1): number {
	return Math.min(3, Math.max(0.25, (text.length * 0.06) / speed));
}

/** 16-bit little-endian mono samples of a sine tone. */
export function toneSamples(seconds: number): Buffer {
	const count = Math.round(seconds * SAMPLE_RATE);
	const samples = Buffer.alloc(count * 2);
	for (let i = 0; i < count; i++) {
		samples.writeInt16LE(Math.round(AMPLITUDE * Math.sin((2 * Math.PI * TONE_HZ * i) / SAMPLE_RATE)), i * 2);
	}
	return samples;
}

export function encodeSpeech(format: SpeechFormat, text: string, seconds: number): Buffer {
	switch (format) {
		case 'wav':
			return encodeWav(toneSamples(seconds), text);
		case 'pcm':
			return toneSamples(seconds);
		case 'flac':
			return encodeFlac(toneSamples(seconds), text);
		case 'mp3':
			return Buffer.concat([id3v2(text), silentMp3Frames(seconds)]);
		case 'opus':
			return encodeOggOpus(text, seconds);
		case 'aac':
			return Buffer.concat([id3v2(text), silentAdtsFrames(seconds)]);
	}
}

// ---------------------------------------------------------------- WAV

function riffChunk(id: string, data: Buffer): Buffer {
	const header = Buffer.alloc(8);
	header.write(id, 0, 'latin1');
	header.writeUInt32LE(data.length, 4);
	return Buffer.concat([header, data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function encodeWav(samples: Buffer, text: string): Buffer {
	const fmt = Buffer.alloc(16);
	fmt.writeUInt16LE(1, 0); // PCM
	fmt.writeUInt16LE(1, 2); // mono
	fmt.writeUInt32LE(SAMPLE_RATE, 4);
	fmt.writeUInt32LE(SAMPLE_RATE * 2, 8);
	fmt.writeUInt16LE(2, 12);
	fmt.writeUInt16LE(16, 14);
	const comment = riffChunk('ICMT', Buffer.from(`${text}\0`, 'utf8'));
	const list = riffChunk('LIST', Buffer.concat([Buffer.from('INFO', 'latin1'), comment]));
	const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), riffChunk('fmt ', fmt), list, riffChunk('data', samples)]);
	return riffChunk('RIFF', body);
}

// ---------------------------------------------------------------- FLAC

function crc8(bytes: Buffer): number {
	let crc = 0;
	for (const byte of bytes) {
		crc ^= byte;
		for (let k = 0; k < 8; k++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
	}
	return crc;
}

function crc16(bytes: Buffer): number {
	let crc = 0;
	for (const byte of bytes) {
		crc ^= byte << 8;
		for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
	}
	return crc;
}

/** FLAC's UTF-8-like coding of the frame number (frames here stay below 2048). */
function utf8FrameNumber(n: number): Buffer {
	if (n < 0x80) return Buffer.from([n]);
	return Buffer.from([0xc0 | (n >> 6), 0x80 | (n & 0x3f)]);
}

function vorbisComment(text: string): Buffer {
	const vendor = Buffer.from('deerapi-sandbox', 'utf8');
	const comment = Buffer.from(`DESCRIPTION=${text}`, 'utf8');
	const out = Buffer.alloc(4 + vendor.length + 4 + 4 + comment.length);
	let offset = out.writeUInt32LE(vendor.length, 0);
	offset += vendor.copy(out, offset);
	offset = out.writeUInt32LE(1, offset);
	offset = out.writeUInt32LE(comment.length, offset);
	comment.copy(out, offset);
	return out;
}

function flacMetadataBlock(type: number, data: Buffer, last: boolean): Buffer {
	const header = Buffer.from([(last ? 0x80 : 0) | type, (data.length >> 16) & 0xff, (data.length >> 8) & 0xff, data.length & 0xff]);
	return Buffer.concat([header, data]);
}

const FLAC_BLOCK = 4096;

function encodeFlac(samples: Buffer, text: string): Buffer {
	const total = samples.length / 2;
	const info = Buffer.alloc(34);
	info.writeUInt16BE(FLAC_BLOCK, 0); // min block size
	info.writeUInt16BE(FLAC_BLOCK, 2); // max block size
	// bytes 4-9: min / max frame size 0 = unknown
	// 20 bits sample rate, 3 bits channels-1, 5 bits bits-per-sample-1, 36 bits total samples
	const packed = (BigInt(SAMPLE_RATE) << 44n) | (0n << 41n) | (15n << 36n) | BigInt(total);
	info.writeBigUInt64BE(packed, 10);
	// bytes 18-33: MD5 of the audio, zero = not computed (allowed by the format)
	const frames: Buffer[] = [];
	for (let start = 0, frame = 0; start < total; start += FLAC_BLOCK, frame++) {
		const count = Math.min(FLAC_BLOCK, total - start);
		const header = Buffer.concat([
			Buffer.from([0xff, 0xf8, 0x77, 0x08]), // sync, fixed blocking; block size from the end of the header, 24 kHz; mono, 16-bit
			utf8FrameNumber(frame),
			Buffer.from([((count - 1) >> 8) & 0xff, (count - 1) & 0xff]),
		]);
		const withCrc = Buffer.concat([header, Buffer.from([crc8(header)])]);
		const subframe = Buffer.alloc(1 + count * 2);
		subframe[0] = 0x02; // padding bit 0, type 000001 (verbatim), no wasted bits
		for (let i = 0; i < count; i++) subframe.writeInt16BE(samples.readInt16LE((start + i) * 2), 1 + i * 2);
		const body = Buffer.concat([withCrc, subframe]);
		const footer = Buffer.alloc(2);
		footer.writeUInt16BE(crc16(body), 0);
		frames.push(body, footer);
	}
	return Buffer.concat([
		Buffer.from('fLaC', 'latin1'),
		flacMetadataBlock(0, info, false),
		flacMetadataBlock(4, vorbisComment(text), true),
		...frames,
	]);
}

// ---------------------------------------------------------------- MP3 and ID3

function synchsafe(n: number): Buffer {
	return Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);
}

/** An ID3v2.4 tag with the text as its title (TIT2, UTF-8). */
function id3v2(text: string): Buffer {
	const content = Buffer.concat([Buffer.from([3]), Buffer.from(text, 'utf8')]);
	const frame = Buffer.concat([Buffer.from('TIT2', 'latin1'), synchsafe(content.length), Buffer.from([0, 0]), content]);
	return Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([4, 0, 0]), synchsafe(frame.length), frame]);
}

/** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, mono: zero side info and main data decode as silence. */
function silentMp3Frames(seconds: number): Buffer {
	const count = Math.max(1, Math.round((seconds * 44_100) / 1152));
	const frameBytes = Math.floor((144 * 128_000) / 44_100); // 417, no padding
	const frame = Buffer.alloc(frameBytes);
	frame.set([0xff, 0xfb, 0x90, 0xc4]); // sync, MPEG-1, Layer III, no CRC; 128k, 44.1k; mono
	return Buffer.concat(Array.from({ length: count }, () => frame));
}

// ---------------------------------------------------------------- AAC (ADTS)

// A silent AAC-LC mono raw data block: a single channel element with zero spectral data.
const SILENT_AAC_BLOCK = Buffer.from([0x21, 0x10, 0x04, 0x60, 0x8c, 0x1c]);

function silentAdtsFrames(seconds: number): Buffer {
	const count = Math.max(1, Math.round((seconds * SAMPLE_RATE) / 1024));
	const length = 7 + SILENT_AAC_BLOCK.length;
	const header = Buffer.from([
		0xff,
		0xf1, // sync, MPEG-4, layer 0, no CRC
		(1 << 6) | (6 << 2) | 0, // AAC LC (profile 1), 24 kHz (index 6), channel config high bit 0
		(1 << 6) | ((length >> 11) & 0x03), // mono; frame length high bits
		(length >> 3) & 0xff,
		((length & 0x07) << 5) | 0x1f, // buffer fullness 0x7FF (variable)
		0xfc, // buffer fullness, one raw data block
	]);
	const frame = Buffer.concat([header, SILENT_AAC_BLOCK]);
	return Buffer.concat(Array.from({ length: count }, () => frame));
}

// ---------------------------------------------------------------- Ogg Opus

const OGG_CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n << 24;
		for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
		table[n] = c >>> 0;
	}
	return table;
})();

function oggCrc(bytes: Buffer): number {
	let crc = 0;
	for (const byte of bytes) crc = ((crc << 8) ^ OGG_CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]) >>> 0;
	return crc;
}

function oggPage(packets: Buffer[], sequence: number, granule: bigint, flags: number): Buffer {
	const lacing: number[] = [];
	for (const packet of packets) {
		let left = packet.length;
		while (left >= 255) {
			lacing.push(255);
			left -= 255;
		}
		lacing.push(left);
	}
	const header = Buffer.alloc(27 + lacing.length);
	header.write('OggS', 0, 'latin1');
	header[5] = flags;
	header.writeBigUInt64LE(granule, 6);
	header.writeUInt32LE(0x5a11b0c5, 14); // stream serial number
	header.writeUInt32LE(sequence, 18);
	header[26] = lacing.length;
	header.set(lacing, 27);
	const page = Buffer.concat([header, ...packets]);
	page.writeUInt32LE(oggCrc(page), 22);
	return page;
}

// Opus TOC 0xF8 (CELT fullband, 20 ms, mono, one frame) with a frame that decodes as silence.
const SILENT_OPUS_PACKET = Buffer.from([0xf8, 0xff, 0xfe]);

function encodeOggOpus(text: string, seconds: number): Buffer {
	const head = Buffer.alloc(19);
	head.write('OpusHead', 0, 'latin1');
	head[8] = 1; // version
	head[9] = 1; // channels
	head.writeUInt16LE(312, 10); // pre-skip
	head.writeUInt32LE(SAMPLE_RATE, 12); // input sample rate
	const vendor = Buffer.from('deerapi-sandbox', 'utf8');
	const comment = Buffer.from(`DESCRIPTION=${text}`, 'utf8');
	const tags = Buffer.alloc(8 + 4 + vendor.length + 4 + 4 + comment.length);
	tags.write('OpusTags', 0, 'latin1');
	let offset = tags.writeUInt32LE(vendor.length, 8);
	offset += vendor.copy(tags, offset);
	offset = tags.writeUInt32LE(1, offset);
	offset = tags.writeUInt32LE(comment.length, offset);
	comment.copy(tags, offset);

	const packets = Math.max(1, Math.round(seconds / 0.02));
	const pages = [oggPage([head], 0, 0n, 0x02), oggPage([tags], 1, 0n, 0)];
	const perPage = 50; // one second of 20 ms packets per page
	for (let sent = 0, sequence = 2; sent < packets; sequence++) {
		const count = Math.min(perPage, packets - sent);
		sent += count;
		const granule = BigInt(312 + sent * 960); // 48 kHz samples
		const last = sent >= packets;
		pages.push(oggPage(Array.from({ length: count }, () => SILENT_OPUS_PACKET), sequence, granule, last ? 0x04 : 0));
	}
	return Buffer.concat(pages);
}

// ---------------------------------------------------------------- reading uploads back

/** The audio container of an upload as the transcription route tells it, from its bytes. */
export type UploadFormat = 'wav' | 'flac' | 'mp3' | 'aac' | 'ogg' | 'mp4' | 'webm';

export interface UploadInfo {
	format: UploadFormat;
	/** The text kept in the file's metadata, when it has one (our own speech files do). */
	spokenText?: string;
	/** Known for WAV and FLAC, from their headers. */
	seconds?: number;
}

function skipId3(bytes: Buffer): { offset: number; title?: string } {
	if (bytes.length < 10 || bytes.toString('latin1', 0, 3) !== 'ID3') return { offset: 0 };
	const size = (bytes[6] << 21) | (bytes[7] << 14) | (bytes[8] << 7) | bytes[9];
	const end = 10 + size;
	let title: string | undefined;
	for (let offset = 10; offset + 10 <= end && offset + 10 <= bytes.length; ) {
		const id = bytes.toString('latin1', offset, offset + 4);
		const frameSize = (bytes[offset + 4] << 21) | (bytes[offset + 5] << 14) | (bytes[offset + 6] << 7) | bytes[offset + 7];
		if (!/^[A-Z0-9]{4}$/.test(id) || frameSize <= 0) break;
		if (id === 'TIT2') title = bytes.toString('utf8', offset + 11, offset + 10 + frameSize);
		offset += 10 + frameSize;
	}
	return { offset: end, title };
}

function vorbisDescription(bytes: Buffer, offset: number): string | undefined {
	try {
		const vendorLength = bytes.readUInt32LE(offset);
		let at = offset + 4 + vendorLength;
		const count = bytes.readUInt32LE(at);
		at += 4;
		for (let i = 0; i < count; i++) {
			const length = bytes.readUInt32LE(at);
			const entry = bytes.toString('utf8', at + 4, at + 4 + length);
			at += 4 + length;
			if (/^description=/i.test(entry)) return entry.slice('description='.length);
		}
	} catch {
		// A cut-short comment block: the file is still audio, it just says nothing.
	}
	return undefined;
}

function wavInfo(bytes: Buffer): UploadInfo {
	const info: UploadInfo = { format: 'wav' };
	let byteRate = 0;
	for (let offset = 12; offset + 8 <= bytes.length; ) {
		const id = bytes.toString('latin1', offset, offset + 4);
		const size = bytes.readUInt32LE(offset + 4);
		const data = offset + 8;
		if (id === 'fmt ' && size >= 16) byteRate = bytes.readUInt32LE(data + 8);
		if (id === 'data' && byteRate > 0) info.seconds = size / byteRate;
		if (id === 'LIST' && bytes.toString('latin1', data, data + 4) === 'INFO') {
			for (let at = data + 4; at + 8 <= data + size; ) {
				const sub = bytes.toString('latin1', at, at + 4);
				const subSize = bytes.readUInt32LE(at + 4);
				if (sub === 'ICMT') info.spokenText = bytes.toString('utf8', at + 8, at + 8 + subSize).replace(/\0+$/, '');
				at += 8 + subSize + (subSize % 2);
			}
		}
		offset = data + size + (size % 2);
	}
	return info;
}

function flacInfo(bytes: Buffer): UploadInfo {
	const info: UploadInfo = { format: 'flac' };
	for (let offset = 4; offset + 4 <= bytes.length; ) {
		const type = bytes[offset] & 0x7f;
		const last = (bytes[offset] & 0x80) !== 0;
		const size = bytes.readUIntBE(offset + 1, 3);
		const data = offset + 4;
		if (type === 0 && size >= 18) {
			const packed = bytes.readBigUInt64BE(data + 10);
			const rate = Number(packed >> 44n);
			const total = Number(packed & 0xfffffffffn);
			if (rate > 0) info.seconds = total / rate;
		}
		if (type === 4) info.spokenText = vorbisDescription(bytes, data);
		if (last) break;
		offset = data + size;
	}
	return info;
}

/** What an uploaded file is, or undefined when its bytes are no audio container we know. */
export function readUpload(bytes: Buffer): UploadInfo | undefined {
	if (bytes.length < 12) return undefined;
	const ascii = (start: number, end: number) => bytes.toString('latin1', start, end);
	if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return wavInfo(bytes);
	if (ascii(0, 4) === 'fLaC') return flacInfo(bytes);
	if (ascii(0, 4) === 'OggS') {
		const tags = bytes.indexOf('OpusTags', 0, 'latin1');
		return { format: 'ogg', spokenText: tags >= 0 ? vorbisDescription(bytes, tags + 8) : undefined };
	}
	if (ascii(4, 8) === 'ftyp') return { format: 'mp4' };
	if (bytes.readUInt32BE(0) === 0x1a45dfa3) return { format: 'webm' };
	const { offset, title } = skipId3(bytes);
	if (offset + 2 <= bytes.length && bytes[offset] === 0xff && (bytes[offset + 1] & 0xe0) === 0xe0) {
		const layer = (bytes[offset + 1] >> 1) & 0x03;
		return { format: layer === 0 ? 'aac' : 'mp3', spokenText: title };
	}
	return undefined;
}
