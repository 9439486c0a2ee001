import { createPrompt, isEnterKey, makeTheme, useEffect, useKeypress, usePrefix, useState } from '@inquirer/core';

export interface GateConfirmConfig {
  message: string;
  /** Other tasks' progress while the question waits: `show` is called with the lines to draw beneath it. */
  meanwhile?: ((show: (lines: string[]) => void) => () => void) | undefined;
  /** An answer given elsewhere (another shell): the question closes with this text as its answer. */
  elsewhere?: Promise<string> | undefined;
}

/**
 * A yes/no question (y/N) that keeps the rest of the run in view beneath it, and that closes by
 * itself when the decision is taken elsewhere. Resolves true/false, or 'elsewhere'.
 */
export const gateConfirm = createPrompt<boolean | 'elsewhere', GateConfirmConfig>((config, done) => {
  const [status, setStatus] = useState<'idle' | 'done'>('idle');
  const [value, setValue] = useState('');
  const [answer, setAnswer] = useState('');
  const [below, setBelow] = useState<string[]>([]);
  const theme = makeTheme();
  const prefix = usePrefix({ status, theme });
  useEffect(() => {
    let open = true;
    const unwatch = config.meanwhile?.((lines) => {
      if (open) setBelow(lines);
    });
    void config.elsewhere?.then((text) => {
      if (!open) return;
      open = false;
      setAnswer(text);
      setStatus('done');
      done('elsewhere');
    });
    return () => {
      open = false;
      unwatch?.();
    };
  }, []);
  useKeypress((key, rl) => {
    if (status !== 'idle') return;
    if (isEnterKey(key)) {
      const yes = /^y(es)?$/i.test(value.trim());
      setAnswer(yes ? 'Yes' : 'No');
      setStatus('done');
      done(yes);
    } else {
      setValue(rl.line);
    }
  });
  const message = theme.style.message(config.message, status);
  if (status === 'done') return `${prefix} ${message} ${theme.style.answer(answer)}`;
  const line = `${prefix} ${message} ${theme.style.defaultAnswer('y/N')} ${value}`;
  if (below.length === 0) return line;
  return [line, ['  meanwhile (the other tasks go on):', ...below.map((l) => `  ${l}`)].join('\n')];
});
