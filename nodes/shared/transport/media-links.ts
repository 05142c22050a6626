/** The links to pictures and videos in a reply, and the `data:` URLs a request or a reply may carry. */

const MARKDOWN_IMAGE = /!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const MARKDOWN_LINK = /(?<!!)\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const BARE_URL = /(?<![(<\w])https?:\/\/[^\s<>()"'\]]+/g;
// Progress links ("[100](url)", "[61%](url)") point at the job, not at a finished picture.
const PROGRESS_LINK_TEXT = /^\s*\d+(\.\d+)?\s*%?\s*$/;

/**
 * The results in a chat answer of an image or video model (gpt-4o-image, Gemini image models,
 * veo3-chat): the targets of Markdown images `![…](…)`. When there are none, plain links and
 * bare URLs outside progress lines, so a relay that answers "[▶️ Watch online](url)", with or
 * without a file extension, or a bare URL still yields its file; the same link twice (watch and
 * download) is one file. `links: false` turns that fallback off.
 */
export function findMediaUrls(
	content: string | null | undefined,
	options: { links?: boolean } = {},
): string[] {
	if (!content) return [];
	const images = unique([...content.matchAll(MARKDOWN_IMAGE)].map((match) => match[1]));
	// A text model's answer often links to web pages: only media models' links are their files.
	if (images.length || options.links === false) return images.filter(isMediaSource);

	const urls: string[] = [];
	for (const line of content.split('\n')) {
		if (/^\s*>/.test(line)) continue;
		for (const match of line.matchAll(MARKDOWN_LINK)) {
			if (!PROGRESS_LINK_TEXT.test(match[1])) urls.push(match[2]);
		}
		const withoutLinks = line.replace(MARKDOWN_LINK, ' ');
		for (const match of withoutLinks.matchAll(BARE_URL)) urls.push(trimPunctuation(match[0]));
	}
	return unique(urls).filter(isMediaSource);
}

/** Bytes of a `data:…;base64,…` URL, or undefined for any other URL. */
export function decodeDataUrl(url: string): Buffer | undefined {
	const match = /^data:([^;,]*)(;base64)?,/i.exec(url);
	if (!match) return undefined;
	const payload = url.slice(match[0].length);
	return match[2] ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'latin1');
}

/** An image a request may name: an http(s) link, or a `data:image/…` URL. */
export function isImageSource(url: string): boolean {
	return /^https?:\/\//i.test(url) || /^data:image\//i.test(url);
}

/** An image or video a reply may link to: an http(s) link, or a `data:image/…` / `data:video/…` URL. */
function isMediaSource(url: string): boolean {
	return isImageSource(url) || /^data:video\//i.test(url);
}

function trimPunctuation(url: string): string {
	return url.replace(/[.,;:!?。，]+$/, '');
}

function unique(values: string[]): string[] {
	return [...new Set(values)];
}
