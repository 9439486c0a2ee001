// The review standard's ten areas, plus resources and containers, as the report's sections.
// Weights are what each area counts for in the score; they add up to 100. Calibrated on seven
// public services labelled by hand before the review ran (issue #22; /work/coord/notes/i22.md):
// containers 4 -> 8 (a published database or a root image separates services; the documents
// every service lacks do not), deployment documents 16 -> 12.

export type ReadinessArea =
  | 'deployment'
  | 'migrations'
  | 'config'
  | 'logging'
  | 'health'
  | 'versioning'
  | 'ci-cd'
  | 'error-handling'
  | 'security'
  | 'backup-recovery'
  | 'resources'
  | 'containers';

export const AREAS: ReadonlyArray<{ area: ReadinessArea; title: string; weight: number }> = [
  { area: 'deployment', title: 'Deployment documentation', weight: 12 },
  { area: 'migrations', title: 'Database migrations', weight: 12 },
  { area: 'config', title: 'Environment configuration', weight: 10 },
  { area: 'logging', title: 'Logging & observability', weight: 8 },
  { area: 'health', title: 'Health checks', weight: 10 },
  { area: 'versioning', title: 'Version management', weight: 4 },
  { area: 'ci-cd', title: 'CI/CD pipeline', weight: 10 },
  { area: 'error-handling', title: 'Error handling & recovery', weight: 10 },
  { area: 'security', title: 'Security headers & HTTPS', weight: 6 },
  { area: 'backup-recovery', title: 'Backup & recovery', weight: 6 },
  { area: 'resources', title: 'Resources (limits, queues, pools)', weight: 4 },
  { area: 'containers', title: 'Containers (Dockerfile, compose)', weight: 8 },
];

export function areaTitle(area: ReadinessArea): string {
  return AREAS.find((a) => a.area === area)?.title ?? area;
}
