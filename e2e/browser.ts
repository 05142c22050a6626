/**
 * The editor in a real browser: Debian's chromium driven by puppeteer-core (nothing downloaded).
 * What a user sees in the first minute: the node panel's search from each place it opens, a Chat
 * node's parameter panel, the subtitles on the canvas and the model picker. Screenshots of each.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import puppeteer, { type Browser, type Page } from 'puppeteer-core';

import { MODEL_KINDS } from '../nodes/shared/transport/model-kinds';
import { DEFAULT_MODELS } from '../sandbox';
import type { N8nInstance } from './n8n';
import { subtitleCases, type SubtitleCase } from '../harness/subtitle-cases';
import { declaredNodeDescriptions, declaredPackage } from '../harness/package-info';
import type { Report } from './report';
import { cleanEnv } from './config';
import { ensureChromium } from './install';
import { run, track } from './processes';
import { OWNER } from './rest';
import type { RestSession } from './rest-checks';
import { AGENT_WITHOUT_MODEL_WORKFLOW_ID, workflowId } from './workflows';

export const CHROMIUM = process.env.DEERAPI_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a root user on a machine with no outside network (see the README's e2e section). */
const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--window-size=1600,1000',
];

const SEARCH = 'DeerAPI';
/** A sandbox model as the picker shows it, and the id that must be stored and shown on the canvas. */
const PICKED_ID = 'gpt-4o';
const PICKED = `${PICKED_ID} · chat · openai`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForTestId(page: Page, id: string, timeout = 30_000) {
	const handle = await page.waitForSelector(`[data-test-id="${id}"]`, { visible: true, timeout });
	if (!handle) throw new Error(`no [data-test-id="${id}"] on the page`);
	return handle;
}

async function signIn(page: Page, baseUrl: string): Promise<void> {
	await page.goto(`${baseUrl}/signin`, { waitUntil: 'networkidle2', timeout: 90_000 });
	const email = await page.waitForSelector('input[type="email"], input[name="emailOrLdapLoginId"]', { visible: true, timeout: 60_000 });
	await email!.type(OWNER.email);
	const password = await page.waitForSelector('input[type="password"]', { visible: true });
	await password!.type(OWNER.password);
	await page.keyboard.press('Enter');
	await page.waitForFunction('!location.pathname.startsWith("/signin")', { timeout: 60_000 });
}

/** Names the node panel lists after typing the search, once the list has settled. */
async function searchNodePanel(page: Page): Promise<string[]> {
	// The panel slides in and re-renders as it opens: a search bar found mid-way may not take a
	// click yet ("not clickable"), so it is looked up again until it does.
	for (let attempt = 1; ; attempt++) {
		try {
			await (await waitForTestId(page, 'node-creator-search-bar')).click();
			break;
		} catch (error) {
			if (attempt === 5) throw error;
			await sleep(600);
		}
	}
	await page.keyboard.type(SEARCH, { delay: 40 });
	await sleep(1500);
	return page.$$eval('[data-test-id="node-creator"] [data-test-id="node-creator-item-name"]', (items) =>
		items.map((item) => (item.textContent ?? '').trim()),
	);
}

function missingFrom(found: string[], wanted: string[]): string[] {
	return wanted.filter((name) => !found.includes(name));
}

async function closeNodePanel(page: Page): Promise<void> {
	// Escape leaves the search first, then the panel.
	for (let attempt = 0; attempt < 3 && (await page.$('[data-test-id="node-creator"]')); attempt++) {
		await page.keyboard.press('Escape');
		await sleep(500);
	}
}

