/** The environment a result was measured in, recorded with every result so it can be rerun. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { kernelFeatures } from '../../kernels/wasm/features.js';
import { kernelThreads } from '../../kernels/runtime/runtime.js';
import { packageRoot, packageVersion } from '../../core/paths.js';

export interface Environment {
  fxbench: string;
  gitCommit?: string;
  node: string;
  tfjs: string;
  backend: string;
  /** The WebAssembly features fxbench's own kernels use (fused multiply-add rounds differently). */
  kernels?: string;
  cpu: string;
  cores: number;
  /** Kernel threads the cell ran with (`--threads`; absent in records from before it existed: 1). */
  threads?: number;
  memoryGiB: number;
  platform: string;
  arch: string;
}

let commit: string | undefined | null = null;
function gitCommit(): string | undefined {
  if (commit === null) {
    try {
      commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || undefined;
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
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: os.platform(),
    arch: os.arch(),
  };
}
