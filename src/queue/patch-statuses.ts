import { locateTasks, type TaskLocation } from './json-text.js';

// Where the tasks of the text last patched (or produced) sit: a write-back patches the text it wrote
// last time, so the next one need not parse the whole file again (thousands of tasks, every flush).
let known: { text: string; tasksKey: string; locations: TaskLocation[] } | undefined;

/** The task locations of `text`: from the last patch when it produced this text, else read. */
export function taskLocations(text: string, tasksKey: string): TaskLocation[] {
  if (known && known.tasksKey === tasksKey && known.text === text) return known.locations;
  return locateTasks(text, tasksKey);
}

interface Edit {
  at: number;
  remove: number;
  insert: string;
  /** The task whose status it writes, and where in `insert` the status value begins. */
  loc: TaskLocation;
  valueAt: number;
}

/**
 * Sets the `status` of the given tasks in the file text and changes nothing else: every other
 * byte (key order, spacing, number spelling, unknown fields) stays as it was. A task without a
 * `status` gets one after its last property, in the object's own layout.
 */
export function patchStatuses(text: string, tasksKey: string, updates: ReadonlyMap<string, string>): string {
  if (updates.size === 0) return text;
  const locations = taskLocations(text, tasksKey);
  const edits: Edit[] = [];
  for (const loc of locations) {
    if (loc.id === undefined) continue;
    const status = updates.get(loc.id);
    if (status === undefined) continue;
    const value = JSON.stringify(status);
    if (loc.status) {
      edits.push({ at: loc.status.offset, remove: loc.status.length, insert: value, loc, valueAt: 0 });
    } else {
      const empty = loc.lastValueEnd === loc.start + 1;
      const separator = empty ? '' : ',';
      const insert = loc.indent ? `${separator}\n${loc.indent}"status": ${value}` : `${separator}${empty ? '' : ' '}"status": ${value}`;
      edits.push({ at: loc.lastValueEnd, remove: 0, insert, loc, valueAt: insert.length - value.length });
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
  const patched = parts.join('');
  move(locations, edits);
  known = { text: patched, tasksKey, locations };
  return patched;
}

// The locations moved, in place, to where they are in the patched text: each shifted by what the
// edits before it added or removed, and an edited task's status (and end) where its edit put them.
// In place: a write-back of thousands of tasks, every flush, copies none of them. They are only
// ever the last patched text's (`known`): a text patched before is located again.
function move(locations: TaskLocation[], edits: readonly Edit[]): void {
  const byTask = new Map(edits.map((e) => [e.loc, e]));
  let shift = 0;
  let next = 0; // edits before the current location
  for (const loc of locations) {
    while (next < edits.length && edits[next]!.at < loc.start) {
      shift += edits[next]!.insert.length - edits[next]!.remove;
      next++;
    }
    const own = byTask.get(loc);
    if (!own) {
      if (shift === 0) continue;
      loc.start += shift;
      loc.end += shift;
      loc.lastValueEnd += shift;
      if (loc.status) loc.status.offset += shift;
      continue;
    }
    // A place inside the task: after its own edit it moves by that edit too.
    const after = own.at + own.remove;
    const grow = own.insert.length - own.remove;
    const at = (p: number): number => p + shift + (p >= after ? grow : 0);
    loc.start = at(loc.start);
    loc.end = at(loc.end);
    loc.lastValueEnd = at(loc.lastValueEnd);
    loc.status = { offset: own.at + shift + own.valueAt, length: own.insert.length - own.valueAt };
  }
}
