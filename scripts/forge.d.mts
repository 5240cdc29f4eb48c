export const DETERMINISTIC_ONLY: string[];
export function runForge(args: string[], env?: Record<string, string>): number;
export function forgeOutput(args: string[]): { status: number; output: string };
/** What `npm start`, `npm run demo` and `npm run deploy` build: the contracts they deploy. */
export const DEPLOYED_SOURCES: readonly string[];
/** Where the forge tests build, apart from the deployed contracts' out/ and cache/. */
export const TEST_BUILD: { FOUNDRY_OUT: string; FOUNDRY_CACHE_PATH: string };
