import { compareVersions, sameVersion, versionFromTag, type ParsedVersion } from '../versions/compare-versions.js';
import { readGitTags } from '../versions/read-git-tags.js';
import { readChangelog, readManifestVersions, type VersionSource } from '../versions/read-versions.js';
import type { DraftFinding } from '../types.js';
import type { ReadinessRule } from './rule.js';

// The version people deploy, tag and read about must be one and the same.
export const versionConsistencyRule: ReadinessRule = {
  id: 'version-consistency',
  title: 'Version consistency (manifests, tags, CHANGELOG)',
  area: 'versioning',
  impact:
    'When the manifest, the tags and the CHANGELOG disagree, nobody can say for sure which code is deployed or what a rollback returns to.',
  run(ctx) {
    const manifests = readManifestVersions(ctx.files);
    const changelog = readChangelog(ctx.files);
    const tags = readGitTags(ctx.files.root);
    const newestTag = newest((tags ?? []).flatMap((t) => {
      const version = versionFromTag(t);
      return version ? [{ version, location: `tag ${t}` }] : [];
    }));
    const newestEntry = newest(changelog?.entries ?? []);
    const findings: DraftFinding[] = [];
    const finding = (title: string, location: string, evidence: string, recommendation: string): void => {
      findings.push({ rule: this.id, title, severity: 'MEDIUM', location, effort: 'S', evidence, recommendation });
    };

    const current = manifests[0];
    const disagreeing = manifests.filter((m) => current && !sameVersion(m.version, current.version));
    if (current && disagreeing.length > 0) {
      finding(
        'Manifests disagree on the version',
        disagreeing[0]?.location ?? current.location,
        manifests.map((m) => `${m.location}: ${m.version.raw}`).join('\n'),
        'Keep the version in one place (or bump every manifest together, e.g. with npm version / a release tool) so that what is built is what is tagged.',
      );
    }
    if (current && newestEntry && !changelogCovers(current.version, newestEntry.version, changelog?.unreleased ?? false)) {
      const ahead = compareVersions(newestEntry.version, current.version) > 0;
      finding(
        ahead ? 'CHANGELOG is ahead of the manifest version' : `CHANGELOG has no entry for ${current.version.raw}`,
        ahead ? newestEntry.location : current.location,
        `${current.location}: version ${current.version.raw}\n${newestEntry.location}: newest CHANGELOG entry ${newestEntry.version.raw}`,
        'Add the release to the CHANGELOG when bumping the version (or bump the version the CHANGELOG names), so that the notes describe what is deployed.',
      );
    }
    const reference = current ?? newestEntry;
    if (reference && newestTag && compareVersions(newestTag.version, reference.version) > 0) {
      finding(
        `Newest tag ${newestTag.version.raw} is ahead of ${current ? 'the manifest' : 'the CHANGELOG'}`,
        reference.location,
        `${newestTag.location}: ${newestTag.version.raw}\n${reference.location}: ${reference.version.raw}`,
        'Tag only what the manifest declares: bump the manifest to the released version, or remove the stray tag.',
      );
    }
    if (!changelog && newestTag) {
      findings.push({
        rule: this.id,
        title: 'Releases are tagged but there is no CHANGELOG',
        severity: 'LOW',
        location: 'missing: CHANGELOG.md (or CHANGES.md, HISTORY.md, NEWS.md, docs/changelog.*)',
        effort: 'S',
        evidence: `${(tags ?? []).length} tag(s), newest ${newestTag.version.raw}, and no changelog file.`,
        recommendation: 'Keep a CHANGELOG.md with an entry per release, so that whoever deploys or rolls back knows what changes.',
      });
    }
    if (findings.length > 0) return { findings };
    const seen = [
      ...manifests.map((m) => `${m.location} ${m.version.raw}`),
      ...(newestEntry ? [`${newestEntry.location} ${newestEntry.version.raw}`] : []),
      ...(newestTag ? [`${newestTag.location}`] : []),
    ];
    if (seen.length === 0) return { findings: [], notApplicable: 'no versioned manifest, tag or CHANGELOG entry found' };
    return { findings: [], passed: seen.join(', ') };
  },
};

/** The changelog covers the manifest's version: it names it, or (for a pre-release) has its release or an Unreleased section. */
function changelogCovers(current: ParsedVersion, newestEntry: ParsedVersion, unreleased: boolean): boolean {
  if (sameVersion(current, newestEntry)) return true;
  if (!current.pre) return false;
  return unreleased || compareVersions({ ...current, pre: '' }, { ...newestEntry, pre: '' }) === 0;
}

function newest(sources: VersionSource[]): VersionSource | undefined {
  return sources.reduce<VersionSource | undefined>((best, s) => (!best || compareVersions(s.version, best.version) > 0 ? s : best), undefined);
}
