/**
 * Kubernetes: an Indexed Job with one pod per shard, and a merge Job. Output only (no
 * cluster is driven from here): the manifests are written as JSON, which `kubectl apply -f`
 * reads as it reads YAML, with a submit.sh that applies the shards, waits for them, then
 * applies the merge.
 *
 * - Each pod runs `fxbench ... --shard auto --shards N --resume`, its index from
 *   JOB_COMPLETION_INDEX (Kubernetes sets it in Indexed Jobs); a pod that fails is restarted in place (restartPolicy OnFailure)
 *   and continues its own results file.
 * - Results live on a PersistentVolumeClaim (ReadWriteMany: pods on several nodes write
 *   to it), under /results/<run name>/, the run folder's layout (./runFolder.ts).
 * - The suite and the manifest reach the pods in a ConfigMap; every pod copies them into
 *   the run folder on the volume, and the merge Job runs `fxbench collect` there.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { shellQuote } from '../commands/flags.js';
import { collectArgs, RUN_FILE, shardArgs, shardFile, slug, SUITE_FILE, type RunManifest } from './runFolder.js';

export interface K8sOptions {
  image: string;
  /** PersistentVolumeClaim for the results (must exist, ReadWriteMany). */
  pvc: string;
  namespace?: string;
  /** CPU request per pod (also the number of worker threads). */
  cpus: number;
  /** Memory request and limit per pod, e.g. 4Gi. */
  memory?: string;
  /** Pods running at once (default: every shard). */
  parallelism?: number;
}

export const K8S_FILES = { job: 'job.json', merge: 'merge.json', submit: 'submit.sh' } as const;
export const RESULTS_MOUNT = '/results';
export const CONFIG_MOUNT = '/config';

type Json = Record<string, unknown>;

export function k8sManifests(
  m: RunManifest,
  o: K8sOptions,
): { job: Json; merge: Json; submit: string; names: { job: string; merge: string; configMap: string } } {
  // Pod hostnames are <job>-<index>-<suffix>: keep the Job name well under the 63-character label limit.
  const job = slug(`fxbench-${m.name}`, 52);
  const names = { job, merge: `${job}-merge`.slice(0, 63), configMap: `${job}-config`.slice(0, 63) };
  const meta = (name: string) => ({
    name,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    labels: { 'app.kubernetes.io/name': 'fxbench', 'fxbench/run': job },
  });
  const runDir = `${RESULTS_MOUNT}/${m.name}`;
  const volumes = [
    { name: 'results', persistentVolumeClaim: { claimName: o.pvc } },
    { name: 'config', configMap: { name: names.configMap } },
  ];
  const mounts = [
    { name: 'results', mountPath: RESULTS_MOUNT },
    { name: 'config', mountPath: CONFIG_MOUNT, readOnly: true },
  ];
  const resources = { requests: { cpu: String(o.cpus), ...(o.memory ? { memory: o.memory } : {}) }, ...(o.memory ? { limits: { memory: o.memory } } : {}) };
  const container = (name: string, command: string[], args: string[]) => ({ name, image: o.image, command, args, resources, volumeMounts: mounts });
  // Each pod first copies the run manifest and suite onto the volume (renamed into place, so
  // a reader never sees half a file): `fxbench status` can read the run folder while it runs.
  const prelude = [
    'set -e',
    `RUN=${shellQuote(runDir)}`,
    'mkdir -p "$RUN/results"',
    `for f in ${RUN_FILE} ${SUITE_FILE}; do if [ -f ${CONFIG_MOUNT}/$f ]; then cp ${CONFIG_MOUNT}/$f "$RUN/.$f.$HOSTNAME" && mv "$RUN/.$f.$HOSTNAME" "$RUN/$f"; fi; done`,
  ];
  const out = `$RUN/${shardFile('$JOB_COMPLETION_INDEX')}`; // Indexed Jobs set JOB_COMPLETION_INDEX
  const suite = `${CONFIG_MOUNT}/${SUITE_FILE}`;
  const shardScript = [
    ...prelude,
    `exec fxbench ${shardArgs(m, { suite, out, workers: String(o.cpus) })
      .map((x) => (x === out ? `"${x}"` : shellQuote(x)))
      .join(' ')}`,
  ].join('\n');
  const mergeScript = [
    ...prelude,
    `exec fxbench ${collectArgs('$RUN')
      .map((x) => (x === '$RUN' ? '"$RUN"' : shellQuote(x)))
      .join(' ')}`,
  ].join('\n');
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(names.configMap),
    data: { [RUN_FILE]: JSON.stringify(m, null, 2) + '\n' } as Record<string, string>,
  };
  const shards = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(names.job),
    spec: {
      completionMode: 'Indexed',
      completions: m.shards,
      parallelism: o.parallelism ?? m.shards,
      // Restarts in place count against this: a few per shard.
      backoffLimit: 3 * m.shards,
      template: {
        metadata: { labels: meta(names.job).labels },
        spec: {
          restartPolicy: 'OnFailure',
          containers: [container('shard', ['sh', '-c'], [shardScript])],
          volumes,
        },
      },
    },
  };
  const mergeJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(names.merge),
    spec: {
      completions: 1,
      backoffLimit: 0, // collect fails when cells are missing: rerunning it would not find them
      template: {
        metadata: { labels: meta(names.merge).labels },
        spec: {
          restartPolicy: 'Never',
          containers: [container('merge', ['sh', '-c'], [mergeScript])],
          volumes,
        },
      },
    },
  };
  const ns = o.namespace ? ` --namespace ${o.namespace}` : '';
  const submit = [
    '#!/bin/sh',
    `# Run ${m.name} on Kubernetes: the shards (Indexed Job ${names.job}), then the merge Job once every shard has completed.`,
    `# Needs the PersistentVolumeClaim ${o.pvc} (ReadWriteMany) and the image ${o.image} with fxbench installed.`,
    'set -eu',
    'cd "$(dirname "$0")"',
    `kubectl apply${ns} -f ${K8S_FILES.job}`,
    `kubectl wait${ns} --for=condition=complete --timeout=-1s job/${names.job}`,
    `kubectl apply${ns} -f ${K8S_FILES.merge}`,
    `kubectl wait${ns} --for=condition=complete --timeout=-1s job/${names.merge} || true`,
    `kubectl logs${ns} job/${names.merge}`,
    '',
  ].join('\n');
  return { job: { apiVersion: 'v1', kind: 'List', items: [configMap, shards] }, merge: mergeJob, submit, names };
}

/** Write the manifests; the suite (suite runs) goes into the ConfigMap beside the run manifest. */
export function writeK8sManifests(dir: string, m: RunManifest, o: K8sOptions, suiteText: string | undefined): ReturnType<typeof k8sManifests> {
  const out = k8sManifests(m, o);
  if (suiteText !== undefined) ((out.job.items as Json[])[0].data as Record<string, string>)[SUITE_FILE] = suiteText;
  writeFileSync(path.join(dir, K8S_FILES.job), JSON.stringify(out.job, null, 2) + '\n');
  writeFileSync(path.join(dir, K8S_FILES.merge), JSON.stringify(out.merge, null, 2) + '\n');
  writeFileSync(path.join(dir, K8S_FILES.submit), out.submit, { mode: 0o755 });
  return out;
}
