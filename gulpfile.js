const path = require('node:path');
const { src, dest, task } = require('gulp');

// tsc only emits JavaScript; n8n reads the icons and the codex (.node.json) from beside the built files.
task('build:icons', () =>
	src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(
		dest(path.resolve('dist')),
	),
);

task('build:codex', () => src('nodes/**/*.node.json', { base: '.' }).pipe(dest(path.resolve('dist'))));
