import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import type { Image } from '../images';

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
