/**
 * fxbench on a live Slurm (not a mock): a single-node cluster of its own
 * (tools/slurm/cluster.sh) runs a suite submitted as a 3-shard array through
 * `fxbench submit slurm`. One array task's fxbench is SIGKILLed mid-cell; the task
 * requeues itself (`scontrol requeue`, from its script); the merge job's results must
 * equal an unsharded run cell for cell, and its report must exist. Then the faults: a shard whose cells fail leaves them
 * `errored` with the message and the merge job names exactly those; sbatch's refusals
 * come back in one line.
 *
 * Without Slurm (or not as root, which slurmd needs) the live tests are skipped with the
 * install command; with FXBENCH_REQUIRE_SLURM=1 (CI) they fail instead.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byCell, fxbench, readLines, root } from '../helpers.js';

const CLUSTER = path.join(root, 'tools/slurm/cluster.sh');
const INSTALL = 'sudo tools/slurm/cluster.sh install   # apt-get install slurm-wlm munge';
const found = (b: string) => spawnSync('sh', ['-c', `command -v ${b} || [ -x /usr/sbin/${b} ]`]).status === 0;
const missing = ['sbatch', 'scontrol', 'slurmctld', 'slurmd', 'munged'].filter((b) => !found(b));
const why = missing.length ? `${missing.join(', ')} not found` : process.getuid?.() !== 0 ? 'not root (slurmd runs as root)' : '';
const required = process.env.FXBENCH_REQUIRE_SLURM === '1';
if (why && !required) console.warn(`skipping the live-Slurm tests: ${why}; install with: ${INSTALL}`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-slurm-'));
// The cluster's own folder: user munge must reach it, so it is searchable by all (mkdtemp makes 0700).
const clusterDir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-slurm-cluster-'));
chmodSync(clusterDir, 0o755);

function suite(name: string, body: object): string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, ...body }));
  return file;
}

const scontrol = (...args: string[]) => execFileSync('scontrol', args, { encoding: 'utf8' });
const jobState = (id: string) => /JobState=(\S+)/.exec(scontrol('show', 'job', '-o', id))?.[1] ?? 'UNKNOWN';
const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE']);

async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | false): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const records = (file: string) => (existsSync(file) ? readLines(file) : []);

/** Submit through the CLI; the job ids from what it printed. */
async function submit(args: string[]): Promise<{ array: string; merge: string; out: string }> {
  const r = await fxbench(['submit', 'slurm', ...args]);
  expect(r.code, r.stderr).toBe(0);
  const array = /^array job (\d+):/m.exec(r.stdout)?.[1];
  const merge = /^merge job (\d+):/m.exec(r.stdout)?.[1];
  expect(array && merge, r.stdout).toBeTruthy();
  return { array: array!, merge: merge!, out: r.stdout };
}

