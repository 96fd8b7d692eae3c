#!/usr/bin/env node
// Runs the TypeScript sources through tsx's loader so that `npx fraudwatch` needs no build step.
import v8 from 'node:v8';
import { register } from 'tsx/esm/api';

// A larger young generation: scoring allocates a short-lived Decision per transaction, and with the default
// 16 MB semi-space the scavenges cost about a quarter of the engine's throughput (BENCHMARKS.md).
// Set before anything else is allocated; FRAUDWATCH_SEMI_SPACE_MB overrides it.
v8.setFlagsFromString(`--max-semi-space-size=${Number(process.env.FRAUDWATCH_SEMI_SPACE_MB) || 32}`);

register();
await import('../src/cli/main.ts');
