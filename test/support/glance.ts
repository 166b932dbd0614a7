// A real Glance for tests: one per test file (random free port, temp dir), started in beforeAll
// with scripts/glance/start-glance.sh and stopped in afterAll; or an already running one when
// GLANCE_ENDPOINT is set (then nothing is started or stopped).
//
// Absence is reported like test/support/tools.ts: a skipped block with a visible message, or a
// failing test when GOLDSMITH_REQUIRE_TOOLS=1 (as in CI).
import { execFile, execFileSync } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..');
const START = path.join(REPO, 'scripts', 'glance', 'start-glance.sh');
const STOP = path.join(REPO, 'scripts', 'glance', 'stop-glance.sh');
/** Debian's python3 (python3-glance lives in its dist-packages); GLANCE_PYTHON overrides. */
export const GLANCE_PYTHON = process.env.GLANCE_PYTHON ?? '/usr/bin/python3';

export interface GlanceFixture {
  /** e.g. http://127.0.0.1:41234 */
  endpoint: string;
  /** Trusted-auth identity headers (the test Glance has no Keystone). */
  headers: Record<string, string>;
  /** Project id in `headers` (the owner of images created with them). */
  projectId: string;
  /** Milliseconds start-glance.sh took (0 when GLANCE_ENDPOINT was reused). */
  startMs: number;
}

let available: boolean | undefined;

/** True when GLANCE_ENDPOINT is set or python3-glance is importable by GLANCE_PYTHON. */
export function hasGlance(): boolean {
  if (process.env.GLANCE_ENDPOINT) return true;
  if (available === undefined) {
    try {
      // find_spec, not import: importing Glance writes a plugin cache into ~/.cache.
      const check = "import importlib.util, sys; sys.exit(importlib.util.find_spec('glance.cmd.api') is None)";
      execFileSync(GLANCE_PYTHON, ['-c', check], { stdio: 'ignore', timeout: 30_000 });
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

export function trustedAuthHeaders(projectId: string, userId = 'goldsmith-test-user'): Record<string, string> {
  return {
    'X-Identity-Status': 'Confirmed',
    'X-User-Id': userId,
    'X-Project-Id': projectId,
    'X-Roles': 'admin,member,reader',
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, env: { ...process.env, GLANCE_PYTHON } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(cmd)} failed: ${(stderr || err.message).trim()}`));
      else resolve(stdout.trim());
    });
  });
}

/**
 * Register beforeAll/afterAll that start (and stop) a Glance for the enclosing describe block;
 * returns a getter for the fixture, valid inside tests.
 */
export function useGlance(): () => GlanceFixture {
  let fixture: GlanceFixture | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    const projectId = randomUUID().replace(/-/g, '');
    if (process.env.GLANCE_ENDPOINT) {
      fixture = {
        endpoint: process.env.GLANCE_ENDPOINT.replace(/\/+$/, ''),
        headers: trustedAuthHeaders(projectId),
        projectId,
        startMs: 0,
      };
      return;
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-glance-'));
    // A port can be taken between probing and binding; try a few.
    let lastErr: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const t0 = Date.now();
      try {
        const endpoint = await run(START, [dir, String(port)], 90_000);
        fixture = { endpoint, headers: trustedAuthHeaders(projectId), projectId, startMs: Date.now() - t0 };
        // Should the worker exit without afterAll (crash, --forceExit), do not leave Glance behind.
        const pidFile = path.join(dir, 'glance-api.pid');
        const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
        process.once('exit', () => {
          if (fs.existsSync(pidFile)) {
            try {
              process.kill(pid, 'SIGTERM');
            } catch {
              // already gone
            }
          }
        });
        return;
      } catch (e) {
        lastErr = e;
      }
    }
    throw lastErr;
  }, 300_000);
  afterAll(async () => {
    if (!dir) return;
    await run(STOP, [dir], 30_000).catch(() => undefined);
    if (process.env.GOLDSMITH_KEEP_GLANCE_DIR !== '1') fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
  return () => {
    if (!fixture) throw new Error('Glance fixture not started (beforeAll failed?)');
    return fixture;
  };
}

/**
 * `describe` with a running Glance when python3-glance is present (or GLANCE_ENDPOINT is set);
 * otherwise a visibly skipped block, or a failing test when GOLDSMITH_REQUIRE_TOOLS=1.
 */
export function describeWithGlance(name: string, body: (glance: () => GlanceFixture) => void): void {
  if (hasGlance()) {
    describe(name, () => {
      const glance = useGlance();
      body(glance);
    });
    return;
  }
  const why = `python3-glance not importable by ${GLANCE_PYTHON} (and GLANCE_ENDPOINT unset)`;
  if (process.env.GOLDSMITH_REQUIRE_TOOLS === '1') {
    describe(name, () => {
      test('requires a Glance', () => {
        throw new Error(`GOLDSMITH_REQUIRE_TOOLS=1 but ${why}`);
      });
    });
    return;
  }
  process.stderr.write(`SKIPPED "${name}": ${why}\n`);
  describe.skip(name, () => body(() => {
    throw new Error('skipped');
  }));
}
