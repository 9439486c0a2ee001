import { createPrompt, isEnterKey, makeTheme, useEffect, useKeypress, usePrefix, useState } from '@inquirer/core';
import { writeOwnControls } from '../terminal-guard.js';

export interface GateConfirmConfig {
  message: string;
  /** Other tasks' progress while the question waits: `show` is called with the lines to draw beneath it. */
  meanwhile?: ((show: (lines: string[]) => void) => () => void) | undefined;
  /** An answer given elsewhere (another shell): the question closes with this text as its answer. */
  elsewhere?: Promise<string> | undefined;
  /** How many lines the last drawing put beneath the question (set by the prompt). */
  drawn?: { below: number };
}

/**
 * A yes/no question (y/N) that keeps the rest of the run in view beneath it, and that closes by
 * itself when the decision is taken elsewhere. Resolves true/false, or 'elsewhere'.
 */
const confirmBeneath = createPrompt<boolean | 'elsewhere', GateConfirmConfig>((config, done) => {
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
  if (config.drawn) config.drawn.below = below.length === 0 ? 0 : below.length + 1;
  if (below.length === 0) return line;
  return [line, ['  meanwhile (the other tasks go on):', ...below.map((l) => `  ${l}`)].join('\n')];
});

/**
 * The question, answered: true/false, or 'elsewhere'. Withdrawn (Ctrl-C, a timeout, the run
 * stopping), the prompt library leaves what was beneath it on screen: those lines are wiped here.
 */
export async function gateConfirm(config: GateConfirmConfig, context: Parameters<typeof confirmBeneath>[1]): Promise<boolean | 'elsewhere'> {
  const drawn = { below: 0 };
  try {
    return await confirmBeneath({ ...config, drawn }, context);
  } catch (e) {
    if (drawn.below > 0) writeOwnControls(`\x1b[${drawn.below}F\x1b[0J`);
    throw e;
  }
}
