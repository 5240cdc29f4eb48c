import { syntheticScenarios } from './paths.js';
const s = syntheticScenarios()[0]!;
for (let k = 0; k < 2; k++) { const p = s.prices[k]!; const out = []; let prev = s.history[k]!.at(-1)!; for (let d = 0; d < 16; d++) { const c = p[(d+1)*24-1]!; out.push((Math.log(c/prev)*100).toFixed(1)); prev = c; } console.log(out.join(' ')); }
console.log(s.calm);
