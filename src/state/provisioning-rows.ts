import type { StateStore } from './state-store.js';

export interface ProvisioningRow {
  seq: number;
  id: string;
  project: string;
  task_id: string;
  record: string;
}

/** Stores a provisioning record once: a record with the same id (a redone step) is kept as it was. */
export function insertProvisioning(store: StateStore, row: Omit<ProvisioningRow, 'seq'>): void {
  store.db.prepare('INSERT OR IGNORE INTO provisioning (id, project, task_id, record) VALUES (@id, @project, @task_id, @record)').run(row);
}

/** The provisioning records, oldest first (of one project, or all). */
export function provisioningRows(store: StateStore, project?: string): ProvisioningRow[] {
  return (project
    ? store.db.prepare('SELECT seq, id, project, task_id, record FROM provisioning WHERE project = ? ORDER BY seq').all(project)
    : store.db.prepare('SELECT seq, id, project, task_id, record FROM provisioning ORDER BY seq').all()) as ProvisioningRow[];
}
