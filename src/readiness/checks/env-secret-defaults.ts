import { collectEnvReads } from '../env/collect-env-reads.js';
import { resolveFlaskConfig } from '../env/flask-config.js';
import { resolveProductionSettings } from '../env/production-settings.js';
import { isDevSettings } from '../service/production-scope.js';
import { maskSecret, isSecretDefault } from '../env/secret-values.js';
import { lineAt } from '../source/lexed-source.js';
import { listEvidence, type ReadinessRule } from './rule.js';

// A secret with a default in the code is a secret in the repository, and a service that starts
// with it when the real one is missing.
export const envSecretDefaultsRule: ReadinessRule = {
  id: 'env-secret-default',
  title: 'No secret-looking literal defaults',
  area: 'config',
  impact:
    'A secret with a literal default is a secret in the repository, readable by everyone with access to it, and a service that starts with it when the real value is missing.',
  run(ctx) {
    const sites: Array<{ location: string; line: string }> = [];
    const settings = resolveProductionSettings(ctx.files);
    const production = settings?.values ?? resolveFlaskConfig(ctx.files)?.production.values;
    const replaced: string[] = [];
    // A settings module production never loads, or a value the production settings assign again, is not what production runs.
    const notProduction = (rel: string, line: number): boolean => {
      if (isDevSettings(rel)) return true;
      const name = /^\s*([A-Z][A-Z0-9_]*)\s*(?::[^=]+)?=/.exec(ctx.files.text(rel).split('\n')[line - 1] ?? '')?.[1];
      const effective = name ? production?.get(name) : undefined;
      if (!name || !effective || (effective.file.rel === rel && effective.line === line)) return false;
      replaced.push(`${rel}:${line}: ${name} is replaced in production by ${effective.file.rel}:${effective.line}`);
      return true;
    };
    for (const read of collectEnvReads(ctx.files)) {
      if (read.defaultValue === undefined || !isSecretDefault(read.name, read.defaultValue)) continue;
      if (read.file.language === 'python' && notProduction(read.file.rel, read.line)) continue;
      const location = `${read.file.rel}:${read.line}`;
      sites.push({ location, line: `${location}: ${read.name} falls back to ${maskSecret(read.defaultValue)} (${read.via})` });
    }
    for (const file of ctx.files.code({ language: 'python', toolConfig: false })) {
      const source = ctx.files.lexed(file);
      // Django settings by name or by what they hold (config/django/base.py).
      if (!/(?:^|\/)settings(?:\/[^/]+)?\.py$|(?:^|\/)settings_\w+\.py$/.test(file.rel) && !/^(?:INSTALLED_APPS|MIDDLEWARE)\s*=/m.test(source.code)) continue;
      for (const m of source.code.matchAll(/^SECRET_KEY[ \t]*=[ \t]*(?=[rRbBuU]?["'])/gm)) {
        const token = source.strings.find((s) => s.start >= m.index + m[0].length);
        if (!token || token.interpolated || token.value.length === 0) continue;
        const location = `${file.rel}:${lineAt(source, m.index)}`;
        if (notProduction(file.rel, lineAt(source, m.index))) continue;
        sites.push({ location, line: `${location}: SECRET_KEY is the literal ${maskSecret(token.value)}, not read from the environment` });
      }
    }
    if (sites.length === 0) return { findings: [], passed: replaced.length > 0 ? `no literal secret reaches production (${replaced.join('; ')})` : 'no secret falls back to a literal' };
    sites.sort((a, b) => a.location.localeCompare(b.location, 'en', { numeric: true }));
    return {
      findings: [
        {
          rule: this.id,
          title: `Secret${sites.length === 1 ? '' : 's'} with a literal default in the code`,
          severity: 'HIGH',
          location: sites[0]?.location ?? '',
          effort: 'S',
          evidence: listEvidence(sites.map((s) => s.line)),
          recommendation:
            'Remove the literal: read the secret from the environment (or a secret store) and refuse to start when it is missing; rotate any value that was committed.',
        },
      ],
    };
  },
};
