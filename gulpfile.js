const path = require('node:path');
const { src, dest, task } = require('gulp');

// tsc only emits JavaScript; n8n reads node and credential icons from beside the built files.
task('build:icons', () =>
	src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(
		dest(path.resolve('dist')),
	),
);
