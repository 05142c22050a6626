import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { imageDimensions, sniffImageType, type Image, type Media } from '../transport/file-types';
import type { MediaStream } from '../transport/media-download';
import { invalidParameter } from './errors';

/**
 * An image or video as n8n binary data, ready for Drive, S3, Slack or email nodes: MIME type
 * from the bytes, file name `<baseName>.<ext>` with the extension that matches them.
 */
export async function mediaToBinary(
	context: IExecuteFunctions,
	media: Media | MediaStream,
	baseName: string,
): Promise<IBinaryData> {
	// A stream is stored as it arrives where n8n keeps files (filesystem, database, S3); n8n's
	// in-memory mode reads it whole.
	const binary = await context.helpers.prepareBinaryData(
		'bytes' in media ? media.bytes : media.body,
		`${baseName}.${media.extension}`,
		media.mimeType,
	);
	// n8n derives "jpeg" from image/jpeg; keep the extension the file name carries.
	binary.fileExtension = media.extension;
	return binary;
}

/** Metadata of an emitted file for the item's json, so flows can branch on it without binary. */
export function mediaInfo(media: Media): Record<string, string | number> {
	const info: Record<string, string | number> = {
		mimeType: media.mimeType,
		fileSize: media.bytes.length,
	};
	if (media.width !== undefined) info.width = media.width;
	if (media.height !== undefined) info.height = media.height;
	if (media.url) info.url = media.url;
	return info;
}

/** A file in a binary field of the input item: its metadata, its bytes, and how errors name it. */
export interface InputFile {
	data: IBinaryData;
	bytes: Buffer;
	/** "<declared MIME type>, <file name>", as far as they are known: for error messages. */
	label: string;
}

/**
 * The file in binary field `property` of the item, whatever the storage mode (memory, filesystem,
 * S3: n8n's helper reads them all); `field` names the node parameter in errors.
 */
export async function readInputFile(
	context: IExecuteFunctions,
	itemIndex: number,
	property: string,
	field: string,
): Promise<InputFile> {
	const binary = context.getInputData()[itemIndex]?.binary ?? {};
	const data = binary[property];
	if (!data) {
		const available = Object.keys(binary);
		throw invalidParameter(
			context.getNode(),
			itemIndex,
			field,
			`the input item has no binary field "${property}"`,
			available.length
				? `Its binary fields: ${available.join(', ')}.`
				: 'The input item has no binary data: read the file first (e.g. with an HTTP Request or Read/Write Files node).',
		);
	}
	const bytes = await context.helpers.getBinaryDataBuffer(itemIndex, property);
	return { data, bytes, label: [data.mimeType, data.fileName].filter(Boolean).join(', ') };
}

/** An image in a binary field of the input item: its bytes, the MIME type they show, and what n8n knows of it. */
export interface BinaryImage {
	property: string;
	bytes: Buffer;
	mimeType: string;
	/** From the bytes; undefined for formats we only know by the declared MIME type (HEIC, TIFF). */
	image?: Image;
	fileName?: string;
}

/**
 * The image in binary field `property` of the input item. The MIME type is read from the bytes;
 * the declared one counts only for image formats we do not recognise (HEIC, TIFF).
 */
export async function readBinaryImage(
	context: IExecuteFunctions,
	itemIndex: number,
	property: string,
	field: string,
): Promise<BinaryImage> {
	const { data, bytes, label } = await readInputFile(context, itemIndex, property, field);
	const type = sniffImageType(bytes);
	const declared = data.mimeType?.toLowerCase().startsWith('image/') ? data.mimeType : undefined;
	const mimeType = type?.mimeType ?? declared;
	if (!mimeType) {
		throw invalidParameter(
			context.getNode(),
			itemIndex,
			field,
			`the binary field "${property}" is not an image${label ? ` (${label})` : ''}`,
			'Models take PNG, JPEG, WebP or GIF images.',
		);
	}
	return {
		property,
		bytes,
		mimeType,
		image: type ? { ...type, ...imageDimensions(bytes, type), bytes } : undefined,
		fileName: data.fileName,
	};
}

/** An image in a binary field of the input item as a `data:` URL for a request body (vision input, reference images). */
export async function binaryImageDataUrl(
	context: IExecuteFunctions,
	itemIndex: number,
	property: string,
	field: string,
): Promise<string> {
	const { mimeType, bytes } = await readBinaryImage(context, itemIndex, property, field);
	return `data:${mimeType};base64,${bytes.toString('base64')}`;
}

/** The last path segment of a link, as a file name; undefined for data URLs and links without one. */
export function fileNameOfUrl(url: string): string | undefined {
	if (url.startsWith('data:')) return undefined;
	try {
		const last = new URL(url).pathname.split('/').pop();
		return last ? decodeURIComponent(last) : undefined;
	} catch {
		return undefined;
	}
}

/** The file name with the extension its bytes have (a PNG saved as photo.jpg is sent as photo.png). */
export function withExtension(fileName: string, extension: string): string {
	const base = fileName.replace(/\.[A-Za-z0-9]{1,5}$/, '') || 'image';
	return extension ? `${base}.${extension}` : base;
}
