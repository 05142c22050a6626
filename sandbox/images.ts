/**
 * POST /v1/images/generations, with the rules of each model family a relay forwards to:
 * gpt-image-1* (always base64, rejects response_format), dall-e-3 (n = 1, revised_prompt),
 * doubao-seedream-* (1K / 2K / 4K or WxH) and anything else (flux, ...: lenient).
 * Like new-api, every data entry carries url, b64_json and revised_prompt, "" when absent.
 * Images are PNG unless `output_format` asks for jpeg or webp.
 */
import { unavailableModel } from './chat';
import type { ImageFormat } from './image-bytes';
import { relayError } from './relay-errors';
import { json, type RouteResult } from './responses';
import type { RouteContext } from './state';

type Family = 'gpt-image' | 'dall-e-3' | 'seedream' | 'other';

interface Size {
	width: number;
	height: number;
}

const GPT_IMAGE_SIZES = ['1024x1024', '1536x1024', '1024x1536', 'auto'];
const DALL_E_3_SIZES = ['1024x1024', '1792x1024', '1024x1792'];
const SEEDREAM_NAMED_SIZES: Record<string, number> = { '1K': 1024, '2K': 2048, '4K': 4096 };
const OUTPUT_FORMATS: Record<string, ImageFormat> = { png: 'png', jpeg: 'jpeg', jpg: 'jpeg', webp: 'webp' };
/** OpenAI's published output-token cost of one gpt-image-1 image, by quality and shape. */
const GPT_IMAGE_OUTPUT_TOKENS: Record<string, [square: number, wide: number]> = {
	low: [272, 408],
	medium: [1056, 1584],
	high: [4160, 6240],
};

function familyOf(model: string): Family {
	if (model.startsWith('gpt-image-1')) return 'gpt-image';
	if (model === 'dall-e-3') return 'dall-e-3';
	if (model.includes('seedream')) return 'seedream';
	return 'other';
}

function isObject(value: unknown): value is Record<string, any> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseWxH(size: string): Size | undefined {
	const match = /^(\d{2,5})[x*](\d{2,5})$/i.exec(size);
	if (!match) return undefined;
	const width = Number(match[1]);
	const height = Number(match[2]);
	return width > 0 && height > 0 ? { width, height } : undefined;
}

function invalid(message: string, param: string, code = 'invalid_value'): RouteResult {
	return json(400, relayError(message, 'invalid_request_error', code, param));
}

