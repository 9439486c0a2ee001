// A failure the CLI would not have had a moment later: the provider's rate limit or overload, or
// the network. Retried after a pause, without spending an iteration.
const TRANSIENT: { pattern: RegExp; reason: string }[] = [
  { pattern: /\b429\b|rate[ _-]?limit(ed)?|too many requests|usage limit|hit your (?:usage )?limit|quota exceeded|exhausted your .*quota|RESOURCE_EXHAUSTED/i, reason: 'rate limited' },
  { pattern: /\b529\b|overloaded/i, reason: 'overloaded' },
  { pattern: /\b50[234]\b.{0,40}(gateway|unavailable|error)|service unavailable|temporarily unavailable/i, reason: 'service unavailable' },
  { pattern: /ECONNRESET|ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|ENETUNREACH|socket hang up|fetch failed|network error|connection (error|reset|refused)/i, reason: 'network error' },
];

import { readResetTime } from './read-reset-time.js';

export interface TransientFailure {
  reason: string;
  /** The line that said so. */
  line: string;
  /** Seconds the provider asked to wait, when it said (retry-after, "retry in 41s", "resets at 3pm"). */
  retryAfterSeconds: number | null;
  /** When the limit resets (epoch ms), when the output says. */
  resetAt: number | null;
}

/**
 * Whether a failed run failed for a passing reason. Only the CLI's error text and the last lines
 * of its output are read: an agent that writes about 429s in its answer is not rate limited.
 */
export function classifyFailure(errorText: string | null, outputTail: string, now = Date.now()): TransientFailure | null {
  const lines = [...(errorText ? errorText.split('\n') : []), ...outputTail.split('\n').slice(-15)];
  for (const line of lines) {
    for (const t of TRANSIENT) {
      if (!t.pattern.test(line)) continue;
      // The reset time may be on any line read (a `retry-after:` header printed apart from the 429).
      const resetAt = readResetTime(line, now) ?? lines.map((l) => readResetTime(l, now)).find((r) => r !== null) ?? null;
      const seconds = resetAt !== null ? Math.max(0, (resetAt - now) / 1000) : null;
      return { reason: t.reason, line: line.trim().slice(0, 300), retryAfterSeconds: seconds, resetAt };
    }
  }
  return null;
}

export interface RetryPolicy {
  initialSeconds: number;
  maxSeconds: number;
  maxRetries: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialSeconds: 5, maxSeconds: 300, maxRetries: 6 };

/** How long the loop waits for a usage limit to reset before it stops the run resumably (exit 6). */
export const DEFAULT_MAX_WAIT_SECONDS = 6 * 3600;

/** Exponential, capped; a provider's Retry-After wins when it asks for longer. */
export function backoffSeconds(policy: RetryPolicy, attempt: number, retryAfter: number | null): number {
  const exponential = Math.min(policy.maxSeconds, policy.initialSeconds * 2 ** Math.max(0, attempt - 1));
  return retryAfter !== null ? Math.min(policy.maxSeconds, Math.max(exponential, retryAfter)) : exponential;
}
