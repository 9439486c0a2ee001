import { resolveProductionSettings, type SettingValue } from '../env/production-settings.js';
import type { DraftFinding } from '../types.js';
import { quoteLine, type ReadinessRule } from './rule.js';
import { resolveFlaskConfig } from '../env/flask-config.js';
import { corsAnyOrigin, pydanticDebugDefaults } from './insecure-code-defaults.js';
import { nodeDebugDefaults } from './node-env-defaults.js';

// An environment read whose default turns the flag on: env.bool("DEBUG", default=True), envbool("DEBUG", "True"), os.getenv("DEBUG", "1").
const ON_BY_DEFAULT = /\(\s*["'][\w.-]+["']\s*,\s*(?:default\s*=\s*)?(?:True|["'](?:true|True|TRUE|1|yes|on)["'])\s*[,)]/;
// bool() of a string read: any non-empty value, "False" and "0" included, is True.
const TRUTHY_STRING = /^bool\s*\(\s*(?:os\.)?(?:environ\.get|getenv|environ\[)/;
const ANY_HOST = /["']\*["']/;

/** Settings as production resolves them (base → production, environment defaults): the defaults that are unsafe there. */
export const insecureDefaultsRule: ReadinessRule = {
  id: 'insecure-defaults',
  title: 'Production settings safe by default',
  area: 'config',
  impact:
    'A setting that is only safe when an environment variable is set is unsafe the day the variable is missing: DEBUG pages show settings and source to anyone, a wildcard host accepts forged Host headers, and CORS from any origin with credentials lets any site act as the logged-in user.',
  run(ctx) {
    const findings: DraftFinding[] = [];
    const settings = resolveProductionSettings(ctx.files);
    const quote = (v: SettingValue): string => quoteLine(v.file.rel, v.line, `${v.name} = ${v.expr}`);
    const flask = settings ? undefined : resolveFlaskConfig(ctx.files);
    const scope = settings
      ? `production resolves ${settings.roots.map((r) => r.rel).join(', ')}${settings.ignored.length > 0 ? `; not loaded in production: ${settings.ignored.join(', ')}` : ''}`
      : flask ? `production loads ${flask.production.cls} (${flask.production.chain.join(' → ')})` : '';
    const debug = settings?.values.get('DEBUG') ?? flask?.production.values.get('DEBUG');
    if (debug && (debug.expr === 'True' || ON_BY_DEFAULT.test(debug.expr) || TRUTHY_STRING.test(debug.expr))) {
      const trap = TRUTHY_STRING.test(debug.expr);
      findings.push({
        rule: this.id,
        title: trap ? 'DEBUG is on whenever the variable is set, "False" and "0" included' : 'DEBUG is on unless the environment turns it off',
        severity: 'HIGH',
        location: `${debug.file.rel}:${debug.line}`,
        effort: 'S',
        evidence: `${quote(debug)}\n(${scope})`,
        recommendation: trap
          ? 'Parse the value (env.bool("DEBUG", default=False), or value.lower() in ("1", "true")) so that "0"/"False" mean off.'
          : 'Default DEBUG to off: env.bool("DEBUG", default=False); turn it on in development settings only.',
        snippet: 'DEBUG = env.bool("DJANGO_DEBUG", default=False)',
      });
    }
    const hosts = settings?.values.get('ALLOWED_HOSTS');
    if (hosts && ANY_HOST.test(hosts.expr)) {
      findings.push({
        rule: this.id,
        title: 'ALLOWED_HOSTS accepts any host by default',
        severity: 'MEDIUM',
        location: `${hosts.file.rel}:${hosts.line}`,
        effort: 'S',
        issue: 'With ALLOWED_HOSTS ["*"] Django answers for any Host header: password-reset links and absolute URLs can be poisoned with an attacker\'s host.',
        evidence: `${quote(hosts)}\n(${scope})`,
        recommendation: 'Default to no host (env.list("ALLOWED_HOSTS", default=[])) and set the real host names in production.',
      });
    }
    const allOrigins = settings ? (['CORS_ALLOW_ALL_ORIGINS', 'CORS_ORIGIN_ALLOW_ALL'].map((n) => settings.values.get(n)).find((v) => v && (v.expr === 'True' || ON_BY_DEFAULT.test(v.expr)))) : undefined;
    const credentials = settings?.values.get('CORS_ALLOW_CREDENTIALS');
    const sites = corsAnyOrigin(ctx);
    const cors = sites.filter((c) => c.credentials).map((c) => c.evidence);
    const withCredentials = credentials !== undefined && /^True\b/.test(credentials.expr);
    if (allOrigins && withCredentials) cors.unshift(`${quote(allOrigins)}\n${quote(credentials)}`);
    const open = [...(allOrigins && !withCredentials ? [`${quote(allOrigins)} (no credentials)`] : []), ...sites.filter((c) => !c.credentials).map((c) => c.evidence)];
    if (cors.length > 0) {
      findings.push({
        rule: this.id,
        title: 'CORS allows any origin with credentials',
        severity: 'HIGH',
        location: (cors[0] ?? '').split(': ')[0] ?? '',
        effort: 'S',
        issue: 'Any web site can call the API from a visitor\'s browser with the visitor\'s cookies or credentials, and read the answers.',
        evidence: cors.join('\n'),
        recommendation: 'List the allowed origins explicitly (from the environment, no "*" default) when credentials are allowed.',
      });
    }
    findings.push(...nodeDebugDefaults(ctx));
    if (cors.length === 0 && open.length > 0) {
      findings.push({
        rule: this.id,
        title: 'CORS allows any origin',
        severity: 'LOW',
        location: (open[0] ?? '').split(': ')[0] ?? '',
        effort: 'S',
        issue: 'Any web site can call the API from a visitor\'s browser and read the answers; without credentials it sees only what an anonymous caller sees, but an origin list is the safe default (and stays safe the day credentials are turned on).',
        evidence: open.join('\n'),
        recommendation: 'List the allowed origins (from the environment, no "*" default) unless the API is deliberately public.',
      });
    }
    const pydantic = pydanticDebugDefaults(ctx);
    if (pydantic.length > 0 && !findings.some((f) => f.title.startsWith('DEBUG'))) {
      findings.push({
        rule: this.id,
        title: 'DEBUG is on unless the environment turns it off',
        severity: 'HIGH',
        location: (pydantic[0] ?? '').split(': ')[0] ?? '',
        effort: 'S',
        evidence: pydantic.join('\n'),
        recommendation: 'Default debug to False in the settings production uses; turn it on in development settings only.',
      });
    }
    const fallback = settings?.fallback;
    const unsafe = fallback ? [...['DEBUG', 'SECRET_KEY', 'ALLOWED_HOSTS'].flatMap((n) => {
      const v = fallback.values.get(n);
      if (!v) return [];
      const bad = n === 'DEBUG' ? v.expr === 'True' || ON_BY_DEFAULT.test(v.expr) : n === 'ALLOWED_HOSTS' ? ANY_HOST.test(v.expr) : /^[rbu]?["']/.test(v.expr);
      return bad ? [quote(v)] : [];
    })] : [];
    if (fallback && unsafe.length > 0) {
      findings.push({
        rule: this.id,
        title: 'Without DJANGO_SETTINGS_MODULE the service runs the base settings',
        severity: 'MEDIUM',
        location: fallback.location,
        effort: 'S',
        issue: `The entry point falls back to ${fallback.module}, and nothing the deployment files set names the production settings: a missing variable starts production with the base settings.`,
        evidence: [`${fallback.location}: defaults DJANGO_SETTINGS_MODULE to ${fallback.module}`, ...unsafe].join('\n'),
        recommendation: 'Set DJANGO_SETTINGS_MODULE in the image (ENV in the release stage) or default the entry point to the production module.',
      });
    }
    const flaskFallback = flask?.fallback;
    const flaskUnsafe = flaskFallback ? [...flaskFallback.values.values()].filter((v) =>
      (v.name === 'DEBUG' && (v.expr === 'True' || ON_BY_DEFAULT.test(v.expr))) || (v.name === 'SECRET_KEY' && /^[rbu]?["']|\bor\s+[rbu]?["']|,\s*[rbu]?["'][^"']+["']\s*\)/.test(v.expr))) : [];
    if (flaskFallback && flaskUnsafe.length > 0) {
      findings.push({
        rule: this.id,
        title: `Without ${flaskFallback.variable} the service runs ${flaskFallback.cls}`,
        severity: 'MEDIUM',
        location: flaskFallback.location,
        effort: 'S',
        issue: `app.config.from_object falls back to ${flaskFallback.cls} when ${flaskFallback.variable} is unset, and no deployment file sets it: production starts with the development configuration.`,
        evidence: [`${flaskFallback.location}: from_object picks ${flaskFallback.cls} unless ${flaskFallback.variable} is set`, ...flaskUnsafe.map(quote)].join('\n'),
        recommendation: `Set ${flaskFallback.variable}=production in the release image (ENV) or default from_object to the production class.`,
      });
    }
    if (findings.length > 0) return { findings };
    if (!settings && pydantic.length === 0) return { findings: [], passed: 'no settings module with DEBUG/ALLOWED_HOSTS/CORS defaults found; CORS checked in code' };
    return { findings: [], passed: settings ? `${scope}: DEBUG off, hosts and CORS explicit by default` : 'no unsafe default found' };
  },
};
