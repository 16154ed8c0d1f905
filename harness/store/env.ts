/** The environment a result was measured in, recorded with every result so it can be rerun. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { kernelFeatures } from '../../kernels/wasm/features.js';
import { flushesSubnormals, kernelThreads } from '../../kernels/runtime/runtime.js';
import { packageRoot, packageVersion } from '../../core/paths.js';

/** The environment schema: `Environment` derives from it, so a field recorded is a field read back. */
export const envSchema = z.object({
  fxbench: z.string(),
  gitCommit: z.string().optional(),
  node: z.string(),
  tfjs: z.string(),
  backend: z.string(),
  /** The WebAssembly features fxbench's own kernels use (fused multiply-add rounds differently). */
  kernels: z.string().optional(),
  cpu: z.string(),
  cores: z.number().int().positive(),
  /** Kernel threads the cell ran with (`--threads`; absent in records from before it existed: 1). */
  threads: z.number().int().positive().optional(),
  /** Whether the kernels flushed subnormal results to zero (`--flush-subnormals`; absent in records from before it existed: false). */
  flushSubnormals: z.boolean().optional(),
  memoryGiB: z.number(),
  platform: z.string(),
  arch: z.string(),
});
export type Environment = z.infer<typeof envSchema>;

let commit: string | undefined | null = null;
function gitCommit(): string | undefined {
  if (commit === null) {
    try {
      commit =
        execFileSync('git', ['rev-parse', 'HEAD'], { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'ignore'] })
          .toString()
          .trim() || undefined;
    } catch {
      commit = undefined; // not a git checkout (installed from npm): the version identifies the code
    }
  }
  return commit;
}

export function environment(): Environment {
  return {
    fxbench: packageVersion(),
    gitCommit: gitCommit(),
    node: process.version,
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
    kernels: kernelFeatures(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    threads: kernelThreads(),
    flushSubnormals: flushesSubnormals(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: os.platform(),
    arch: os.arch(),
  };
}
