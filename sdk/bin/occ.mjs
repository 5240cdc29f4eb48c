#!/usr/bin/env node
// The occ command: the built CLI (npm run build:sdk writes dist/).
import '../dist/cli/main.js';
