export const DETERMINISTIC_ONLY: string[];
export function runForge(args: string[], env?: Record<string, string>): number;
export function forgeOutput(args: string[]): { status: number; output: string };
