import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { sniffImageType, type Image } from '../images';
import { invalidParameter } from './errors';

/**
 * An image as n8n binary data, ready for Drive, S3, Slack or email nodes: MIME type from the
 * bytes, file name `<baseName>.<ext>` with the extension that matches them.
 */
export async function imageToBinary(
	context: IExecuteFunctions,
	image: Image,
	baseName: string,
): Promise<IBinaryData> {
	const binary = await context.helpers.prepareBinaryData(
		image.bytes,
		`${baseName}.${image.extension}`,
		image.mimeType,
	);
	// n8n derives "jpeg" from image/jpeg; keep the extension the file name carries.
	binary.fileExtension = image.extension;
	return binary;
}

/** Metadata of an emitted image for the item's json, so flows can branch on it without binary. */
export function imageInfo(image: Image): Record<string, string | number> {
	const info: Record<string, string | number> = {
		mimeType: image.mimeType,
		fileSize: image.bytes.length,
	};
	if (image.width !== undefined) info.width = image.width;
	if (image.height !== undefined) info.height = image.height;
	if (image.url) info.url = image.url;
	return info;
}

/** A file in a binary field of the input item: its metadata, its bytes, and how errors name it. */
export interface InputFile {
	data: IBinaryData;
	bytes: Buffer;
	/** "<declared MIME type>, <file name>", as far as they are known: for error messages. */
	label: string;
}

/** The file in binary field `property` of the item; `field` names the node parameter in errors. */
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

/**
 * An image in a binary field of the input item, as a `data:` URL for a request body (vision input,
 * reference images). The MIME type is read from the bytes; the declared one counts only for
 * image formats we do not recognise (HEIC, TIFF). `field` names the node parameter in errors.
 */
export async function binaryImageDataUrl(
	context: IExecuteFunctions,
	itemIndex: number,
	property: string,
	field: string,
): Promise<string> {
	const { data, bytes, label } = await readInputFile(context, itemIndex, property, field);
	const declared = data.mimeType?.toLowerCase().startsWith('image/') ? data.mimeType : undefined;
	const mimeType = sniffImageType(bytes)?.mimeType ?? declared;
	if (!mimeType) {
		throw invalidParameter(
			context.getNode(),
			itemIndex,
			field,
			`the binary field "${property}" is not an image${label ? ` (${label})` : ''}`,
			'Models take PNG, JPEG, WebP or GIF images.',
		);
	}
	return `data:${mimeType};base64,${bytes.toString('base64')}`;
}
