/**
 * The whole audit through the CLI on the smoke profile: every claim gets a verdict decided
 * from real measurements of every experiment, the decisions are written, and the report
 * opens with the claims table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CLAIMS } from '../../audit/claims/index.js';
import { VERDICTS } from '../../audit/types.js';

const CHROMIUM = process.env.FXBENCH_CHROMIUM ?? '/usr/bin/chromium';

const root = path.resolve(import.meta.dirname, '../..');

describe('fxbench audit --profile smoke', () => {
  it('runs every experiment and gives every claim a verdict from real measurements', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-audit-'));
    const out = path.join(dir, 'audit.jsonl');
    const r = spawnSync(process.execPath, [path.join(root, 'bin/fxbench.js'), 'audit', '--profile', 'smoke', '--out', out, '--quiet'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 400_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const records = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: string; suite: string; cellId: string; message?: string });
    // Every cell of every experiment ran to completion.
    expect(records.filter((x) => x.status !== 'completed').map((x) => `${x.suite} ${x.cellId}: ${x.message}`)).toEqual([]);
    const audit = JSON.parse(readFileSync(out.replace(/\.jsonl$/, '.audit.json'), 'utf8')) as {
      rulesHash: string;
      wallMs: number;
      claims: { id: string; error?: string; decision: { verdict: string; reason: string; key: { value: number } } }[];
    };
    expect(audit.claims.map((c) => c.id)).toEqual(CLAIMS.map((c) => c.id));
    // The wall time counts from the first tuning trial, which runs before any main cell.
    const trialStarts = readFileSync(out.replace(/\.jsonl$/, '.tune.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => Date.parse((JSON.parse(l) as { startedAt: string }).startedAt));
    const lastStart = Math.max(...records.map((x) => Date.parse((x as unknown as { startedAt: string }).startedAt)));
    expect(trialStarts.length).toBeGreaterThan(0);
    expect(audit.wallMs).toBeGreaterThanOrEqual(lastStart - Math.min(...trialStarts));
    for (const c of audit.claims) {
      expect(c.error, c.id).toBeUndefined();
      expect(VERDICTS).toContain(c.decision.verdict);
      // Decided from measurements: no claim fell back to "no data".
      expect(c.decision.reason, c.id).not.toMatch(/no completed measurement/i);
    }
    for (const c of CLAIMS) expect(r.stdout).toContain(c.id);
    const html = readFileSync(path.join(dir, 'audit-report', 'index.html'), 'utf8');
    expect(html).toContain("The article's claims, put to experiment");
    expect(html).toContain(audit.rulesHash);
    expect(html).toContain('Primary comparison, as declared before the data');
    for (const c of CLAIMS) expect(html).toContain(`id="claim-${c.id}"`);
    // Every claim shows its evidence: at least one chart drawn from its own experiments.
    const sections = html.split('<section class="claim"').slice(1);
    expect(sections).toHaveLength(CLAIMS.length);
    for (const [i, sec] of sections.entries()) expect(sec, CLAIMS[i].id).toMatch(/class="vis" data-chart="[^"]+--/);

    // In a real browser the claim charts render (skipped like the report's browser test when Chromium is missing).
    if (!existsSync(CHROMIUM)) {
      if (process.env.FXBENCH_REQUIRE_BROWSER === '1') throw new Error(`FXBENCH_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: apt-get install -y chromium`);
      return;
    }
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(path.join(dir, 'audit-report', 'index.html')).href);
      await page.waitForFunction(() => [...document.querySelectorAll('.vis')].every((el) => el.querySelector('svg') || el.textContent), undefined, {
        timeout: 60_000,
      });
      const unrendered = await page.$$eval('.vis', (els) =>
        els.filter((el) => !el.querySelector('svg .mark-group, svg path, svg rect, svg line')).map((el) => el.getAttribute('data-chart')),
      );
      expect(unrendered).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 400_000);

  it('refuses an unknown claim with a suggestion and lists the rules', () => {
    const bad = spawnSync(process.execPath, [path.join(root, 'bin/fxbench.js'), 'audit', '--claim', 'pe-neded'], { cwd: root, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('did you mean "pe-needed"?');
    const list = spawnSync(process.execPath, [path.join(root, 'bin/fxbench.js'), 'audit', '--list'], { cwd: root, encoding: 'utf8' });
    expect(list.status).toBe(0);
    for (const c of CLAIMS) expect(list.stdout).toContain(c.rule);
  });
});
