import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Finding, loadRulePacks, scanPaths } from '../../src/guardrails/index.js';

// The labeled corpus (fixtures/corpus/README.md): expectations are comments on the lines where
// findings must start; everything else is a negative. Precision and recall are scored per rule.
const corpus = fileURLToPath(new URL('./fixtures/corpus', import.meta.url));
const EXPECT = /expect(-suppressed)?(?:@(\d+))?:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/g;
/** Rules that `scan` cannot report (they need a folder of migrations): scored in validate-migrations.test.ts. */
const VALIDATION_ONLY = new Set(['missing-down-file']);
/** Rules whose positives cannot carry a label (a binary file): scored in fail-closed.test.ts. */
const UNLABELABLE = new Set(['unreadable-file']);

interface Label {
  key: string;
  rule: string;
  suppressed: boolean;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return listFiles(full);
    return name === 'README.md' ? [] : [full];
  });
}

function readLabels(): Label[] {
  const labels: Label[] = [];
  for (const file of listFiles(corpus)) {
    const rel = path.relative(corpus, file).split(path.sep).join('/');
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        for (const m of text.matchAll(EXPECT)) {
          const line = m[2] ? Number(m[2]) : i + 1;
          for (const rule of (m[3] ?? '').split(/\s*,\s*/)) labels.push({ key: `${rel}:${line}:${rule}`, rule, suppressed: m[1] !== undefined });
        }
      });
  }
  return labels;
}

function keyOf(f: Finding): string {
  const rel = path.relative(corpus, f.file).split(path.sep).join('/');
  return `${rel}:${f.line}:${f.rule}`;
}

describe('the labeled corpus', async () => {
  const labels = readLabels();
  const { findings, filesScanned } = await scanPaths([corpus]);
  const found = new Map(findings.map((f) => [keyOf(f), f]));
  const expected = new Map(labels.map((l) => [l.key, l]));
  const ruleIds = [...(await loadRulePacks()).rules.keys()].filter((id) => !VALIDATION_ONLY.has(id) && !UNLABELABLE.has(id));

  it('scans every fixture', () => {
    expect(filesScanned).toBe(listFiles(corpus).length);
  });

  it('has positives for every rule id', () => {
    const positives = (rule: string) => labels.filter((l) => l.rule === rule).length;
    const missing = ruleIds.filter((id) => positives(id) < 1);
    expect(missing, 'rules without a positive in the corpus').toEqual([]);
    const unknown = labels.filter((l) => !ruleIds.includes(l.rule)).map((l) => l.key);
    expect(unknown, 'expectations naming no rule').toEqual([]);
  });

  it.each(ruleIds)('%s: precision and recall at least 0.97', (rule) => {
    const tp = [...found.keys()].filter((k) => k.endsWith(`:${rule}`) && expected.has(k));
    const fp = [...found.keys()].filter((k) => k.endsWith(`:${rule}`) && !expected.has(k));
    const fn = [...expected.keys()].filter((k) => k.endsWith(`:${rule}`) && !found.has(k));
    const precision = tp.length + fp.length === 0 ? 1 : tp.length / (tp.length + fp.length);
    const recall = tp.length + fn.length === 0 ? 1 : tp.length / (tp.length + fn.length);
    expect({ rule, precision, recall, falsePositives: fp, misses: fn }).toMatchObject({ rule });
    expect(precision, `false positives: ${fp.join(', ')}`).toBeGreaterThanOrEqual(0.97);
    expect(recall, `misses: ${fn.join(', ')}`).toBeGreaterThanOrEqual(0.97);
  });

  it('marks exactly the findings under a safety-exception as suppressed', () => {
    const wrong = labels
      .filter((l) => found.has(l.key) && found.get(l.key)?.suppressed !== l.suppressed)
      .map((l) => `${l.key} expected suppressed=${l.suppressed}`);
    expect(wrong).toEqual([]);
    const unlabeledSuppressed = findings.filter((f) => f.suppressed && !expected.get(keyOf(f))?.suppressed).map(keyOf);
    expect(unlabeledSuppressed).toEqual([]);
  });
});
