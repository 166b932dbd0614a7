// External tools in tests: skip with a visible message when a tool is absent,
// fail instead when GOLDSMITH_REQUIRE_TOOLS=1 (as in CI).
import { execFileSync } from 'child_process';

const found = new Map<string, boolean>();

/** True when `tool` is on PATH. */
export function hasTool(tool: string): boolean {
  if (!found.has(tool)) {
    try {
      execFileSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' });
      found.set(tool, true);
    } catch {
      found.set(tool, false);
    }
  }
  return found.get(tool)!;
}

/**
 * `describe` when every tool is present; otherwise a skipped block with a visible warning,
 * or a failing test when GOLDSMITH_REQUIRE_TOOLS=1.
 */
export function describeWithTools(tools: readonly string[], name: string, body: () => void): void {
  const missing = tools.filter((t) => !hasTool(t));
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  if (process.env.GOLDSMITH_REQUIRE_TOOLS === '1') {
    describe(name, () => {
      test(`requires ${missing.join(', ')}`, () => {
        throw new Error(`GOLDSMITH_REQUIRE_TOOLS=1 but ${missing.join(', ')} not found on PATH`);
      });
    });
    return;
  }
  process.stderr.write(`SKIPPED "${name}": ${missing.join(', ')} not found on PATH\n`);
  describe.skip(name, body);
}
