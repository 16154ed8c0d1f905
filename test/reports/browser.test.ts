/**
 * The report as a reader sees it: index.html opened from file:// in headless Chromium
 * (Debian's `chromium`, driven by playwright-core). No console errors, every chart rendered
 * as an SVG with marks, data with HTML in it stays text. A full-page screenshot is saved
 * to the OS temp dir and its path printed.
 *
 * Without /usr/bin/chromium the test is skipped (and says how to install it), unless
 * FXBENCH_REQUIRE_BROWSER=1 (as in CI), where it fails.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildCharts, CHART_BUILDERS } from '../../reports/charts/index.js';
import { writeReport } from '../../reports/render.js';
import { resultSchema } from '../../harness/store/results.js';
import { erroredRecord, EVIL, richResults, widthSweep } from './fixtures.js';

const CHROMIUM = process.env.FXBENCH_CHROMIUM ?? '/usr/bin/chromium';
const INSTALL = 'apt-get install -y chromium';
const available = existsSync(CHROMIUM);
const required = process.env.FXBENCH_REQUIRE_BROWSER === '1';

describe('report in a browser', () => {
  const title = 'opens from file:// with no console errors and every chart rendered';
  it(available ? title : `${title} (skipped: ${CHROMIUM} not found; install it with: ${INSTALL})`, async (ctx) => {
    if (!available) {
      if (required) throw new Error(`FXBENCH_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing; install it with: ${INSTALL}`);
      ctx.skip(`skipped: ${CHROMIUM} not found; install it with: ${INSTALL} (or set FXBENCH_CHROMIUM)`);
      return;
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-browser-'));
    const evil = erroredRecord(
      { task: { name: 'recall', label: 'recall', options: { symbols: EVIL } }, extractor: { name: 'lstm', label: 'lstm' }, length: 8, seed: 9 },
      { message: EVIL },
    );
    // A subset of the rich set that still triggers every chart builder, to keep the test quick.
    const records = [
      ...richResults({ tasks: ['recall', 'agreement'], extractors: ['rnn', 'lstm', 'transformer', 'tf-learned', 'tcn'], lengths: [8, 32], seeds: [1, 2] }),
      ...widthSweep(),
    ];
    for (const [name, build] of Object.entries(CHART_BUILDERS)) expect(build(records).length, `${name} builds nothing on the browser set`).toBeGreaterThan(0);
    const file = await writeReport([...records, evil], dir);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      const dialogs: string[] = [];
      const warnings: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
        if (m.type() === 'warning') warnings.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      const count = await page.locator('.vis').count();
      expect(count).toBe(buildCharts([...records, evil]).length);
      await page.waitForFunction((n) => document.querySelectorAll('.vis[data-rendered]').length === n, count, { timeout: 60_000 });

      const charts = await page.$$eval('.vis', (els) =>
        els.map((el) => ({
          id: el.getAttribute('data-chart'),
          rendered: el.getAttribute('data-rendered'),
          svgs: el.querySelectorAll('svg').length,
          marks: el.querySelectorAll('svg .role-mark > *').length,
          nan: el.innerHTML.includes('NaN'),
        })),
      );
      for (const c of charts) {
        expect(c.rendered, `${c.id} failed to render`).toBe('true');
        expect(c.svgs, `${c.id} has no SVG`).toBeGreaterThan(0);
        expect(c.marks, `${c.id} has no marks`).toBeGreaterThan(0);
        expect(c.nan, `${c.id} has NaN in its SVG (a position or a tooltip)`).toBe(false);
      }
      // Data with HTML in it stayed text: no injected elements, no alert.
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(await page.locator('.problems').textContent()).toContain('<script>alert(1)</script>');
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      expect(warnings, 'console warnings').toEqual([]);

      // The table sorts when a header is clicked.
      await page.locator('#summary-table th', { hasText: 'seed' }).click();
      const seeds = await page.$$eval('#summary-table tbody tr td:nth-child(4)', (tds) => tds.map((td) => Number(td.textContent)));
      expect(seeds).toEqual([...seeds].sort((a, b) => a - b));

      const shot = path.join(os.tmpdir(), 'fxbench-report-screenshot.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`report: ${file}\nscreenshot: ${shot}`);
    } finally {
      await browser.close();
    }
  });

  const auditTitle =
    "the standard audit's report (its committed records and decisions) opens with a short title, the results table first, and no console warning or error";
  it(available ? auditTitle : `${auditTitle} (skipped: ${CHROMIUM} not found)`, async (ctx) => {
    if (!available) {
      if (required) throw new Error(`FXBENCH_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing; install it with: ${INSTALL}`);
      ctx.skip(`skipped: ${CHROMIUM} not found`);
      return;
    }
    const evidence = path.resolve(import.meta.dirname, '../../docs/standard-audit-2026-12-02');
    const lines = gunzipSync(readFileSync(path.join(evidence, 'standard-audit-2026-12-02.jsonl.gz')))
      .toString('utf8')
      .trim()
      .split('\n');
    const records = lines.map((l) => resultSchema.parse(JSON.parse(l)));
    const audit = JSON.parse(readFileSync(path.join(evidence, 'standard-audit-2026-12-02.audit.json'), 'utf8'));
    const file = await writeReport(records, mkdtempSync(path.join(os.tmpdir(), 'fxbench-audit-browser-')), audit);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const messages: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') messages.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => messages.push(String(e)));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      const count = await page.locator('.vis').count();
      await page.waitForFunction((n) => document.querySelectorAll('.vis[data-rendered]').length === n, count, { timeout: 90_000 });
      expect(await page.title()).toBe('fxbench audit, standard profile');
      expect(await page.locator('#numbers-table tbody tr').count()).toBeGreaterThan(10);
      // Each (task, extractor, length) row names one model: the experiments reuse labels such as transformer-none for different ones.
      const keys = await page.locator('#numbers-table tbody tr').evaluateAll((rows) =>
        rows.map((r) =>
          [...r.querySelectorAll('td')]
            .slice(0, 3)
            .map((td) => td.textContent)
            .join('|'),
        ),
      );
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.some((k) => k.includes('transformer-none (audit-'))).toBe(true);
      expect(messages).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
