import { lineOf, readComposeServices, type ComposeService } from '../containers/read-compose.js';
import type { DraftFinding } from '../types.js';
import { listEvidence, type ReadinessRule } from './rule.js';

const DATABASE_IMAGE = /(?:^|\/)(?:postgres|postgis|mysql|mariadb|mongo|redis|valkey|keydb|elasticsearch|opensearch|rabbitmq|memcached|cassandra|couchdb|neo4j|clickhouse|influxdb|minio|nats|kafka)(?::|$)/i;
const DATABASE_PORTS = new Set(['5432', '3306', '27017', '6379', '9200', '5672', '11211', '9042', '5984', '7687', '8123', '8086', '9000', '4222', '9092']);
const ADMIN_IMAGE = /(?:^|\/)(?:adminer|pgadmin4?|phpmyadmin|mongo-express|redis-commander|redisinsight|kibana|portainer(?:-ce)?)(?::|$)|rabbitmq:[\w.-]*management/i;
// A password set in the compose file itself that is a well-known default.
const WEAK_PASSWORD = /^(?:postgres|password|passw0rd|pass|admin|root|secret|changeme|changethis|example|test|1234|12345|123456|mysql|mongo|guest|default)$/i;
// Bind mounts of configuration or data are fine; of the source tree they are not.
const DATA_MOUNT = /^\.\/?(?:[\w-]*data|pg[\w-]*|backups?|certs?|ssl|secrets|config|conf|nginx|logs?|uploads|media|static|init[\w-]*|docker-entrypoint-initdb\.d)\b|\.(?:conf|ya?ml|json|sh|sql|pem|crt|key|ini|toml)$/i;

