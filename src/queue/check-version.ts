// A version reaches argv, environment variables, file names and a git tag: only a narrow set of
// characters may pass, checked before any command starts.
const SAFE_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/** Why `version` is refused, or undefined when it is a safe version (semver-like or a tag name). */
export function checkVersion(version: string): string | undefined {
  if (!SAFE_VERSION.test(version)) {
    return "expected a version like 1.2.3 or a tag name (letters, digits, '.', '_', '+' and '-', starting with a letter or digit, at most 64)";
  }
  // The release is tagged v<version>: keep it a valid git ref name.
  if (version.includes('..') || version.endsWith('.') || version.endsWith('.lock')) {
    return "expected a version that is also a valid git tag (no '..', not ending in '.' or '.lock')";
  }
  return undefined;
}

export function describeVersionProblem(where: string, version: string): string | undefined {
  const why = checkVersion(version);
  return why === undefined ? undefined : `${where}: ${JSON.stringify(version)} refused: ${why}`;
}
