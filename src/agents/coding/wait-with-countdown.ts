/**
 * Waits `seconds`, telling `tell` how long is left once a second (and at the start), so a person
 * watching sees the pause count down. Ends early, returning false, when the signal aborts.
 */
export function waitWithCountdown(seconds: number, signal: AbortSignal, tell: (secondsLeft: number) => void): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  const until = Date.now() + seconds * 1000;
  return new Promise((resolve) => {
    tell(Math.ceil(seconds));
    const tick = setInterval(() => {
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left > 0) tell(left);
    }, 1000);
    const done = (ok: boolean): void => {
      clearInterval(tick);
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(true), Math.max(0, until - Date.now()));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
