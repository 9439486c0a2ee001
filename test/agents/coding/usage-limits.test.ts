import { describe, expect, it } from 'vitest';
import { readLines } from '../../../src/agents/coding/agent-output.js';
import { classifyFailure } from '../../../src/agents/coding/classify-failure.js';
import { createClaudeParser } from '../../../src/agents/coding/parse-claude.js';
import { createCodexParser } from '../../../src/agents/coding/parse-codex.js';
import { createGeminiParser } from '../../../src/agents/coding/parse-gemini.js';
import { readResetTime } from '../../../src/agents/coding/read-reset-time.js';

// Issue 26: the reset time of a usage limit, as each preset's CLI reports it.
describe('reading when a usage limit resets', () => {
  const now = Date.UTC(2026, 11, 6, 12, 0, 0);
  it('retry-after, retry in, retryDelay, try again in', () => {
    expect(readResetTime('retry-after: 40', now)).toBe(now + 40_000);
    expect(readResetTime('Please retry in 41.5s.', now)).toBe(now + 41_500);
    expect(readResetTime('"retryDelay": "30s"', now)).toBe(now + 30_000);
    expect(readResetTime("You've hit your usage limit. Try again in 2 hours 5 minutes.", now)).toBe(now + (2 * 3600 + 5 * 60) * 1000);
    expect(readResetTime('nothing here', now)).toBeNull();
  });

  it('a clock time, in a named zone or local, the next one after now', () => {
    expect(readResetTime("You've hit your limit · resets 2pm (UTC)", now)).toBe(Date.UTC(2026, 11, 6, 14, 0));
    expect(readResetTime('limit reached, resets at 11:30 am (UTC)', now)).toBe(Date.UTC(2026, 11, 7, 11, 30));
    expect(readResetTime('resets 3pm (Europe/Berlin)', now)).toBe(Date.UTC(2026, 11, 6, 14, 0));
    expect(readResetTime('resets 3pm (Not/AZone)', now)).toBeNull();
  });
});

describe('usage limits as each preset reports them', () => {
  const now = Date.now();
  it("Claude Code: a rejected rate_limit_event's resetsAt; an allowed one is no limit", () => {
    const read = (status: string) =>
      readLines(createClaudeParser(), [
        JSON.stringify({ type: 'rate_limit_event', rate_limit_info: { status, resetsAt: Math.floor(now / 1000) + 600, rateLimitType: 'five_hour' } }),
        JSON.stringify({ type: 'result', subtype: 'success', is_error: status === 'rejected', result: "You've hit your limit · resets 2pm (UTC)" }),
      ].join('\n'));
    expect(read('rejected').resetAt).toBe((Math.floor(now / 1000) + 600) * 1000);
    expect(read('allowed').resetAt).toBeNull();
  });

  it('Codex: an error event saying when to try again', () => {
    const out = readLines(createCodexParser(), JSON.stringify({ type: 'error', message: "You've hit your usage limit. Upgrade to Pro or try again in 3 hours 20 minutes." }));
    const t = classifyFailure(out.error, '', now);
    expect(t).toMatchObject({ reason: 'rate limited', resetAt: now + (3 * 3600 + 20 * 60) * 1000 });
  });

  it('Gemini CLI: a quota error with its retry delay', () => {
    const out = readLines(createGeminiParser(), [JSON.stringify({ type: 'error', message: 'Quota exceeded for quota metric generate_content_requests. Please retry in 41.2s.' }), JSON.stringify({ type: 'result', status: 'error', error: { message: 'RESOURCE_EXHAUSTED' } })].join('\n'));
    expect(classifyFailure(out.error, 'Quota exceeded for quota metric generate_content_requests. Please retry in 41.2s.', now)).toMatchObject({ reason: 'rate limited', resetAt: now + 41_200 });
  });

  it('a retry-after printed on its own line after the 429', () => {
    expect(classifyFailure('HTTP 429 Too Many Requests', 'headers:\nretry-after: 120', now)).toMatchObject({ reason: 'rate limited', retryAfterSeconds: 120 });
  });
});
