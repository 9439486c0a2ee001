import { describe, expect, it } from 'vitest';
import { createSecretStream, redactSecrets } from '../../src/log/redact-secrets.js';

// Streamed output of megabytes must not become slow: 5 MB through the stream redactor in 64 KiB
// chunks — build-like output, and a worst case where every line wakes the rules' keywords
// (token, auth, key, api: the generic rule runs on every line).
function measure(line: (i: number) => string): number {
    let text = '';
    for (let i = 0; text.length < 5 * 1024 * 1024; i++) text += line(i);
    const env = { PATH: '/usr/bin', MY_TOKEN: 'tok-abcdefghijkl123456', DATABASE_URL: 'postgres://u:pw-0123456789@db/x' };
    redactSecrets('warm up', env);
    const started = performance.now();
    const stream = createSecretStream(env);
    let out = '';
    for (let i = 0; i < text.length; i += 65536) out += stream.push(text.slice(i, i + 65536));
    out += stream.end();
    const ms = performance.now() - started;
    const mbPerS = text.length / 1048576 / (ms / 1000);
    console.log(`redaction: ${(text.length / 1048576).toFixed(1)} MB in ${Math.round(ms)} ms (${mbPerS.toFixed(1)} MB/s)`);
    expect(out.length).toBeGreaterThan(text.length * 0.9);
    return mbPerS;
}

describe('redaction speed', () => {
  it('redacts build output at over 5 MB/s', () => {
    expect(measure((i) => `[${i}] compiling src/module-${i}.ts ... ok (12ms), ${i * 7} lines, 3 warnings; see dist/module-${i}.js\n`)).toBeGreaterThan(5);
  });
  it('redacts output where every line wakes a keyword at over 1 MB/s', () => {
    expect(measure((i) => `[${i}] compiling src/module-${i}.ts ... ok (12ms) token count=${i * 7} auth ok key rotated api GET /v1/items?page=${i}\n`)).toBeGreaterThan(1);
  });
});
