// A failure the CLI would not have had a moment later: the provider's rate limit or overload, or
// the network. Retried after a pause, without spending an iteration.
const TRANSIENT: { pattern: RegExp; reason: string }[] = [
  { pattern: /\b429\b|rate[ _-]?limit(ed)?|too many requests|usage limit reached/i, reason: 'rate limited' },
  { pattern: /\b529\b|overloaded/i, reason: 'overloaded' },
  { pattern: /\b50[234]\b.{0,40}(gateway|unavailable|error)|service unavailable|temporarily unavailable/i, reason: 'service unavailable' },
  { pattern: /ECONNRESET|ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|ENETUNREACH|socket hang up|fetch failed|network error|connection (error|reset|refused)/i, reason: 'network error' },
];

const RETRY_AFTER = /retry[- ]after[:\s]+(\d+(?:\.\d+)?)\s*(s|sec|seconds|ms)?/i;

export interface TransientFailure {
  reason: string;
  /** The line that said so. */
  line: string;
  /** Seconds the provider asked to wait, when it said. */
  retryAfterSeconds: number | null;
}

/**
 * Whether a failed run failed for a passing reason. Only the CLI's error text and the last lines
 * of its output are read: an agent that writes about 429s in its answer is not rate limited.
 */
export function classifyFailure(errorText: string | null, outputTail: string): TransientFailure | null {
  const lines = [...(errorText ? errorText.split('\n') : []), ...outputTail.split('\n').slice(-15)];
  for (const line of lines) {
    for (const t of TRANSIENT) {
      if (!t.pattern.test(line)) continue;
      const after = RETRY_AFTER.exec(line);
      const seconds = after ? Number(after[1]) / (after[2] === 'ms' ? 1000 : 1) : null;
      return { reason: t.reason, line: line.trim().slice(0, 300), retryAfterSeconds: seconds };
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

/** Exponential, capped; a provider's Retry-After wins when it asks for longer. */
export function backoffSeconds(policy: RetryPolicy, attempt: number, retryAfter: number | null): number {
  const exponential = Math.min(policy.maxSeconds, policy.initialSeconds * 2 ** Math.max(0, attempt - 1));
  return retryAfter !== null ? Math.min(policy.maxSeconds, Math.max(exponential, retryAfter)) : exponential;
}