function quoteList(values: string[]): string {
	const quoted = values.map((v) => `'${v}'`);
	return `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
}

export interface ImageRequest {
	family: Family;
	prompt: string;
	n: number;
	size: Size;
	format: ImageFormat;
	b64: boolean;
	quality: string;
}

/** The fields both generations and edits share, checked as the model's API would. */
export function validateImageRequest(body: Record<string, any>, model: string): ImageRequest | RouteResult {
	const family = familyOf(model);
	const prompt = body.prompt as string;

	const n = body.n ?? 1;
	if (!Number.isInteger(n) || n < 1) {
		return invalid(`Invalid 'n': integer below minimum value. Expected a value >= 1, but got ${JSON.stringify(n)} instead.`, 'n', 'integer_below_min_value');
	}
	if (family === 'dall-e-3' && n !== 1) {
		return invalid('You may only request 1 image at a time when using dall-e-3.', 'n', 'invalid_value');
	}
	if (n > 10) {
		return invalid(`Invalid 'n': integer above maximum value. Expected a value <= 10, but got ${n} instead.`, 'n', 'integer_above_max_value');
	}

	const sizeParam = body.size === undefined || body.size === null ? undefined : String(body.size);
	let size: Size;
	if (family === 'gpt-image') {
		const value = sizeParam ?? '1024x1024';
		if (!GPT_IMAGE_SIZES.includes(value)) {
			return invalid(`Invalid value: '${value}'. Supported values are: ${quoteList(GPT_IMAGE_SIZES)}.`, 'size');
		}
		size = parseWxH(value === 'auto' ? '1024x1024' : value)!;
	} else if (family === 'dall-e-3') {
		const value = sizeParam ?? '1024x1024';
		if (!DALL_E_3_SIZES.includes(value)) {
			return invalid(`Invalid size '${value}'. Supported sizes are ${DALL_E_3_SIZES.join(', ')}.`, 'size');
		}
		size = parseWxH(value)!;
	} else if (family === 'seedream') {
		const value = sizeParam ?? '2048x2048';
		const side = SEEDREAM_NAMED_SIZES[value.toUpperCase()];
		const parsed = side ? { width: side, height: side } : parseWxH(value);
		if (!parsed) {
			return invalid(`The parameter \`size\` specified in the request is not valid: ${value}. Use 1K, 2K, 4K or WIDTHxHEIGHT.`, 'size', 'InvalidParameter');
		}
		size = parsed;
	} else {
		size = (sizeParam && parseWxH(sizeParam)) || { width: 1024, height: 1024 };
	}

	let b64: boolean;
	if (family === 'gpt-image') {
		if ('response_format' in body) {
			return invalid("Unknown parameter: 'response_format'.", 'response_format', 'unknown_parameter');
		}
		b64 = true;
	} else {
		const value = body.response_format ?? 'url';
		if (value !== 'url' && value !== 'b64_json') {
			return invalid(`Invalid value: '${value}'. Supported values are: 'url' and 'b64_json'.`, 'response_format');
		}
		b64 = value === 'b64_json';
	}

	const formatParam = body.output_format === undefined ? 'png' : String(body.output_format);
	const format = OUTPUT_FORMATS[formatParam];
	if (!format || (family === 'gpt-image' && formatParam === 'jpg')) {
		return invalid(`Invalid value: '${formatParam}'. Supported values are: 'png', 'jpeg', and 'webp'.`, 'output_format');
	}

	const quality = body.quality === undefined ? 'auto' : String(body.quality);
	if (family === 'gpt-image') {
		if (!['low', 'medium', 'high', 'auto'].includes(quality)) {
			return invalid(`Invalid value: '${quality}'. Supported values are: 'low', 'medium', 'high', and 'auto'.`, 'quality');
		}
		if (body.background === 'transparent' && format === 'jpeg') {
			return invalid('Transparent background is not supported for jpeg output. Use png or webp.', 'background', 'unsupported_value');
		}
	}
	return { family, prompt, n, size, format, b64, quality };
}

export function handleImages(body: unknown, ctx: RouteContext): RouteResult {
	const { requestId } = ctx;
	if (!isObject(body)) {
		return json(400, relayError(`request body must be a JSON object (request id: ${requestId})`, 'invalid_request_error', 'invalid_request'));
	}
	if (typeof body.model !== 'string' || body.model === '') {
		return json(400, relayError(`field model is required (request id: ${requestId})`, 'invalid_request_error', 'invalid_request', 'model'));
	}
	if (typeof body.prompt !== 'string' || body.prompt.trim() === '') {
		return json(400, relayError(`prompt is required (request id: ${requestId})`, 'invalid_request_error', 'invalid_request', 'prompt'));
	}
	if (body.model.startsWith('unavailable-')) return unavailableModel(body.model, requestId);

	const request = validateImageRequest(body, body.model);
	if ('kind' in request) return request;
	return imagesAnswer(request, ctx);
}

/** The generations body (also the edits body): n images of the requested size and format, stored under /files/gen/. */
export function imagesAnswer(request: ImageRequest, ctx: RouteContext, seed = request.prompt): RouteResult {
	const { state } = ctx;
	const data = [];
	for (let i = 0; i < request.n; i++) {
		const image = state.files.generate({
			format: request.format,
			...request.size,
			seed,
			targetBytes: state.imageBytes,
		});
		data.push({
			url: request.b64 ? '' : `${state.url}/files/${image.name}`,
			b64_json: request.b64 ? image.bytes.toString('base64') : '',
			revised_prompt: request.family === 'dall-e-3' ? `A vivid rendering of: ${request.prompt}` : '',
		});
	}

	const answer: Record<string, unknown> = { created: Math.floor(Date.now() / 1000), data };
	if (request.family === 'gpt-image') {
		const textTokens = Math.max(1, Math.ceil(request.prompt.length / 4));
		const [square, wide] = GPT_IMAGE_OUTPUT_TOKENS[request.quality] ?? GPT_IMAGE_OUTPUT_TOKENS.medium;
		const perImage = request.size.width === request.size.height ? square : wide;
		const outputTokens = perImage * request.n;
		answer.usage = {
			input_tokens: textTokens,
			output_tokens: outputTokens,
			total_tokens: textTokens + outputTokens,
			input_tokens_details: { text_tokens: textTokens, image_tokens: 0 },
		};
	}
	return json(200, answer);
}
