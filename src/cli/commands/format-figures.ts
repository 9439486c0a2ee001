/** "$0.0123 · 12.3k tok · 4 turns · 1m05s": what an iteration or a task spent, the known parts. */
export function formatFigures(f: { cost_usd: number | null; tokens: number | null; turns: number | null; duration_ms: number | null }): string {
  const parts: string[] = [];
  if (f.cost_usd !== null) parts.push(`$${f.cost_usd.toFixed(f.cost_usd < 1 ? 4 : 2)}`);
  if (f.tokens !== null) parts.push(`${f.tokens >= 1000 ? `${(f.tokens / 1000).toFixed(1)}k` : f.tokens} tok`);
  if (f.turns !== null) parts.push(`${f.turns} turn${f.turns === 1 ? '' : 's'}`);
  if (f.duration_ms !== null && f.duration_ms > 0) parts.push(formatDuration(f.duration_ms));
  return parts.join(' · ');
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Input + output tokens of a stored iteration, null when its agent reported neither. */
export function iterationTokens(r: { input_tokens: number | null; output_tokens: number | null }): number | null {
  return r.input_tokens === null && r.output_tokens === null ? null : (r.input_tokens ?? 0) + (r.output_tokens ?? 0);
}
