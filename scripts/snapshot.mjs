#!/usr/bin/env node
// `npm run snapshot`: rewrites .gas-snapshot (deterministic tests) and snapshots/*.json.
import { runForge, DETERMINISTIC_ONLY, TEST_BUILD } from './forge.mjs';

process.exit(runForge(['snapshot', ...DETERMINISTIC_ONLY], TEST_BUILD));
