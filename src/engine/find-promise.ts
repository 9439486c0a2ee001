const PROMISE_TAG = /<promise>([\s\S]*?)<\/promise>/g;

const normalize = (s: string): string => s.replace(/\s+/g, ' ').trim();

/**
 * Whether the output keeps the promise: a `<promise>TEXT</promise>` whose TEXT equals it exactly
 * (whitespace-normalised, case-sensitive). Text that only echoes the prompt back does not count:
 * every copy of the prompt in the output is taken out before looking.
 */
export function findPromise(output: string, promise: string, prompt = ''): boolean {
  const wanted = normalize(promise);
  if (wanted === '') return false;
  let text = normalize(output);
  const echoed = normalize(prompt);
  if (echoed !== '' && echoed.includes('<promise>')) text = text.split(echoed).join(' ');
  for (const m of text.matchAll(PROMISE_TAG)) {
    if (normalize(m[1] ?? '') === wanted) return true;
  }
  return false;
}
