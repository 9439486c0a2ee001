// Release versions compared the way both npm (semver) and Python (PEP 440) order the usual ones:
// by release numbers, then a pre-release or dev version before the release itself.

export interface ParsedVersion {
  raw: string;
  release: number[];
  /** '' for a final release; 'a1', 'rc.2', 'dev0', … otherwise. */
  pre: string;
}

const VERSION = /^v?(\d+(?:\.\d+){0,3})(?:[-_.+]?((?:a|b|c|rc|alpha|beta|pre|preview|dev|post|next|canary)[.\-_]?\d*(?:[.\-+][\w.]*)?|[-+][\w.]+))?$/i;

export function parseVersion(text: string): ParsedVersion | undefined {
  const m = VERSION.exec(text.trim());
  if (!m?.[1]) return undefined;
  let pre = (m[2] ?? '').replace(/^[-_.]/, '');
  // Build metadata and post releases do not make a version earlier.
  if (pre.startsWith('+') || /^post/i.test(pre)) pre = '';
  return { raw: text.trim(), release: m[1].split('.').map(Number), pre };
}

/** Negative when a < b. */
export function compareVersions(a: ParsedVersion, b: ParsedVersion): number {
  const length = Math.max(a.release.length, b.release.length, 3);
  for (let i = 0; i < length; i++) {
    const d = (a.release[i] ?? 0) - (b.release[i] ?? 0);
    if (d !== 0) return d;
  }
  if (a.pre === b.pre) return 0;
  if (!a.pre) return 1;
  if (!b.pre) return -1;
  return a.pre.localeCompare(b.pre, 'en', { numeric: true });
}

export function sameVersion(a: ParsedVersion, b: ParsedVersion): boolean {
  return compareVersions(a, b) === 0;
}

/** The version from a tag name: `v1.2.3`, `1.2.3`, `release-1.2.3` (monorepo tags `name@1.2.3` are not the project's). */
export function versionFromTag(tag: string): ParsedVersion | undefined {
  const m = /^(?:release[-/]|version[-/]|rel[-/])?(v?\d+(?:\.\d+){1,3}.*)$/i.exec(tag);
  return m?.[1] ? parseVersion(m[1]) : undefined;
}
