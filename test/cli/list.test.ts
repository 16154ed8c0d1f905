/** `fxbench list` describes every option of every built-in task and extractor, with its choices when it is an enum. */
import { describe, expect, it } from 'vitest';
import { fieldFacts } from '../../cli/commands/list.js';
import { extractors, tasks } from '../../harness/plugins/registries.js';

describe('fxbench list', () => {
  it('has a description for every built-in option, and the choices of enums', () => {
    const defs = [...tasks.all(), ...extractors.all()];
    let options = 0;
    for (const def of defs) {
      for (const [key, field] of Object.entries((def.options as unknown as { shape: Record<string, unknown> }).shape)) {
        options++;
        expect(fieldFacts(field).description, `${def.name}.${key}`).not.toBe('');
      }
    }
    expect(options).toBeGreaterThan(50);
    const variant = (tasks.get('adding').options as unknown as { shape: Record<string, unknown> }).shape.variant;
    expect(fieldFacts(variant).choices).toEqual(['anywhere', 'halves']);
  });
});
