// Child of download-hostile.test.ts, run with --expose-gc: a loopback server that trickles one byte
// every 200 ms, and a download (2 attempts, 1 s timeout each) while the garbage collector runs all
// the time. Prints one JSON line { error, ms, requests } and exits.
'use strict';
require('./register-ts');
const http = require('http');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { downloadFile, fetchText } = require('../../lib/runner/download.ts');

const mode = process.argv[2]; // 'download' | 'text' | 'deadline'
if (mode === 'deadline') {
  // The primitive alone: AbortSignal.any([outer, AbortSignal.timeout(500)]) never fires here.
  const { deadline } = require('../../lib/common.ts');
  const outer = new AbortController();
  const t0 = Date.now();
  const d = deadline(500, outer.signal);
  d.signal.addEventListener('abort', () => {
    process.stdout.write(`${JSON.stringify({ error: d.timedOut ? 'timed out' : 'other', ms: Date.now() - t0, requests: 0 })}\n`);
    process.exit(0);
  });
  setInterval(() => global.gc(), 10);
  return;
}
let requests = 0;
const server = http.createServer((req, res) => {
  requests++;
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': '100000' });
  const t = setInterval(() => res.write('x'), 200);
  res.on('close', () => clearInterval(t));
});
server.listen(0, '127.0.0.1', async () => {
  const gc = setInterval(() => global.gc(), 20);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-trickle-'));
  const url = `http://127.0.0.1:${server.address().port}/slow.img`;
  const t0 = Date.now();
  let error = null;
  try {
    const opts = { timeoutMs: 1000, attempts: 2, backoffMs: 10, log: () => undefined };
    if (mode === 'text') await fetchText(url, opts);
    else await downloadFile(url, path.join(dir, 'x'), { ...opts, algorithms: ['sha256'] });
  } catch (e) {
    error = e.message;
  }
  clearInterval(gc);
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ error, ms: Date.now() - t0, requests })}\n`);
  server.closeAllConnections();
  server.close();
  process.exit(0);
});