export async function checkEditor(report: Report, n8n: N8nInstance, rest: RestSession, screenshotsDir: string): Promise<void> {
	const column = n8n.label;
	const browserReady = await report.check("editor: Debian's chromium (apt-get when missing)", column, async () => {
		await ensureChromium(CHROMIUM);
		return (await run(CHROMIUM, ['--version'], { env: cleanEnv() })).stdout.trim();
	});
	if (!browserReady) return;
	mkdirSync(screenshotsDir, { recursive: true });
	const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshotsDir, `${name}.png`) as `${string}.png` });
	const wanted = declaredPackage().nodes.map((node) => node.displayName);
	const profile = mkdtempSync(path.join(os.tmpdir(), 'deerapi-e2e-chromium-'));
	let browser: Browser | undefined;
	try {
		browser = await puppeteer.launch({
			executablePath: CHROMIUM,
			headless: true,
			args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`],
			defaultViewport: { width: 1600, height: 1000 },
			protocolTimeout: 120_000,
		});
		const chromium = browser.process();
		if (chromium) track(chromium);
		const page = await browser.newPage();
		page.setDefaultTimeout(30_000);
		const signedIn = await report.check('editor: sign in', column, async () => signIn(page, n8n.baseUrl));
		if (signedIn === undefined && page.url().includes('/signin')) return;

		/** Opens the node panel the way `open` does, searches, and checks every node is listed. */
		const searchFrom = (where: string, screenshot: string, open: () => Promise<void>) =>
			report.check(`editor: node panel, ${where}: "${SEARCH}" finds every node`, column, async () => {
				try {
					await open();
				} catch (error) {
					// What the page showed when the panel could not be opened.
					await shot(page, `${screenshot}-failed`);
					throw error;
				}
				const found = await searchNodePanel(page);
				await shot(page, screenshot);
				await closeNodePanel(page);
				const missing = missingFrom(found, wanted);
				if (missing.length) throw new Error(`not found: ${missing.join(', ')}; listed: ${found.join(', ') || 'nothing'}`);
				return found.join(', ');
			});

		await searchFrom('first step', '1-first-step-search', async () => {
			await page.goto(`${n8n.baseUrl}/workflow/new`, { waitUntil: 'networkidle2', timeout: 90_000 });
			await (await waitForTestId(page, 'canvas-add-button', 60_000)).click();
		});
		await searchFrom("a node's +", '2-node-plus-search', async () => {
			await page.goto(`${n8n.baseUrl}/workflow/${workflowId('02-model-inventory.json')}`, { waitUntil: 'networkidle2', timeout: 90_000 });
			const plus = await page.waitForSelector(
				'[data-test-id="canvas-node-output-handle"][data-node-name="Count per Owner"] [data-test-id="canvas-handle-plus"]',
				{ visible: true, timeout: 60_000 },
			);
			await plus!.click();
		});
		await searchFrom('AI view', '3-ai-view-search', async () => {
			// From a fresh canvas, whatever the searches before left open.
			await page.goto(`${n8n.baseUrl}/workflow/${workflowId('02-model-inventory.json')}`, { waitUntil: 'networkidle2', timeout: 90_000 });
			await (await waitForTestId(page, 'node-creator-plus-button', 60_000)).click();
			await waitForTestId(page, 'node-creator');
			const ai = await page.waitForSelector('[data-test-id="node-creator"] [data-test-id="node-creator-item-name"] ::-p-text(AI)', {
				visible: true,
			});
			await ai!.click();
			await sleep(800);
		});

		await report.check("editor: an AI Agent's Chat Model slot offers the DeerAPI Chat Model", column, async () => {
			await page.goto(`${n8n.baseUrl}/workflow/${AGENT_WITHOUT_MODEL_WORKFLOW_ID}`, { waitUntil: 'networkidle2', timeout: 90_000 });
			const slot = await page.waitForSelector(
				'[data-test-id="canvas-node-input-handle"][data-connection-type="ai_languageModel"][data-node-name="AI Agent"] [data-test-id="canvas-handle-plus"]',
				{ visible: true, timeout: 60_000 },
			);
			await slot!.click();
			const found = await searchNodePanel(page);
			await shot(page, '3b-agent-chat-model-slot');
			await closeNodePanel(page);
			if (!found.includes('DeerAPI Chat Model')) throw new Error(`not offered; listed: ${found.join(', ') || 'nothing'}`);
			// Only models fit the slot: the package's other nodes are not offered there.
			const others = found.filter((name) => name.startsWith('DeerAPI') && name !== 'DeerAPI Chat Model');
			if (others.length) throw new Error(`the slot also offers ${others.join(', ')}`);
			return found.join(', ');
		});

		const campaign = `${n8n.baseUrl}/workflow/${workflowId('01-marketing-campaign.json')}`;
		await report.check('editor: canvas subtitles show the model', column, async () => {
			await page.goto(campaign, { waitUntil: 'networkidle2', timeout: 90_000 });
			await page.waitForSelector('[data-test-id="canvas-node"][data-node-name="Make Poster"]', { visible: true, timeout: 60_000 });
			await sleep(1000);
			await shot(page, '4-canvas-subtitles');
			const subtitles = await page.$$eval('[data-test-id="canvas-node"]', (nodes) =>
				Object.fromEntries(nodes.map((node) => [node.getAttribute('data-node-name'), (node.textContent ?? '').trim()])),
			);
			const expected = { 'Write Tagline and Description': 'gpt-4o-mini', 'Make Poster': 'gpt-image-1' };
			for (const [name, model] of Object.entries(expected)) {
				if (!String(subtitles[name] ?? '').includes(model)) throw new Error(`"${name}" shows "${subtitles[name]}", not ${model}`);
			}
			return Object.entries(expected)
				.map(([name, model]) => `${name}: ${model}`)
				.join('; ');
		});

		await report.check('editor: Chat parameter panel renders, no error banner', column, async () => {
			const node = await page.waitForSelector('[data-test-id="canvas-node"][data-node-name="Write Tagline and Description"]', { visible: true });
			await node!.click({ count: 2 });
			await waitForTestId(page, 'ndv');
			await waitForTestId(page, 'node-parameters');
			await sleep(1500);
			await shot(page, '5-chat-parameters');
			const problems = await page.$$eval('[data-test-id="ndv"] .n8n-callout--danger, [data-test-id="ndv"] [data-test-id="node-parameters-error"]', (els) =>
				els.map((el) => (el.textContent ?? '').trim()),
			);
			const text = await page.$eval('[data-test-id="ndv"]', (el) => el.textContent ?? '');
			if (/Could not resolve|There was a problem|Max iterations/.test(text)) problems.push(text.match(/(Could not resolve|There was a problem|Max iterations)[^\n]{0,120}/)![0]);
			if (problems.length) throw new Error(problems.join(' | '));
			const labels = await page.$$eval('[data-test-id="ndv"] [data-test-id="parameter-item"] label, [data-test-id="ndv"] .parameter-item label', (els) =>
				els.map((el) => (el.textContent ?? '').trim()).filter(Boolean),
			);
			if (!labels.some((label) => label.startsWith('Model'))) throw new Error(`no Model parameter shown; labels: ${labels.join(', ')}`);
			return `${labels.length} parameters: ${labels.slice(0, 6).join(', ')}…`;
		});

		await report.check('editor: model picker shows each model with type and owner', column, async () => {
			const locator = await page.waitForSelector('[data-test-id="ndv"] [data-test-id="resource-locator"] input, [data-test-id="ndv"] [data-test-id="rlc-input"]', {
				visible: true,
			});
			await locator!.click();
			// The selected model shows first; the relay's list follows once the list search answered.
			await page.waitForFunction('document.querySelectorAll(\'[data-test-id="rlc-item"]\').length > 10', { timeout: 60_000 });
			await sleep(1000);
			await shot(page, '6-model-picker');
			const entries = await page.$$eval('[data-test-id="rlc-item"]', (els) => els.map((el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim()));
			const owners = new Map(DEFAULT_MODELS.map((model) => [model.id, model.owned_by]));
			// The example's own cachedResultName ("gpt-4o-mini") leads the list until it is picked again.
			const listed = entries.filter((entry) => entry.includes(' · '));
			const wrong = listed.filter((entry) => {
				const [id, kind, owner, ...rest] = entry.split(' · ');
				return !owners.has(id) || !MODEL_KINDS.includes(kind as never) || owner !== owners.get(id) || rest.length > 0;
			});
			if (wrong.length) throw new Error(`entries not shown as "id · type · owner" of a sandbox model: ${wrong.slice(0, 5).join(' | ')}`);
			const missing = [...owners.keys()].filter((id) => !listed.some((entry) => entry.startsWith(`${id} · `)));
			if (missing.length) throw new Error(`models missing from the dropdown: ${missing.join(', ')}; shown: ${entries.slice(0, 8).join(' | ')}`);
			for (const expected of [PICKED, 'gpt-image-1 · image · openai']) {
				if (!entries.includes(expected)) throw new Error(`"${expected}" not shown: ${entries.slice(0, 8).join(' | ')}`);
			}
			return `${listed.length} entries, e.g. "${PICKED}"`;
		});

		await report.check('editor: a picked model is saved and shown on the canvas by its bare id', column, async () => {
			const picked = await page.waitForSelector(`[data-test-id="rlc-item"] ::-p-text("${PICKED}")`, { visible: true });
			await picked!.click();
			await sleep(800);
			const shown = await page.$eval('[data-test-id="ndv"] [data-test-id="rlc-input"], [data-test-id="ndv"] [data-test-id="resource-locator"] input', (el) =>
				(el as unknown as { value: string }).value,
			);
			if (shown !== PICKED) throw new Error(`the field shows "${shown}" after picking "${PICKED}"`);
			await page.keyboard.press('Escape');
			await page.waitForSelector('[data-test-id="ndv"]', { hidden: true, timeout: 10_000 });
			await page.keyboard.down('Control');
			await page.keyboard.press('s');
			await page.keyboard.up('Control');
			await sleep(1500);
			await shot(page, '7-picked-model-subtitle');
			const node = await page.$eval('[data-test-id="canvas-node"][data-node-name="Write Tagline and Description"]', (el) => (el.textContent ?? '').trim());
			if (!node.includes(PICKED_ID) || node.includes(`${PICKED_ID}-mini`) || node.includes(' · ')) throw new Error(`the canvas shows "${node}"`);
			const workflow = await rest.client.data('GET', `/rest/workflows/${workflowId('01-marketing-campaign.json')}`);
			const chat = (workflow.nodes as Array<{ name: string; parameters: { model?: unknown } }>).find((n) => n.name === 'Write Tagline and Description');
			const model = chat?.parameters.model as { value?: string; cachedResultName?: string } | undefined;
			if (model?.value !== PICKED_ID || model.cachedResultName !== PICKED) throw new Error(`saved model: ${JSON.stringify(model)}`);
			return `field "${PICKED}", subtitle "${PICKED_ID}", saved value "${model.value}"`;
		});

		await report.check("editor: every node's subtitle on the canvas, Tool variants included (fresh, and a model picked in each mode)", column, async () => {
			const { name: packageName } = declaredPackage();
			const cases = subtitleCases(declaredNodeDescriptions());
			const created = await rest.client.data('POST', '/rest/workflows', {
				...subtitleWorkflow(packageName, cases),
				projectId: rest.projectId,
			});
			await page.goto(`${n8n.baseUrl}/workflow/${String(created.id)}`, { waitUntil: 'networkidle2', timeout: 90_000 });
			await page.waitForSelector(`[data-test-id="canvas-node"][data-node-name="${canvasName(cases[cases.length - 1])}"]`, {
				visible: true,
				timeout: 60_000,
			});
			await sleep(1500);
			await shot(page, '8-every-node-subtitle');
			// A canvas node's description holds its label and, when there is one, its subtitle.
			const shown = await page.$$eval('[data-test-id="canvas-node"]', (nodes) =>
				Object.fromEntries(
					nodes.map((node) => [
						node.getAttribute('data-node-name'),
						(node.querySelector('[class*="_description_"] > [class*="_subtitle_"]')?.textContent ?? '').trim(),
					]),
				),
			);
			const wrong = cases.filter((entry) => shown[canvasName(entry)] !== entry.expected);
			if (wrong.length) {
				throw new Error(
					`${wrong.length} of ${cases.length} wrong: ${wrong
						.slice(0, 8)
						.map((entry) => `"${canvasName(entry)}" shows "${shown[canvasName(entry)] ?? '(not on the canvas)'}", not "${entry.expected}"`)
						.join('; ')}`,
				);
			}
			const types = new Set(cases.map((entry) => entry.nodeName)).size;
			return `${cases.length} nodes of ${types} types, each as expected, e.g. "${canvasName(cases[1])}": "${cases[1].expected}"`;
		});
	} finally {
		await browser?.close().catch(() => undefined);
		rmSync(profile, { recursive: true, force: true });
	}
}

/** A case's node name on the canvas: unique, and saying what it shows. */
function canvasName(entry: SubtitleCase): string {
	return `${entry.nodeName} (${entry.label})`;
}

/** One node per subtitle case, on a grid, unconnected: as if each were added from the node panel. */
function subtitleWorkflow(packageName: string, cases: SubtitleCase[]): Record<string, unknown> {
	const columns = 6;
	return {
		name: "e2e: every node's subtitle",
		nodes: cases.map((entry, i) => ({
			id: `subtitle-case-${i}`,
			name: canvasName(entry),
			type: `${packageName}.${entry.nodeName}`,
			typeVersion: entry.typeVersion,
			position: [(i % columns) * 320, Math.floor(i / columns) * 220],
			parameters: entry.parameters,
		})),
		connections: {},
		settings: { executionOrder: 'v1' },
	};
}
