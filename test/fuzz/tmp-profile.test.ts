import { it } from 'vitest';
import { checkCase, makeFuzzWorkspace, resetFiles } from './check-case.js';
import { generateContractCases } from './contract-cases.js';
import { createRng } from './prng.js';
import { generateProjectCases } from './project-cases.js';
import { generateQueueCases } from './queue-cases.js';
import { removeWorkspaces } from '../helpers/workspace.js';
it('profiles', () => {
  const rng = createRng(1);
  let t = performance.now();
  const cases = [...generateQueueCases(rng, 3), ...generateContractCases(rng, 3), ...generateProjectCases(rng, 3)];
  console.log('generate', Math.round(performance.now() - t));
  const ws = makeFuzzWorkspace();
  const times = new Map<string, number>();
  const slow: string[] = [];
  for (const c of cases) {
    t = performance.now();
    checkCase(ws, c);
    resetFiles(ws);
    const ms = performance.now() - t;
    if (ms > 200) slow.push(`${c.kind}/${c.category} ${c.what.slice(0, 60)} ${Math.round(ms)}`);
    times.set(`${c.kind}/${c.category}`, (times.get(`${c.kind}/${c.category}`) ?? 0) + ms);
  }
  console.log([...times].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${Math.round(v)}`).join(' '));
  console.log(slow.join('\n'));
  removeWorkspaces();
}, 300_000);
