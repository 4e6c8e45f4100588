import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { Config } from '../../src/core/config.js';
import { build, type TestNode } from '../../test/helper.js';

/**
 * The real portal, built by Vite and served by a real node on a free port, and Debian's Chromium
 * (apt-get install chromium) driven through playwright-core. Never `playwright install`.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WEB_DIST = path.resolve(import.meta.dirname, '../dist');

export interface Portal {
  t: TestNode;
  browser: Browser;
  baseUrl: string;
  /** A fresh directory for screenshots (kept after the run, for looking at failures). */
  shots: string;
  close(): Promise<void>;
}

export async function startPortal(name: string, config: Partial<Config> = {}): Promise<Portal> {
  assert.ok(fs.existsSync(path.join(WEB_DIST, 'index.html')), 'the portal is built (npm run build:web)');
  assert.ok(fs.existsSync(CHROMIUM), `Chromium at ${CHROMIUM} (apt-get install chromium)`);
  const t = await build(undefined, { config: { webDir: WEB_DIST, ...config } });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  assert.ok(address && typeof address === 'object');
  t.node.ledger.start();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    t,
    browser,
    baseUrl: `http://127.0.0.1:${address.port}`,
    shots: fs.mkdtempSync(path.join(os.tmpdir(), `tianshu-e2e-${name}-`)),
    async close() {
      await browser.close();
      await t.close();
    },
  };
}
