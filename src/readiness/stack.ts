import type { Dependency } from './dependencies.js';
import type { ImportSite } from './imports.js';

/** The framework the service is built on, which decides the snippets a report shows. */
export type Stack = 'nestjs' | 'fastify' | 'express' | 'node' | 'fastapi' | 'flask' | 'django' | 'python';

const ORDER: ReadonlyArray<{ stack: Stack; npm?: string[]; python?: string[] }> = [
  { stack: 'nestjs', npm: ['@nestjs/core'] },
  { stack: 'fastify', npm: ['fastify'] },
  { stack: 'express', npm: ['express'] },
  { stack: 'django', python: ['django'] },
  { stack: 'fastapi', python: ['fastapi'] },
  { stack: 'flask', python: ['flask'] },
];

/** The stack by what the code imports, then by what the manifests declare; else by language. */
export function detectStack(imports: ImportSite[], deps: Dependency[], languages: string[]): Stack {
  for (const { stack, npm = [], python = [] } of ORDER) {
    if (imports.some((s) => (s.file.language === 'python' ? python : npm).includes(s.module.toLowerCase()))) return stack;
  }
  for (const { stack, npm = [], python = [] } of ORDER) {
    if (deps.some((d) => !d.dev && (d.ecosystem === 'python' ? python : npm).includes(d.name))) return stack;
  }
  return languages.includes('javascript') || !languages.includes('python') ? 'node' : 'python';
}

export function isPythonStack(stack: Stack): boolean {
  return stack === 'fastapi' || stack === 'flask' || stack === 'django' || stack === 'python';
}
