import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
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
  /** A page in a fresh browser context (its own cookies and storage), in Chinese, 1440×1000. */
  newPage(): Promise<Page>;
  /** A fresh page signed in as a demo user, on the home page. */
  signIn(username: string): Promise<Page>;
  /** Runs a step and keeps a screenshot when it fails, so that a red run can be understood afterwards. */
  step<T>(page: Page, name: string, fn: () => Promise<T>): Promise<T>;
  /** An API call as a demo user, asserted to succeed (set-up and checks beside the browser). */
  api<T>(username: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown): Promise<T>;
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
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), `tianshu-e2e-${name}-`));
  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    return page;
  };
  return {
    t,
    browser,
    baseUrl,
    shots,
    newPage,
    async signIn(username) {
      const page = await newPage();
      await page.goto(`${baseUrl}/login`);
      await page.getByTestId('login-username').fill(username);
      await page.getByTestId('login-password').fill('Tianshu@2026');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('page-home').waitFor();
      return page;
    },
    async step(page, stepName, fn) {
      try {
        return await fn();
      } catch (err) {
        await page.screenshot({ path: path.join(shots, `${stepName}-failed.png`), fullPage: true }).catch(() => undefined);
        throw err;
      }
    },
    async api(username, method, url, payload) {
      const res = await t.request({ method, url: `/api/v1${url}`, token: await t.login(username), ...(payload === undefined ? {} : { payload: payload as string }) });
      assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    async close() {
      await browser.close();
      await t.close();
    },
  };
}
