// goldsmith check: is every image of this builder built on schedule, and still supported?
// Pure evaluation (evaluate.ts, imagebuilder-jsonl.ts: the clock is a parameter), reading
// (read.ts) and Nagios output (nagios.ts); lib/cli/check.ts is the command.
export * from './end-of-life';
export * from './evaluate';
export type { FileRead } from './file-read';
export * from './format';
export * from './imagebuilder-jsonl';
export * from './nagios';
export * from './read';
export * from './schedule';
export * from './state';
