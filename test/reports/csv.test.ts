import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvField, resultsCsv } from '../../reports/csv.js';
import { completedRecord, divergedRecord, erroredRecord } from './fixtures.js';

/** A small RFC 4180 reader, to check the writer round-trips. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('results.csv', () => {
  it('quotes fields as RFC 4180 and guards against spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('@cmd')).toBe("'@cmd");
    expect(csvField(-1.5)).toBe('-1.5'); // numbers are numbers
    expect(csvField(NaN)).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField(true)).toBe('true');
  });

  it('one row per run with the headline numbers; round-trips through a CSV reader', () => {
    const evil = 'msg, with "quotes"\nand a newline';
    const records = [
      completedRecord({ extractor: { name: 'lstm', label: 'lstm,v2', options: { hidden: 64 } } }, { stepsToThreshold: null }),
      divergedRecord({ seed: 2 }, { divergedAtStep: 7, message: evil }),
      erroredRecord({ seed: 3 }, { message: '=1+1' }),
    ];
    const text = resultsCsv(records);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(CSV_COLUMNS);
    expect(rows).toHaveLength(4);
    const get = (row: string[], col: string) => row[CSV_COLUMNS.indexOf(col)];
    expect(rows.slice(1).every((r) => r.length === CSV_COLUMNS.length)).toBe(true);
    expect(get(rows[1], 'extractor')).toBe('lstm,v2');
    expect(get(rows[1], 'extractor_options')).toBe('{"hidden":64}');
    expect(get(rows[1], 'value')).toBe('0.8');
    expect(get(rows[1], 'seq_per_s')).toBe('1600'); // 16 · 1000 / 10
    expect(get(rows[1], 'value_at_2x')).toBe('0.4');
    expect(get(rows[1], 'steps_to_threshold')).toBe('');
    expect(get(rows[2], 'status')).toBe('diverged');
    expect(get(rows[2], 'diverged_at_step')).toBe('7');
    expect(get(rows[2], 'message')).toBe(evil);
    expect(get(rows[2], 'value')).toBe('');
    expect(get(rows[3], 'message')).toBe("'=1+1");
  });

  it('writes n/a for a not-applicable length evaluation', () => {
    const r = completedRecord({}, { lengths: [{ length: 32, factor: 4, status: 'not-applicable', reason: 'maxLen' }] });
    const row = parseCsv(resultsCsv([r]))[1];
    expect(row[CSV_COLUMNS.indexOf('value_at_4x')]).toBe('n/a');
    expect(row[CSV_COLUMNS.indexOf('value_at_2x')]).toBe('');
  });
});
