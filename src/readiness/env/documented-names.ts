import type { ProjectFiles } from '../project-files.js';

// .env.example, .env.sample, env.template, example.env, .env.production.example, and a committed
// .env or .env.<environment> (it names the variables too, whatever one thinks of committing it).
const EXAMPLE_FILE = /^(?:\.?env(?:\.[\w-]+)*[._-](?:example|sample|template|dist|defaults?|tmpl|tpl)|(?:example|sample|template)[._-]?\.env|\.env(?:\.[\w-]+)?)$/i;

export interface DocumentedNames {
  exact: Set<string>;
  upper: Set<string>;
  /** The example files looked at. */
  exampleFiles: string[];
}

/** Variable names the project documents: in env example files (commented-out lines too) and in its docs. */
export function collectDocumentedNames(files: ProjectFiles): DocumentedNames {
  const exact = new Set<string>();
  const exampleFiles: string[] = [];
  for (const file of files.files) {
    const base = file.rel.slice(file.rel.lastIndexOf('/') + 1);
    if (EXAMPLE_FILE.test(base)) {
      exampleFiles.push(file.rel);
      for (const m of files.text(file).matchAll(/^[ \t]*(?:#+[ \t]*)?(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*[=:]/gm)) if (m[1]) exact.add(m[1]);
    } else if (file.doc && !file.test) {
      for (const m of files.text(file).matchAll(/[A-Za-z_][A-Za-z0-9_]{1,}/g)) exact.add(m[0]);
    }
  }
  const upper = new Set([...exact].map((n) => n.toUpperCase()));
  return { exact, upper, exampleFiles };
}

// Set by the platform, the shell or the runtime, not by whoever deploys the service.
const PLATFORM = /^(?:NODE_ENV|NODE_OPTIONS|NODE_DEBUG|NODE_EXTRA_CA_CERTS|PATH|HOME|USER|USERNAME|PWD|OLDPWD|SHELL|TERM|TMPDIR|TEMP|TMP|LANG|LANGUAGE|LC_\w+|TZ|CI|HOSTNAME|FORCE_COLOR|NO_COLOR|COLORTERM|npm_\w+|INIT_CWD|GITHUB_\w+|RUNNER_\w+|VITEST\w*|JEST_WORKER_ID|PYTEST_\w+|PYTHON\w*|VIRTUAL_ENV|DJANGO_SETTINGS_MODULE|SERVER_SOFTWARE|KUBERNETES_\w+|AWS_LAMBDA_\w+|AWS_EXECUTION_ENV|LAMBDA_TASK_ROOT|WEBSITE_\w+|K_SERVICE|K_REVISION|DYNO|VERCEL\w*|NETLIFY\w*)$/;

export function isPlatformVariable(name: string): boolean {
  return PLATFORM.test(name);
}
