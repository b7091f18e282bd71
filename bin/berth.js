#!/usr/bin/env node
// Entry point of the `berth` command. npm scripts and `npx berth` resolve `node` to the Node 24
// that the `node` dependency installs in node_modules/.bin, which runs the TypeScript sources directly.
// This file is plain JavaScript so that an older Node reaches the check below instead of failing on
// the TypeScript import with ERR_UNKNOWN_FILE_EXTENSION.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `berth needs Node.js 24 or later, and this is Node.js ${process.versions.node}: run \`npm ci\` in the project folder ` +
      '(it installs Node.js 24 into node_modules/.bin), then start Berth with `npm start` or `npx berth`.\n',
  );
  process.exit(1);
}
const { main } = await import('../src/cmd/main.ts');
process.exitCode = await main(process.argv.slice(2));
