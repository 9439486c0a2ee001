import { locateTasks } from './json-text.js';

/**
 * Sets the `status` of the given tasks in the file text and changes nothing else: every other
 * byte (key order, spacing, number spelling, unknown fields) stays as it was. A task without a
 * `status` gets one after its last property, in the object's own layout.
 */
export function patchStatuses(text: string, tasksKey: string, updates: ReadonlyMap<string, string>): string {
  if (updates.size === 0) return text;
  const edits: { at: number; remove: number; insert: string }[] = [];
  for (const loc of locateTasks(text, tasksKey)) {
    if (loc.id === undefined) continue;
    const status = updates.get(loc.id);
    if (status === undefined) continue;
    const value = JSON.stringify(status);
    if (loc.status) {
      edits.push({ at: loc.status.offset, remove: loc.status.length, insert: value });
    } else {
      const empty = loc.lastValueEnd === loc.start + 1;
      const separator = empty ? '' : ',';
      const insert = loc.indent ? `${separator}\n${loc.indent}"status": ${value}` : `${separator}${empty ? '' : ' '}"status": ${value}`;
      edits.push({ at: loc.lastValueEnd, remove: 0, insert });
    }
  }
  edits.sort((a, b) => a.at - b.at);
  const parts: string[] = [];
  let cursor = 0;
  for (const edit of edits) {
    parts.push(text.slice(cursor, edit.at), edit.insert);
    cursor = edit.at + edit.remove;
  }
  parts.push(text.slice(cursor));
  return parts.join('');
}
