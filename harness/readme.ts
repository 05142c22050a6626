/** What the e2e tier takes from README.md, so that what the README tells users is what is tested. */
export const PACKAGE_NAME = 'n8n-nodes-deerapi-relay';

/** The README's manual install command; every occurrence must be the same command. */
export function readmeInstallCommand(readme: string): string {
	const pattern = new RegExp(`\`(npm install ${PACKAGE_NAME}(?: [^\`]*)?)\``, 'g');
	const commands = [...new Set([...readme.matchAll(pattern)].map((match) => match[1]))];
	if (commands.length !== 1) {
		throw new Error(`README.md must give one manual install command \`npm install ${PACKAGE_NAME} ...\`, found: ${commands.join(' | ') || 'none'}`);
	}
	return commands[0];
}