// A compose file meant for production: what it publishes, mounts and hands out.
export const composeRule: ReadinessRule = {
  id: 'compose',
  title: 'Production compose file',
  area: 'containers',
  impact: 'The compose file decides what the world can reach and what the containers run: a published database or admin UI is an open door, and a bind-mounted source tree runs whatever is on the host instead of the image.',
  run(ctx) {
    const services = readComposeServices(ctx.files);
    if (services.length === 0) return { findings: [], notApplicable: 'no production compose file' };
    const findings: DraftFinding[] = [];
    const at = (s: ComposeService, needle: string): string => `${s.file.rel}:${lineOf(ctx.files, s.file, needle)}`;
    const quoted = (s: ComposeService, needle: string): string => `${at(s, needle)}: ${s.name}: ${needle}`;
    const bind = services.flatMap((s) => s.volumes.filter((v) => /^\.{1,2}(?:\/|:)/.test(v) && !DATA_MOUNT.test(v.split(':')[0] ?? '')).map((v) => ({ s, v })));
    if (bind.length > 0) {
      findings.push(make(this.id, 'MEDIUM', 'The source tree is bind-mounted into a production container', at(bind[0]!.s, bind[0]!.v), listEvidence(bind.map(({ s, v }) => quoted(s, v))),
        'What runs is whatever is in the host folder, not the image that was built, tested and tagged: a rollback to the previous image changes nothing, and a stray edit on the host goes live.',
        'Remove source bind mounts from the production compose file (keep them in docker-compose.override.yml or a dev file); run the code baked into the image.'));
    }
    const published = services.flatMap((s) =>
      (DATABASE_IMAGE.test(s.image) ? s.ports : s.ports.filter((p) => DATABASE_PORTS.has(p.split(':').pop()?.split('/')[0] ?? ''))).filter((p) => !/^(?:127\.0\.0\.1|localhost|\[::1\]):/.test(p) && p.includes(':')).map((p) => ({ s, p })),
    );
    if (published.length > 0) {
      const noAuth = published.filter(({ s }) => !Object.keys(s.environment).some((k) => /PASSWORD|REQUIREPASS|AUTH/.test(k)) && !/--requirepass|--auth/.test(s.command));
      findings.push(make(this.id, noAuth.length > 0 ? 'HIGH' : 'MEDIUM', `A database port is published${noAuth.length > 0 ? ' with no authentication' : ''}`, at(published[0]!.s, published[0]!.p),
        listEvidence(published.map(({ s, p }) => `${quoted(s, p)} (${s.image || 'built image'}${noAuth.some((n) => n.s === s) ? ', no password or auth setting' : ''})`)),
        'The database listens on every interface of the host: anyone who can reach the host can try to log in (or, without authentication, read and write everything).',
        'Do not publish database ports in production; the application reaches the database over the compose network. If a port must be published, bind it to 127.0.0.1 and require authentication.',
        'services:\n  db:\n    # no ports: the app reaches it as db:5432 on the compose network\n    expose: ["5432"]'));
    }
    const admin = services.filter((s) => ADMIN_IMAGE.test(s.image) && (s.ports.some((p) => !/^127\.0\.0\.1:/.test(p)) || s.labels.some((l) => /traefik\.http\.routers\.[\w-]+\.rule/.test(l))));
    const insecureDashboard = services.filter((s) => /--api\.insecure=true/.test(s.command));
    if (admin.length > 0 || insecureDashboard.length > 0) {
      const first = admin[0] ?? insecureDashboard[0]!;
      findings.push(make(this.id, 'MEDIUM', 'An admin UI is reachable from outside', at(first, first.image || first.name),
        listEvidence([...admin.map((s) => `${at(s, s.image)}: ${s.name}: ${s.image} (${s.ports.join(', ') || s.labels.find((l) => /\.rule=/.test(l)) || ''})`), ...insecureDashboard.map((s) => `${at(s, '--api.insecure')}: ${s.name}: --api.insecure=true`)]),
        'A database or proxy admin UI routed publicly lets anyone who finds it try its login; many ship with default or no credentials.',
        'Keep admin UIs out of the production compose file, or bind them to 127.0.0.1 and reach them over SSH/VPN, behind authentication.'));
    }
    const weak = services.flatMap((s) => Object.entries(s.environment).filter(([k, v]) => /PASSWORD|SECRET/.test(k) && WEAK_PASSWORD.test(v)).map(([k, v]) => ({ s, k, v })));
    if (weak.length > 0) {
      findings.push({ ...make(this.id, 'HIGH', 'Default credentials in the compose file', at(weak[0]!.s, weak[0]!.k), listEvidence(weak.map(({ s, k, v }) => `${at(s, k)}: ${s.name}: ${k}=${v}`)),
        'A well-known password committed in the compose file is the password in production unless someone remembers to change it.',
        'Read passwords from the environment or secrets (`${POSTGRES_PASSWORD:?set it}`), never a literal in the file.'), area: 'config' });
    }
    const apps = services.filter((s) => s.build || (!DATABASE_IMAGE.test(s.image) && !ADMIN_IMAGE.test(s.image)));
    if (apps.length > 0 && !services.some((s) => s.limits)) {
      findings.push({ ...make(this.id, 'LOW', 'No resource limits on the containers', `${apps[0]!.file.rel}:${lineOf(ctx.files, apps[0]!.file, `${apps[0]!.name}:`)}`,
        `${[...new Set(services.map((s) => s.file.rel))].join(', ')}: no service sets deploy.resources.limits, mem_limit or cpus (${apps.map((s) => s.name).join(', ')}).`,
        'A container without a memory limit can take the host\'s memory: a leak in one service gets the others killed by the kernel.',
        'Set memory (and CPU) limits for each service.', 'deploy:\n  resources:\n    limits:\n      memory: 512M\n      cpus: "1.0"'), area: 'resources' });
    }
    if (findings.length > 0) return { findings };
    return { findings: [], passed: `${[...new Set(services.map((s) => s.file.rel))].join(', ')}: no published database or admin UI, no source bind mount, limits set` };
  },
};

function make(rule: string, severity: DraftFinding['severity'], title: string, location: string, evidence: string, issue: string, recommendation: string, snippet?: string): DraftFinding {
  return { rule, title, severity, location, effort: 'S', evidence, issue, recommendation, ...(snippet ? { snippet } : {}) };
}
