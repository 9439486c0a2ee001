import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretStream, redactSecrets } from '../../src/log/redact-secrets.js';

// Issue 19: multi-line secrets other than PEM blocks, found by context (no value known beforehand,
// no rule of the line-by-line rule set sees them), whole and through the stream in any chunks.

const env = { PATH: '/usr/bin' };
const token = (): string => randomBytes(24).toString('base64url');

function cases(): { name: string; text: string; secrets: string[]; kept: string[] }[] {
  const jsonValue = token();
  const yamlLines = [token(), token(), token()];
  const continued = token();
  const wrapped = randomBytes(300).toString('base64').match(/.{1,76}/g)!;
  const envValue = token();
  return [
    { name: 'a JSON value on the line after its name', text: `{\n  "client_secret":\n    "${jsonValue}",\n  "region": "eu-west-1"\n}\n`, secrets: [jsonValue], kept: ['"region": "eu-west-1"'] },
    { name: 'a YAML block scalar under a secret name', text: `service:\n  private_key: |\n    ${yamlLines.join('\n    ')}\n  port: 8080\n`, secrets: yamlLines, kept: ['port: 8080', 'service:'] },
    { name: 'a shell line continued with a backslash', text: `export API_TOKEN=\\\n  ${continued}\necho done\n`, secrets: [continued], kept: ['echo done'] },
    { name: 'a wrapped base64 block (base64 -w 76)', text: `the key file:\n${wrapped.join('\n')}\nwritten.\n`, secrets: wrapped.slice(0, -1), kept: ['the key file:', 'written.'] },
    { name: 'an env file value on the next line', text: `DB_PASSWORD=\n${envValue}\nDB_HOST=db\n`, secrets: [envValue], kept: ['DB_HOST=db'] },
  ];
}

describe('multi-line secrets', () => {
  for (const c of cases()) {
    it(`redacts ${c.name}, whole and in chunks of 1..23 characters`, () => {
      const whole = redactSecrets(c.text, env);
      for (const s of c.secrets) expect(whole, whole).not.toContain(s);
      for (const k of c.kept) expect(whole).toContain(k);
      for (let size = 1; size <= 23; size++) {
        const stream = createSecretStream(env);
        let out = '';
        for (let i = 0; i < c.text.length; i += size) out += stream.push(c.text.slice(i, i + size));
        out += stream.end();
        for (const s of c.secrets) expect(out, `chunks of ${size}: ${out}`).not.toContain(s);
        for (const k of c.kept) expect(out).toContain(k);
      }
    });
  }

  it('leaves ordinary multi-line output alone: YAML mappings, hex hash lists, names with values on their line', () => {
    const hashes = Array.from({ length: 4 }, () => randomBytes(20).toString('hex')).join('\n');
    const text = `environments:\n  development:\n    port: 4301\ncommits:\n${hashes}\ntoken_count: 12\nsecrets:\n  - name: db\n    from: vault\n`;
    expect(redactSecrets(text, env)).toBe(text);
    const stream = createSecretStream(env);
    expect(stream.push(text) + stream.end()).toBe(text);
  });
});
