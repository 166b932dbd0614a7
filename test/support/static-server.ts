// A builder's vhost for tests: serves one directory over loopback HTTP (GET and HEAD, symlinks
// followed, dot-files and subdirectories denied), with per-path overrides and a request log.
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';

export class StaticServer {
  /** `METHOD /path` of every request, in order. */
  readonly requests: string[] = [];
  /** Handlers that answer instead of the file for a URL path (e.g. `/store/x-latest.json`). */
  readonly overrides = new Map<string, http.RequestListener>();
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  /** `root`: the directory served under `/store/`. */
  constructor(public root: string) {}

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The builder base URL of the served directory (ends with '/'). */
  get baseUrl(): string {
    return `${this.origin}/store/`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '';
    this.requests.push(`${req.method} ${url}`);
    const override = this.overrides.get(url);
    if (override) return void override(req, res);
    const name = url.startsWith('/store/') ? decodeURIComponent(url.slice('/store/'.length)) : '';
    const file = path.join(this.root, name);
    let size: number | undefined;
    try {
      const st = fs.statSync(file); // follows symlinks, as Apache with FollowSymLinks
      if (st.isFile() && name && !name.includes('/') && !name.startsWith('.')) size = st.size;
    } catch {
      // not there: 404
    }
    if (size === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end(req.method === 'HEAD' ? undefined : 'not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
    if (req.method === 'HEAD') return void res.end();
    fs.createReadStream(file).pipe(res);
  }
}
