import { describe, expect, it } from 'vitest';
import { backoffSeconds, classifyFailure, DEFAULT_RETRY } from '../../../src/agents/coding/classify-failure.js';
import { DEFAULT_PROMPT_TEMPLATE, renderPrompt, unknownPlaceholders } from '../../../src/agents/coding/render-prompt.js';
import { detectStuck } from '../../../src/engine/detect-stuck.js';
import { durationSeconds } from '../../../src/queue/schema.js';
import { findPreset } from '../../../src/agents/coding/presets.js';

const values = { description: 'Fix {last_error} in sum()', iteration: '2', max_iterations: '5', promise: 'DONE', last_error: 'tests failed: {promise}', last_output_tail: '1 failing' };

describe('the prompt template', () => {
  it('fills each placeholder once: text that holds a placeholder is not filled again', () => {
    const prompt = renderPrompt(DEFAULT_PROMPT_TEMPLATE, values);
    expect(prompt).toContain('Fix {last_error} in sum()');
    expect(prompt).toContain('(Iteration 2 of 5.)');
    expect(prompt).toContain('<promise>DONE</promise>');
    expect(prompt).toContain('The last iteration did not finish the task: tests failed: {promise}');
    expect(prompt).toContain('1 failing');
  });

  it('says nothing of a last iteration on the first', () => {
    expect(renderPrompt(DEFAULT_PROMPT_TEMPLATE, { ...values, last_error: '', last_output_tail: '' })).not.toContain('last iteration');
    expect(renderPrompt('{description}|{last_error}|{last_output_tail}', { ...values, last_error: '', last_output_tail: '' })).toBe('Fix {last_error} in sum()||');
  });

  it('names placeholders the loop does not fill', () => {
    expect(unknownPlaceholders('{description} {last_eror} {feedback}')).toEqual(['last_eror']);
  });
});

describe('transient failures', () => {
  it('rate limits, overload and the network are transient; the answer is not read', () => {
    expect(classifyFailure('API Error: 429 rate_limit_error', '')?.reason).toBe('rate limited');
    expect(classifyFailure(null, 'ok\nError: 529 Overloaded')?.reason).toBe('overloaded');
    expect(classifyFailure('request to https://api failed, reason: getaddrinfo EAI_AGAIN api', '')?.reason).toBe('network error');
    expect(classifyFailure('Error: tests failed: 3 failing', 'exit 1')).toBeNull();
    expect(classifyFailure('429 Too Many Requests, retry-after: 40', '')?.retryAfterSeconds).toBe(40);
  });

  it('backs off exponentially, capped, and waits at least what the provider asks', () => {
    expect([1, 2, 3, 4].map((a) => backoffSeconds(DEFAULT_RETRY, a, null))).toEqual([5, 10, 20, 40]);
    expect(backoffSeconds(DEFAULT_RETRY, 20, null)).toBe(300);
    expect(backoffSeconds(DEFAULT_RETRY, 1, 42)).toBe(42);
  });
});

describe('stuck detection', () => {
  it('the same failure N times in a row (numbers aside) is stuck, with the repeated line', () => {
    const fail = (n: number) => ({ error: `claude: exited with code 1: 3 failing (took ${n}ms)`, output: `run ${n}` });
    expect(detectStuck([fail(1), fail(2)], 3)).toBeNull();
    expect(detectStuck([fail(1), fail(2), fail(3)], 3)).toBe('stuck: the same failure 3 iterations in a row: claude: exited with code 1: 3 failing (took 3ms)');
    expect(detectStuck([fail(1), { error: 'other', output: '' }, fail(3)], 3)).toBeNull();
  });

  it('(near-)identical output N times in a row is stuck; output that moves on is not', () => {
    const same = (n: number) => ({ error: null, output: `Looking at the task (took ${n * 1.5}s).\nStill working.\nNo promise yet.` });
    expect(detectStuck([same(1), same(2), same(3)], 3)).toBe('stuck: (near-)identical output 3 iterations in a row: No promise yet.');
    const moving = [1, 2, 3].map((n) => ({ error: null, output: `Implemented part ${'abc'[n - 1]}: file${'xyz'[n - 1]}.ts` }));
    expect(detectStuck(moving, 3)).toBeNull();
  });

  it('progress is never stuck: numbers that move on, a changed file, a better verify result (issue 26)', () => {
    const converted = [1, 2, 3].map((n) => ({ error: null, output: `Converted module ${n} of 5.\nNo promise yet.` }));
    expect(detectStuck(converted, 3)).toBeNull();
    const coverage = [40, 70, 90].map((n) => ({ error: null, output: `Coverage is now ${n} %.` }));
    expect(detectStuck(coverage, 3)).toBeNull();
    const fail = { error: 'verify: 3 passed, 1 failed — test/x › adds', output: 'Tried again.' };
    expect(detectStuck([fail, fail, fail], 3)).toMatch(/^stuck: the same failure 3 iterations in a row: verify: 3 passed, 1 failed/);
    expect(detectStuck([fail, { ...fail, progress: true }, fail], 3)).toBeNull();
    expect(detectStuck([{ ...fail, progress: true }, fail, fail, fail], 3)).toMatch(/^stuck:/);
  });
});

describe('presets', () => {
  it('put the prompt on stdin or in one --flag=value, and resume where the CLI can', () => {
    const claude = findPreset('claude')?.invoke('-rm -rf /', { resumeSession: 's-1', model: 'm' });
    expect(claude).toEqual({ argv: ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits', '--model', 'm', '--resume', 's-1'], stdin: '-rm -rf /' });
    expect(findPreset('codex')?.invoke('p', { resumeSession: 't-1' }).argv).toEqual(['codex', 'exec', 'resume', '--json', '--skip-git-repo-check', 't-1', '-']);
    expect(findPreset('gemini')?.invoke('-x', {}).argv.at(-1)).toBe('--prompt=-x');
    expect(findPreset('aider')?.invoke('-x', {}).argv.at(-1)).toBe('--message=-x');
  });
});

describe('durations', () => {
  it('max_runtime reads seconds or a unit', () => {
    expect([durationSeconds(90), durationSeconds('90s'), durationSeconds('30m'), durationSeconds('2h'), durationSeconds('1d')]).toEqual([90, 90, 1800, 7200, 86400]);
  });
});
