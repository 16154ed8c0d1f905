/**
 * The registry of `fxbench` commands, in the order `--help` lists them. A new command is
 * one file in this folder implementing `Command` (./types.ts) and one entry here.
 */
import { audit } from './audit.js';
import { bench } from './bench.js';
import { collect } from './collect.js';
import { list } from './list.js';
import { merge } from './merge.js';
import { newPlugin } from './new.js';
import { quick } from './quick.js';
import { report } from './report.js';
import { reproduce } from './reproduce.js';
import { run } from './run.js';
import { sample } from './sample.js';
import { status } from './status.js';
import { submit } from './submit.js';
import type { Command } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: each command keeps its own flag types; the registry only needs the common shape.
export const COMMANDS: readonly Command<any>[] = [quick, run, report, merge, audit, reproduce, submit, status, collect, bench, sample, list, newPlugin];
