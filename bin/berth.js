#!/usr/bin/env node
// Entry point of the `berth` command. npm scripts and `npx berth` resolve `node` to the Node 24
// that the `node` dependency installs in node_modules/.bin, which runs the TypeScript sources directly.
import { main } from '../src/cmd/main.ts';

process.exitCode = await main(process.argv.slice(2));
