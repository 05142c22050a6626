import type { IBinaryKeyData, IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { fetchImage, type FetchImageOptions } from '../images';
import type { RelayClient } from '../transport';
import { imageInfo, imageToBinary } from './binary';

export interface DownloadedImages {
	/** Binary properties `<prefix>0`, `<prefix>1`, … in the order of `urls`. */
	binary: IBinaryKeyData;
	/** One entry per image: property name, MIME type, size, dimensions, source URL. */
	images: IDataObject[];
}

/**
 * The images a chat answer links to (found by `findImageUrls`), fetched and turned into n8n
 * binary data. Used by the Chat node and by Image Generate's chat mode: one path for both.
 * Images are fetched one after another: they come from one host that is often slow and rate
 * limited, and the node already runs items in parallel.
 */
export async function downloadImages(
	context: IExecuteFunctions,
	client: RelayClient,
	urls: string[],
	options: FetchImageOptions & { propertyPrefix: string; fileBaseName: string },
): Promise<DownloadedImages> {
	const binary: IBinaryKeyData = {};
	const images: IDataObject[] = [];
	for (const [index, url] of urls.entries()) {
		const image = await fetchImage(client, url, options);
		const property = `${options.propertyPrefix}${index}`;
		binary[property] = await imageToBinary(context, image, `${options.fileBaseName}-${index}`);
		images.push({ property, ...imageInfo(image), url: image.url ?? (url.startsWith('data:') ? 'data URL' : url) });
	}
	return { binary, images };
}
