// The runner's directories must exist and be writable before a build starts.
import * as fs from 'fs';
import * as path from 'path';
import { oneLine } from '../common';

/** Creates `dir` if needed and proves it writable (a probe file); a one-line problem, or undefined. */
export function dirProblem(dir: string): string | undefined {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    return `cannot be created (${(e as NodeJS.ErrnoException).code ?? oneLine(e)})`;
  }
  const probe = path.join(dir, `.goldsmith-write-test.${process.pid}.tmp`);
  try {
    fs.writeFileSync(probe, '');
    fs.rmSync(probe, { force: true });
  } catch (e) {
    return `is not writable (${(e as NodeJS.ErrnoException).code ?? oneLine(e)})`;
  }
  return undefined;
}