describe.skipIf(why && !required)('fxbench submit slurm on a live single-node cluster', () => {
  beforeAll(() => {
    if (why) throw new Error(`FXBENCH_REQUIRE_SLURM=1 but ${why}: ${INSTALL}`);
    const r = spawnSync('bash', [CLUSTER, 'start', clusterDir], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`the test cluster did not start: ${r.stderr.trim()}`);
    process.env.SLURM_CONF = path.join(clusterDir, 'slurm.conf'); // fxbench, sbatch and scontrol reach this cluster only
  }, 130_000);

  afterAll(() => {
    // Stops exactly the daemons cluster.sh started (their pids are in clusterDir/pids).
    spawnSync('bash', [CLUSTER, 'stop', clusterDir], { encoding: 'utf8', timeout: 60_000 });
  }, 70_000);

  it('runs a 3-shard array; a task SIGKILLed mid-cell is requeued and resumes; the merged results equal an unsharded run', async () => {
    // 6 cells, 2 per shard; each a few seconds, so the kill lands inside a cell.
    const file = suite('slurm-live', { tasks: ['recall'], extractors: ['rnn', 'lstm'], lengths: [6], seeds: [1, 2, 3], steps: 40, batch: 4, tune: false });
    const run = path.join(dir, 'run');
    const reference = path.join(dir, 'unsharded.jsonl');
    const unsharded = fxbench(['run', file, '--out', reference, '--workers', '1', '--quiet']);
    const t0 = performance.now();
    const jobs = await submit([file, '--shards', '3', '--dir', run]);
    expect(jobs.out).toContain(`report: ${run}/report/index.html`);

    // A task that has saved its first cell and started its second: kill it there.
    const shard = (k: number) => ({ results: path.join(run, `results/shard-${k}.jsonl`), log: path.join(run, `logs/shard-${k}.log`) });
    const victim = await waitFor('an array task in its second cell', 180_000, () =>
      [0, 1, 2].find((k) => records(shard(k).results).length === 1 && read(shard(k).log).includes('[2/2]') && existsSync(`${shard(k).results}.lock`)),
    );
    const lock = JSON.parse(readFileSync(`${shard(victim!).results}.lock`, 'utf8')) as { host: string; pid: number };
    expect(lock.host).toBe(os.hostname());
    process.kill(lock.pid, 'SIGKILL');
    const task = `${jobs.array}_${victim}`;
    // The task requeues itself (scontrol requeue, from its script) while it still runs: a
    // task that had ended FAILED could make Slurm drop the merge job's afterok for good.
    await waitFor(`task ${task} to be requeued`, 60_000, () => /Restarts=1\b/.test(scontrol('show', 'job', '-o', task)) && jobState(task) === 'PENDING');
    expect(records(shard(victim!).results)).toHaveLength(1); // killed inside its second cell, which left no record
    // Slurm holds a requeued job back until the old job's credential expires (cred_expire + 1 s:
    // 11 s on this cluster, 121 s by default); starting it sooner fails with "credential revoked".

    const state = await waitFor(`merge job ${jobs.merge}`, 300_000, () => FINAL.has(jobState(jobs.merge)) && jobState(jobs.merge));
    const seconds = (performance.now() - t0) / 1000;
    console.log(`live Slurm: 3-shard array with one task killed and requeued, submission to the merge job's end: ${seconds.toFixed(1)} s`);
    const mergeLog = read(path.join(run, 'logs/merge.log'));
    expect(state, mergeLog).toBe('COMPLETED');
    expect(mergeLog).toContain('complete: all 6 cells done');
    const log = read(shard(victim!).log);
    expect(log).toMatch(/killed by signal 9; requeueing task \d+_\d \(restart 1 of 3\)/);
    expect(log).toMatch(/restart 1, on /);
    expect(log).toMatch(/warning: taking over the lock on .* left by pid \d+ .*: that process is gone/);
    expect(log).toMatch(/resuming: 1 done in .*, 1 to run/);
    for (const k of [0, 1, 2]) expect(records(shard(k).results).map((r) => r.status)).toEqual(['completed', 'completed']); // nothing lost or doubled
    expect(existsSync(path.join(run, 'report/index.html'))).toBe(true);
    const ref = await unsharded;
    expect(ref.code, ref.stderr).toBe(0);
    const merged = byCell(path.join(run, 'merged.jsonl'));
    expect(merged.size).toBe(6);
    expect(merged).toEqual(byCell(reference)); // metrics, curves, gradients: everything but timings and env
    const status = await fxbench(['status', run]);
    expect(status.stdout).toMatch(/^total: 6 done, 0 errored, 0 remaining of 6 cells$/m);
  }, 480_000);

  it("leaves a failing shard's cells errored with the message, and the merge job names exactly the missing cells", async () => {
    // Two cells, one per shard: shard 1's extractor throws in every attempt.
    const file = suite('slurm-faults', { tasks: ['recall'], extractors: ['rnn', 'throws'], lengths: [6], seeds: [1], steps: 2, batch: 4, tune: false });
    const run = path.join(dir, 'faults');
    const jobs = await submit(['--plugin', './test/fixtures/plugins/failing.mjs', file, '--shards', '2', '--dir', run]);
    const state = await waitFor(`merge job ${jobs.merge}`, 300_000, () => FINAL.has(jobState(jobs.merge)) && jobState(jobs.merge));
    const mergeLog = read(path.join(run, 'logs/merge.log'));
    expect(state, mergeLog).toBe('FAILED'); // collect exits 1 when cells are missing
    expect(mergeLog).toContain('missing 1 of 2 cells:\n  recall/throws/T6/s1 (shard 1): errored: fixture extractor failed on purpose\n');
    expect(existsSync(path.join(run, 'report/index.html'))).toBe(true); // the cells that ran are still reported
    const failed = records(path.join(run, 'results/shard-1.jsonl'));
    expect(failed.map((r) => [r.status, r.message])).toEqual([['errored', 'fixture extractor failed on purpose']]);
    const status = await fxbench(['status', run]);
    expect(status.stdout).toMatch(/^shard 1: 0 done, 1 errored, 0 remaining of 1$/m);
    expect(status.stdout).toContain('recall/throws/T6/s1 (shard 1): errored: fixture extractor failed on purpose');
  }, 400_000);

  it("passes sbatch's refusals on in one line: an unknown partition, a rejected submission", async () => {
    const file = suite('slurm-refused', { tasks: ['recall'], extractors: ['rnn'], lengths: [6], seeds: [1, 2], steps: 2, batch: 4, tune: false });
    const partition = await fxbench(['submit', 'slurm', file, '--shards', '2', '--dir', path.join(dir, 'p'), '--partition', 'nope']);
    expect(partition.code).toBe(2);
    expect(partition.stderr.trim()).toMatch(
      /^fxbench: sbatch refused the array job \(.*array\.sh\): invalid partition specified: nope; Batch job submission failed: Invalid partition name specified$/,
    );
    const time = await fxbench(['submit', 'slurm', file, '--shards', '2', '--dir', path.join(dir, 't'), '--time', 'banana']);
    expect(time.code).toBe(2);
    expect(time.stderr.trim()).toMatch(/^fxbench: sbatch refused the array job \(.*\): Invalid --time specification$/);
  });
});

