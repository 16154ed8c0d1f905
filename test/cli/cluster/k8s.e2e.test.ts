/**
 * `fxbench submit k8s --dry-run`: the manifests' structure (an Indexed Job with one pod per
 * shard, --shard auto --resume, results on the PersistentVolumeClaim, a merge Job), and the
 * pods' own scripts run here as Kubernetes would run them (JOB_COMPLETION_INDEX set, the
 * ConfigMap and the volume as folders): the shards merged by the merge Job's script equal
 * an unsharded run cell for cell, and a shard not yet run is named as missing.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { byCell, fxbench, root } from '../helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-k8s-'));
const suiteFile = path.join(dir, 'suite.json');
writeFileSync(
  suiteFile,
  JSON.stringify({ name: 'k8s-tiny', tasks: ['recall'], extractors: ['rnn', 'gru'], lengths: [6], seeds: [1, 2], steps: 3, batch: 4, tune: false }),
);

// biome-ignore lint/suspicious/noExplicitAny: manifests are read as untyped JSON
type Json = Record<string, any>;

describe('fxbench submit k8s --dry-run', () => {
  it('writes an Indexed Job (one pod per shard, --resume, results on the PVC) and a merge Job whose scripts reproduce an unsharded run', async () => {
    const runDir = path.join(dir, 'run');
    const r = await fxbench([
      'submit',
      'k8s',
      suiteFile,
      '--shards',
      '3',
      '--dir',
      runDir,
      '--dry-run',
      '--image',
      'registry.example/fxbench:1',
      '--pvc',
      'shared',
      '--namespace',
      'ml',
      '--cpus',
      '2',
      '--memory',
      '3Gi',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`apply with: sh ${runDir}/submit.sh`);
    const list = JSON.parse(readFileSync(path.join(runDir, 'job.json'), 'utf8')) as Json;
    const merge = JSON.parse(readFileSync(path.join(runDir, 'merge.json'), 'utf8')) as Json;
    expect(list.kind).toBe('List');
    const [configMap, job] = list.items as Json[];
    expect(configMap.kind).toBe('ConfigMap');
    expect(JSON.parse(configMap.data['suite.json'])).toEqual(JSON.parse(readFileSync(suiteFile, 'utf8')));
    const manifest = JSON.parse(configMap.data['run.json']);
    expect(manifest).toMatchObject({ scheduler: 'k8s', shards: 3, cells: 4, work: { kind: 'suite' } });
    expect(job).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { namespace: 'ml' },
      spec: { completionMode: 'Indexed', completions: 3, parallelism: 3 },
    });
    expect(job.metadata.name).toMatch(/^[a-z0-9-]{1,52}$/);
    for (const j of [job, merge]) {
      const pod = j.spec.template.spec;
      const [c] = pod.containers;
      expect(c.image).toBe('registry.example/fxbench:1');
      expect(c.resources).toEqual({ requests: { cpu: '2', memory: '3Gi' }, limits: { memory: '3Gi' } });
      expect(pod.volumes).toContainEqual({ name: 'results', persistentVolumeClaim: { claimName: 'shared' } });
      expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: configMap.metadata.name } });
      expect(c.volumeMounts).toContainEqual({ name: 'results', mountPath: '/results' });
    }
    const shardScript: string = job.spec.template.spec.containers[0].args[0];
    expect(job.spec.template.spec.restartPolicy).toBe('OnFailure');
    expect(shardScript).toMatch(
      /exec fxbench run \/config\/suite\.json --shard auto --shards 3 --resume --out "\$RUN\/results\/shard-\$JOB_COMPLETION_INDEX\.jsonl" --workers 2 /,
    );
    const mergeScript: string = merge.spec.template.spec.containers[0].args[0];
    expect(mergeScript).toMatch(/exec fxbench collect "\$RUN"$/);

    // Run the pods' scripts here: the ConfigMap and the volume become folders, fxbench a shim on PATH.
    const config = path.join(dir, 'config');
    const volume = path.join(dir, 'volume');
    const bin = path.join(dir, 'bin');
    for (const d of [config, volume, bin]) mkdirSync(d, { recursive: true });
    for (const [name, text] of Object.entries(configMap.data as Record<string, string>)) writeFileSync(path.join(config, name), text);
    writeFileSync(path.join(bin, 'fxbench'), `#!/bin/sh\nexec ${process.execPath} ${path.join(root, 'bin/fxbench.js')} "$@"\n`);
    chmodSync(path.join(bin, 'fxbench'), 0o755);
    const pod = (script: string, env: Record<string, string> = {}) =>
      spawnSync('sh', ['-c', script.replaceAll('/config/', `${config}/`).replace('RUN=/results/', `RUN=${volume}/`).replace('--workers 2', '--workers 1')], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, HOSTNAME: 'pod', ...env },
        timeout: 120_000,
      });
    for (const i of [0, 1]) {
      const p = pod(shardScript, { JOB_COMPLETION_INDEX: String(i) });
      expect(p.status, p.stderr).toBe(0);
      expect(p.stderr).toContain(`shard ${i}/3 (JOB_COMPLETION_INDEX=${i})`);
    }
    const runOnVolume = path.join(volume, manifest.name);
    // Shard 2 has not run: collect (the merge Job) names its cells and fails; status shows it.
    const early = pod(mergeScript);
    expect(early.status, early.stderr).toBe(1);
    expect(early.stdout).toMatch(/missing 1 of 4 cells:\n {2}recall\/gru\/T6\/s1 \(shard 2\): not run$/m);
    const status = await fxbench(['status', runOnVolume]);
    expect(status.stdout).toMatch(/^shard 2: 0 done, 0 errored, 1 remaining of 1$/m);
    expect(status.stdout).toMatch(/^total: 3 done, 0 errored, 1 remaining of 4 cells$/m);
    const last = pod(shardScript, { JOB_COMPLETION_INDEX: '2' });
    expect(last.status, last.stderr).toBe(0);
    const done = pod(mergeScript);
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toContain('complete: all 4 cells done');
    expect(existsSync(path.join(runOnVolume, 'report', 'index.html'))).toBe(true);

    const ref = path.join(dir, 'unsharded.jsonl');
    const unsharded = await fxbench(['run', suiteFile, '--out', ref, '--workers', '1', '--quiet']);
    expect(unsharded.code, unsharded.stderr).toBe(0);
    expect(byCell(path.join(runOnVolume, 'merged.jsonl'))).toEqual(byCell(ref));
  }, 400_000); // nine fxbench processes, one after another

  it('refuses to run without --dry-run or without --image, in one line', async () => {
    const live = await fxbench(['submit', 'k8s', suiteFile, '--shards', '2', '--image', 'x', '--dir', path.join(dir, 'never1')]);
    expect(live.code).toBe(2);
    expect(live.stderr).toMatch(/^fxbench: fxbench submit k8s writes manifests only .*add --dry-run/);
    const image = await fxbench(['submit', 'k8s', suiteFile, '--shards', '2', '--dry-run', '--dir', path.join(dir, 'never2')]);
    expect(image.code).toBe(2);
    expect(image.stderr).toMatch(/^fxbench: --image is needed/);
    const shards = await fxbench(['submit', 'k8s', suiteFile, '--shards', '5', '--dry-run', '--image', 'x', '--dir', path.join(dir, 'never3')]);
    expect(shards.stderr.trim()).toBe("fxbench: --shards 5 is more than the run's 4 cells: give at most --shards 4");
    for (const x of [live, image, shards]) expect(x.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(path.join(dir, 'never1')) || existsSync(path.join(dir, 'never2')) || existsSync(path.join(dir, 'never3'))).toBe(false);
  });
});
