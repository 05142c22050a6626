import type { IBinaryKeyData, IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { fetchMedia, type FetchMediaOptions } from '../shared/transport/media-download';
import type { RelayClient } from '../shared/transport';
import { mediaInfo, mediaToBinary } from '../shared/n8n/binary';

export interface DownloadedMedia {
	/** Binary properties `<prefix>0`, `<prefix>1`, … in the order of `urls`. */
	binary: IBinaryKeyData;
	/** One entry per file: property name, MIME type, size, dimensions, source URL. */
	files: IDataObject[];
}

/**
 * The images or videos a chat answer links to (found by `findMediaUrls`), fetched and turned
 * into n8n binary data. Used by the Chat node and by Image Generate's chat mode: one path for
 * both. Files are fetched one after another: they come from one host that is often slow and
 * rate limited, and the node already runs items in parallel.
 */
export async function downloadMedia(
	context: IExecuteFunctions,
	client: RelayClient,
	urls: string[],
	options: FetchMediaOptions & { propertyPrefix: string; fileBaseName: string },
): Promise<DownloadedMedia> {
	const binary: IBinaryKeyData = {};
	const files: IDataObject[] = [];
	for (const [index, url] of urls.entries()) {
		const media = await fetchMedia(client, url, options);
		const property = `${options.propertyPrefix}${index}`;
		binary[property] = await mediaToBinary(context, media, `${options.fileBaseName}-${index}`);
		files.push({ property, ...mediaInfo(media), url: media.url ?? (url.startsWith('data:') ? 'data URL' : url) });
	}
	return { binary, files };
}