describe('fxbench submit slurm without a cluster', () => {
  const file = suite('slurm-dry', { tasks: ['recall'], extractors: ['rnn', 'gru'], lengths: [6], seeds: [1, 2], steps: 2, batch: 4, tune: false });

  it('--dry-run writes an array (requeue, resume, shard auto) and a merge job afterok on each task, and submits nothing', async () => {
    const run = path.join(dir, 'dry');
    const r = await fxbench([
      'submit',
      'slurm',
      file,
      '--shards',
      '3',
      '--dir',
      run,
      '--dry-run',
      '--partition',
      'cpu',
      '--time',
      '1:00:00',
      '--cpus-per-task',
      '2',
      '--mem',
      '4G',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`dry run: nothing submitted; submit with: sh ${run}/submit.sh`);
    const array = read(path.join(run, 'array.sh'));
    for (const line of [
      '#SBATCH --array=0-2',
      '#SBATCH --requeue',
      '#SBATCH --partition=cpu',
      '#SBATCH --time=1:00:00',
      '#SBATCH --cpus-per-task=2',
      '#SBATCH --mem=4G',
    ])
      expect(array).toContain(line + '\n');
    expect(r.stdout).toContain(array.trimEnd()); // printed as written
    expect(array).toMatch(
      / run "\$RUN\/suite\.json" --shard auto --shards 3 --resume --out "\$RUN\/results\/shard-\$SLURM_ARRAY_TASK_ID\.jsonl" --workers "\$\{SLURM_CPUS_PER_TASK:-1\}" --lock-wait 180 &$/m,
    );
    expect(read(path.join(run, 'merge.sh'))).toMatch(/ collect \/\S+\/dry$/m);
    expect(JSON.parse(read(path.join(run, 'suite.json')))).toEqual(JSON.parse(read(file)));
    // submit.sh builds afterok:A_0:A_1:A_2: run its loop with a stand-in array id.
    const loop = read(path.join(run, 'submit.sh'))
      .split('\n')
      .filter((l) => /^(dep=|i=|while )/.test(l))
      .join('\n');
    expect(execFileSync('sh', ['-c', `array=41\n${loop}\necho "$dep"`], { encoding: 'utf8' }).trim()).toBe('afterok:41_0:41_1:41_2');
  });

  it('says so in one line when sbatch is missing, and keeps the run folder', () => {
    const run = path.join(dir, 'nosbatch');
    const r = spawnSync(process.execPath, [path.join(root, 'bin/fxbench.js'), 'submit', 'slurm', file, '--shards', '2', '--dir', run], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PATH: '/nonexistent' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      `fxbench: sbatch not found: submit from a machine with Slurm's client tools (Debian: apt-get install slurm-client), e.g. with sh ${run}/submit.sh`,
    );
    expect(existsSync(path.join(run, 'array.sh'))).toBe(true);
  });
});
