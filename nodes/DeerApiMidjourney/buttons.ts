import type { INodePropertyOptions } from 'n8n-workflow';

import type { MidjourneyButton } from '../shared/transport';

/**
 * The buttons a Midjourney task offers, by what they do. A button is found by its customId (the
 * part Midjourney keeps from version to version), else by its label or emoji: pan arrows, reroll
 * and describe's prompts have no label.
 */
interface ButtonKind {
	value: string;
	name: string;
	description: string;
	customId?: RegExp;
	label?: string;
	emoji?: string;
}

const upscale = (n: number): ButtonKind => ({
	value: `U${n}`,
	name: `U${n}`,
	description: `Upscale image ${n} of the grid into a single image`,
	customId: new RegExp(`^MJ::JOB::upsample::${n}::`),
	label: `U${n}`,
});

const vary = (n: number): ButtonKind => ({
	value: `V${n}`,
	name: `V${n}`,
	description: `A new grid of variations of image ${n}`,
	customId: new RegExp(`^MJ::JOB::variation::${n}::`),
	label: `V${n}`,
});

const prompt = (n: number, emoji: string): ButtonKind => ({
	value: `prompt${n}`,
	name: `Imagine Prompt ${n}`,
	description: `Of a Describe task: imagine its ${['first', 'second', 'third', 'fourth'][n - 1]} prompt`,
	customId: new RegExp(`^MJ::Job::PicReader::${n}$`),
	emoji,
});

export const BUTTON_KINDS: ButtonKind[] = [
	...[1, 2, 3, 4].map(upscale),
	...[1, 2, 3, 4].map(vary),
	{ value: 'reroll', name: 'Reroll', description: 'Run the same prompt again: a new grid', customId: /^MJ::JOB::reroll::/, emoji: '🔄' },
	{
		value: 'upscaleSubtle',
		name: 'Upscale (Subtle)',
		description: 'Of an upscaled image: twice the size, close to the original',
		customId: /^MJ::JOB::upsample_v\d+_2x_subtle::/,
		label: 'Upscale (Subtle)',
	},
	{
		value: 'upscaleCreative',
		name: 'Upscale (Creative)',
		description: 'Of an upscaled image: twice the size, with new detail',
		customId: /^MJ::JOB::upsample_v\d+_2x_creative::/,
		label: 'Upscale (Creative)',
	},
	{ value: 'varySubtle', name: 'Vary (Subtle)', description: 'Of an upscaled image: a grid of close variations', customId: /^MJ::JOB::low_variation::/, label: 'Vary (Subtle)' },
	{ value: 'varyStrong', name: 'Vary (Strong)', description: 'Of an upscaled image: a grid of bolder variations', customId: /^MJ::JOB::high_variation::/, label: 'Vary (Strong)' },
	{
		value: 'varyRegion',
		name: 'Vary (Region)',
		description: 'Of an upscaled image: redraw an area. The task then waits (MODAL) for a mask: send it with the Modal operation.',
		customId: /^MJ::Inpaint::/,
		label: 'Vary (Region)',
	},
	{ value: 'zoomOut2x', name: 'Zoom Out 2x', description: 'Of an upscaled image: a grid zoomed out twice', customId: /^MJ::Outpaint::50::/, label: 'Zoom Out 2x' },
	{ value: 'zoomOut1_5x', name: 'Zoom Out 1.5x', description: 'Of an upscaled image: a grid zoomed out 1.5 times', customId: /^MJ::Outpaint::75::/, label: 'Zoom Out 1.5x' },
	{
		value: 'customZoom',
		name: 'Custom Zoom',
		description: 'Of an upscaled image: the task then waits (MODAL) for a prompt with --zoom: send it with the Modal operation',
		customId: /^MJ::CustomZoom::/,
		label: 'Custom Zoom',
	},
	{ value: 'panLeft', name: 'Pan Left', description: 'Of an upscaled image: extend it to the left', customId: /^MJ::JOB::pan_left::/, emoji: '⬅️' },
	{ value: 'panRight', name: 'Pan Right', description: 'Of an upscaled image: extend it to the right', customId: /^MJ::JOB::pan_right::/, emoji: '➡️' },
	{ value: 'panUp', name: 'Pan Up', description: 'Of an upscaled image: extend it upwards', customId: /^MJ::JOB::pan_up::/, emoji: '⬆️' },
	{ value: 'panDown', name: 'Pan Down', description: 'Of an upscaled image: extend it downwards', customId: /^MJ::JOB::pan_down::/, emoji: '⬇️' },
	...['1️⃣', '2️⃣', '3️⃣', '4️⃣'].map((emoji, i) => prompt(i + 1, emoji)),
];

/** Presses U1, U2, U3 and U4 at once: four tasks, four items. */
export const ALL_UPSCALES = 'allUpscales';
/** The customId typed or mapped in (`buttons[i].customId` of an earlier output). */
export const CUSTOM_ID = 'customId';

export const buttonOptions: INodePropertyOptions[] = [
	{ name: 'U1-U4 (All Four Upscales)', value: ALL_UPSCALES, description: 'Press U1, U2, U3 and U4 together: four single images, as four items' },
	...BUTTON_KINDS.map(({ name, value, description, emoji }) => ({ name: emoji ? `${name} (${emoji})` : name, value, description })),
	{ name: 'Custom ID', value: CUSTOM_ID, description: 'A button by its customId, e.g. from "buttons" in an earlier output' },
];

function kindOf(value: string): ButtonKind | undefined {
	return BUTTON_KINDS.find((kind) => kind.value === value);
}

function matches(kind: ButtonKind, button: MidjourneyButton): boolean {
	if (kind.customId?.test(button.customId)) return true;
	if (kind.label && button.label.toLowerCase() === kind.label.toLowerCase()) return true;
	return kind.emoji !== undefined && button.label === '' && button.emoji === kind.emoji;
}

/** The task's button for a choice of the Button list (not ALL_UPSCALES nor CUSTOM_ID). */
export function findButton(buttons: MidjourneyButton[], value: string): MidjourneyButton | undefined {
	const kind = kindOf(value);
	return kind ? buttons.find((button) => matches(kind, button)) : undefined;
}

/** The name a button goes by: its label, else what it does (emoji-only buttons), else its emoji. */
export function buttonName(button: MidjourneyButton): string {
	if (button.label) return button.label;
	return BUTTON_KINDS.find((candidate) => matches(candidate, button))?.name ?? (button.emoji || button.customId);
}

/** The list choice's name, for messages: "U1", "Pan Left". */
export function choiceName(value: string): string {
	return kindOf(value)?.name ?? value;
}
