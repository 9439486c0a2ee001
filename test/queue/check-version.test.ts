import { describe, expect, it } from 'vitest';
import { checkVersion, describeVersionProblem } from '../../src/queue/check-version.js';

describe('checkVersion', () => {
  it.each(['1.0.0', '2.1.0-rc.1', '1.0.0+build.7', 'release_2024-05', 'v3', 'a'])('accepts %s', (version) => {
    expect(checkVersion(version)).toBeUndefined();
  });

  it.each(['1.0; rm -rf /', '$(touch pwned)', '`id`', '1.0 beta', '', '-rf', '.hidden', '1..2', '1.0.', 'x.lock', 'a/b', '1.0\n2', 'x'.repeat(65)])(
    'refuses %j',
    (version) => {
      expect(checkVersion(version)).toMatch(/^expected a version/);
    },
  );

  it('names where the version came from', () => {
    expect(describeVersionProblem('--to', '$(touch pwned)')).toBe(
      `--to: "$(touch pwned)" refused: expected a version like 1.2.3 or a tag name (letters, digits, '.', '_', '+' and '-', starting with a letter or digit, at most 64)`,
    );
  });
});
