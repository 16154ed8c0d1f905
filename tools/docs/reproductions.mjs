#!/usr/bin/env node
/**
 * docs/reproductions/<id>/README.md from the committed run beside it: the paper-vs-fxbench
 * table (comparison.json, written by `fxbench reproduce`), the recipe's scaled settings, the
 * command that made it and the machine; and docs/reproductions/README.md, one line per recipe.
 *
 *   npm run build --silent && node tools/docs/reproductions.mjs
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const base = path.join(root, 'docs/reproductions');
const cell = (s) =>
  String(s ?? '')
    .replaceAll('|', '\\|')
    .replaceAll('\n', ' ');
const VERDICTS = ['reproduced', 'partly', 'not', 'not run'];

/** The records file of a reproduction: committed gzipped (results.jsonl.gz), or plain while it runs. */
function recordLines(dir) {
  const gz = path.join(dir, 'results.jsonl.gz');
  const plain = path.join(dir, 'results.jsonl');
  const text = existsSync(gz) ? gunzipSync(readFileSync(gz)).toString('utf8') : existsSync(plain) ? readFileSync(plain, 'utf8') : '';
  return text.split('\n').filter((l) => l.startsWith('{'));
}

const index = [];
for (const id of readdirSync(base)
  .filter((d) => existsSync(path.join(base, d, 'comparison.json')))
  .sort()) {
  const dir = path.join(base, id);
  const c = JSON.parse(readFileSync(path.join(dir, 'comparison.json'), 'utf8'));
  const recipe = JSON.parse(readFileSync(path.join(root, 'reproduce/recipes', `${id}.json`), 'utf8'));
  const scaled = recipe.profiles[c.profile].scaled;
  const lines = recordLines(dir);
  const env = lines.length ? JSON.parse(lines[0]).env : undefined;
  const records = lines.length;
  const counts = VERDICTS.map((v) => `${c.counts[v] ?? 0} ${v}`).join(', ');
  const md = [
    `# ${id}: paper vs fxbench (${c.profile} profile)`,
    '',
    `${c.paper.authors} (${c.paper.year}), "${c.paper.title}"${c.paper.venue ? `, ${c.paper.venue}` : ''}${c.paper.url ? ` — ${c.paper.url}` : ''}.`,
    '',
    c.summary,
    '',
    `**Verdicts:** ${counts}. Each number's criterion was declared in \`reproduce/recipes/${id}.json\` before the run; the verdicts are computed from the records (\`reproduce/compare.ts\`).`,
    '',
    '| number | the paper | fxbench | criterion | verdict | why |',
    '|---|---|---|---|---|---|',
    ...c.rows.map(
      (r) => `| ${cell(r.what)} | ${cell(r.paper)} (${cell(r.source)}) | ${cell(r.ours)} | ${cell(r.criterion)} | **${cell(r.verdict)}** | ${cell(r.why)} |`,
    ),
    '',
    '## How far from the paper',
    '',
    scaled ? `- **The paper:** ${scaled.paper}\n- **Here:** ${scaled.ours}\n- **Why:** ${scaled.why}` : "- The paper's settings, unscaled.",
    ...(recipe.notes?.length ? ['', '## Notes', '', ...recipe.notes.map((n) => `- ${n}`)] : []),
    // What a 'not' means, what was tried and what would settle it: written by hand beside the run.
    ...(existsSync(path.join(dir, 'findings.md')) ? ['', readFileSync(path.join(dir, 'findings.md'), 'utf8').trim()] : []),
    '',
    '## The run',
    '',
    `- Command: \`npx fxbench reproduce ${id} --profile ${c.profile} --workers 2 --out docs/reproductions/${id}\`. To recompute the comparison from the committed records, \`gunzip -k results.jsonl.gz\` and add \`--resume\` (every cell is found done); \`npx fxbench report docs/reproductions/${id}/results.jsonl.gz\` redraws the charts.`,
    `- Records: \`results.jsonl.gz\` (${records} cells, each with its full config, seed and environment); the comparison: \`comparison.json\`.`,
    env
      ? `- Machine: ${env.cpu ?? ''} (${env.cores ?? '?'} cores), Node ${env.node ?? ''}, tfjs ${env.tfjs ?? ''}, backend ${env.backend ?? ''}, fxbench ${env.fxbench ?? ''} at ${env.gitCommit?.slice(0, 12) ?? '?'}.`
      : '',
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'README.md'), md);
  index.push(`| [${id}](${id}/README.md) | ${cell(`${c.paper.authors} (${c.paper.year})`)} | ${c.profile} | ${counts} |`);
}
writeFileSync(
  path.join(base, 'README.md'),
  [
    '# Reproductions',
    '',
    'Each folder holds a committed `fxbench reproduce` run: its records, the paper-vs-fxbench table and the command. The recipes are in `reproduce/recipes/`; how they are built: `docs/guide/reproduce.md`. A recipe with no row here has not had its full profile committed yet (`fxbench reproduce --list` names them all).',
    '',
    '| recipe | paper | profile | verdicts |',
    '|---|---|---|---|',
    ...index,
    '',
  ].join('\n'),
);
console.log(`wrote ${index.length} reproductions`);
