import { collectEnvReads } from '../env/collect-env-reads.js';
import { collectDocumentedNames, isPlatformVariable } from '../env/documented-names.js';
import type { EnvRead } from '../env/env-read.js';
import { listEvidence, type ReadinessRule } from './rule.js';

// Someone deploying the service must be able to learn every variable it needs without reading its code.
export const envDocumentedRule: ReadinessRule = {
  id: 'env-documented',
  title: 'Environment variables documented',
  area: 'config',
  impact:
    'Whoever deploys the service cannot learn from its documentation which variables it needs: a missing one is found when the service fails (or silently takes a default) in production.',
  run(ctx) {
    // A settings field with a safe default is optional to set; one whose default is a secret is reported by env-secret-default.
    const reads = collectEnvReads(ctx.files).filter((r) => !isPlatformVariable(r.name) && !r.optional && r.defaultValue === undefined);
    if (reads.length === 0) return { findings: [], passed: 'the code reads no environment variables of its own' };
    const documented = collectDocumentedNames(ctx.files);
    const firstRead = new Map<string, EnvRead>();
    for (const read of reads) {
      const key = read.caseInsensitive ? read.name.toUpperCase() : read.name;
      if (!firstRead.has(key)) firstRead.set(key, read);
    }
    const missing = [...firstRead.values()]
      .filter((r) => !(r.caseInsensitive ? documented.upper.has(r.name.toUpperCase()) : documented.exact.has(r.name)))
      .sort((a, b) => a.name.localeCompare(b.name));
    if (missing.length === 0) {
      return { findings: [], passed: `${firstRead.size} variable(s), all in ${documented.exampleFiles.join(', ') || 'the docs'}` };
    }
    const first = missing[0] as EnvRead;
    const lookedIn = documented.exampleFiles.length > 0 ? documented.exampleFiles.join(', ') : 'no .env.example';
    return {
      findings: [
        {
          rule: this.id,
          title: `${missing.length} environment variable${missing.length === 1 ? '' : 's'} not documented`,
          severity: 'MEDIUM',
          location: `${first.file.rel}:${first.line}`,
          effort: 'S',
          evidence: `Read by the code but named in neither an env example file (${lookedIn}) nor the docs:\n${listEvidence(
            missing.map((r) => `${r.name} (${r.file.rel}:${r.line}, ${r.via})`),
          )}`,
          recommendation: 'List every variable in .env.example with a safe example value and a comment saying what it is for and whether it is required.',
        },
      ],
      passed: `${firstRead.size - missing.length} of ${firstRead.size} variable(s) documented`,
    };
  },
};
