// The browser suite's harness: a real `hooklens serve` on free ports (port 0) with a temp data
// dir, and Debian's Chromium driven by playwright-core (never a downloaded browser), logged in
// through `/login?token=`. Waits are on conditions with timeouts, never sleeps.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const BIN = process.env.HOOKLENS_BIN ?? fileURLToPath(new URL('../../target/debug/hooklens', import.meta.url));

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Engine {
  receiver: string;
  api: string;
  /** The relay stream's base URL, when started with `--relay-listen`. */
  relay?: string;
  token: string;
  dataDir: string;
  process: ChildProcess;
  /** Sends a request to the receiver. */
  send(path: string, init?: RequestInit): Promise<Response>;
  /** Calls the control API with the token. */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
  /** Stops the process, keeping its data, and starts it again on the same ports. */
  restart(): Promise<Engine>;
}

export interface EngineOptions {
  extraArgs?: string[];
  /** Reuse these (a restart): same data, same URLs, same token. */
  dataDir?: string;
  receiver?: string;
  api?: string;
  token?: string;
}

const hostPort = (url: string | undefined) => (url ? new URL(url).host : '127.0.0.1:0');

/** Starts `hooklens serve` on port 0 and reads the bound URLs from what it prints. */
export async function startEngine(options: EngineOptions = {}): Promise<Engine> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hooklens-ui-'));
  const token = options.token ?? 'test-token-' + Math.random().toString(36).slice(2);
  const child = spawn(
    BIN,
    ['serve', '--data-dir', dataDir, '--listen', hostPort(options.receiver), '--api-listen', hostPort(options.api), '--api-token', token, ...(options.extraArgs ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOOKLENS_LOG: 'warn' } },
  );
  let out = '';
  let err = '';
  child.stderr?.on('data', (d) => (err += d));
  const wantsRelay = (options.extraArgs ?? []).includes('--relay-listen');
  const urls = await new Promise<{ receiver: string; api: string; relay?: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hooklens serve did not start in 20 s:\n${out}\n${err}`)), 20_000);
    child.on('exit', (code) => reject(new Error(`hooklens serve exited (${code}):\n${out}\n${err}`)));
    child.stdout?.on('data', (d) => {
      out += d;
      const receiver = /Receiver:\s+(http:\/\/\S+?)\/\s/.exec(out)?.[1];
      const api = /Inspector:\s+(http:\/\/\S+?)\/login/.exec(out)?.[1];
      const relay = /Relay:\s+(https?:\/\/\S+)/.exec(out)?.[1];
      if (receiver && api && (relay || !wantsRelay)) {
        clearTimeout(timer);
        resolve({ receiver, api, relay });
      }
    });
  });
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  };
  const engine: Engine = {
    ...urls,
    token,
    dataDir,
    process: child,
    send: (path, init) => fetch(urls.receiver + path, init),
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const r = await fetch(urls.api + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
      return (r.status === 204 ? undefined : await r.json()) as T;
    },
    async stop() {
      await kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await kill();
      return startEngine({ ...options, dataDir, token, receiver: urls.receiver, api: urls.api });
    },
  };
  return engine;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Messages of page errors, console errors and CSP violations seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/** Chromium with a fresh profile, logged in to `engine` through its login link. */
export async function openBrowser(engine: Engine, viewport = { width: 1280, height: 800 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'hooklens-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.goto(`${engine.api}/login?token=${engine.token}`);
  await page.getByTestId('app').waitFor();
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface Received {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Target {
  url: string;
  received: Received[];
  /** Resolves with the first request `match` accepts (already received or yet to come). */
  next(match?: (r: Received) => boolean, timeoutMs?: number): Promise<Received>;
  close(): Promise<void>;
}

/** A local HTTP service on a free port that answers 200 and records what it got. */
export async function startTarget(): Promise<Target> {
  const { createServer } = await import('node:http');
  const received: Received[] = [];
  const waiters: { match: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(r);
      for (const w of waiters.splice(0)) {
        if (w.match(r)) w.resolve(r);
        else waiters.push(w);
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok from target');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    next(match = () => true, timeoutMs = 15_000) {
      const seen = received.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the target received no matching request in time')), timeoutMs);
        waiters.push({ match, resolve: (r) => { clearTimeout(timer); resolve(r); } });
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
