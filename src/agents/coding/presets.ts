import type { OutputParser } from './agent-output.js';
import { createClaudeParser } from './parse-claude.js';
import { createCodexParser } from './parse-codex.js';
import { createGeminiParser } from './parse-gemini.js';
import { createAiderParser, createTextParser } from './parse-text.js';

export interface PresetOptions {
  model?: string | undefined;
  /** Claude: --permission-mode; Gemini: --approval-mode; Codex: --sandbox. */
  permissionMode?: string | undefined;
  /** Continue this session (where the CLI can). */
  resumeSession?: string | null | undefined;
  /** More arguments, placed before the prompt. */
  args?: readonly string[] | undefined;
}

export interface Invocation {
  argv: string[];
  /** The prompt on stdin (else it is inside argv, as one argument). */
  stdin: string | null;
}

/** A coding CLI the loop knows how to drive. */
export interface Preset {
  name: string;
  program: string;
  title: string;
  /** Where the permission mode goes, for `agents` to say. */
  permissionFlag: string | null;
  defaultPermissionMode: string | null;
  /** Can a later iteration continue the last one's session? */
  resumes: boolean;
  invoke(prompt: string, options: PresetOptions): Invocation;
  createParser(): OutputParser;
}

const opt = (flag: string, value: string | null | undefined): string[] => (value ? [flag, value] : []);

// Prompts go on stdin or as `--flag=value`: a prompt starting with '-' is never read as an option.
export const PRESETS: readonly Preset[] = [
  {
    name: 'claude',
    program: 'claude',
    title: 'Claude Code',
    permissionFlag: '--permission-mode',
    defaultPermissionMode: 'acceptEdits',
    resumes: true,
    invoke: (prompt, o) => ({
      argv: ['claude', '-p', '--output-format', 'stream-json', '--verbose', ...opt('--permission-mode', o.permissionMode ?? 'acceptEdits'), ...opt('--model', o.model), ...opt('--resume', o.resumeSession), ...(o.args ?? [])],
      stdin: prompt,
    }),
    createParser: createClaudeParser,
  },
  {
    name: 'codex',
    program: 'codex',
    title: 'OpenAI Codex CLI',
    permissionFlag: '--sandbox',
    defaultPermissionMode: 'workspace-write',
    resumes: true,
    // The loop keeps its own git checkpoints: codex may run in a folder that is not a repository.
    // `codex exec resume <thread_id>` continues a thread (it takes no --sandbox: the thread keeps its own).
    invoke: (prompt, o) => ({
      argv: o.resumeSession
        ? ['codex', 'exec', 'resume', '--json', '--skip-git-repo-check', ...opt('--model', o.model), ...(o.args ?? []), o.resumeSession, '-']
        : ['codex', 'exec', '--json', ...opt('--sandbox', o.permissionMode ?? 'workspace-write'), '--skip-git-repo-check', ...opt('--model', o.model), ...(o.args ?? []), '-'],
      stdin: prompt,
    }),
    createParser: createCodexParser,
  },
  {
    name: 'gemini',
    program: 'gemini',
    title: 'Gemini CLI',
    permissionFlag: '--approval-mode',
    defaultPermissionMode: 'auto_edit',
    resumes: true,
    invoke: (prompt, o) => ({
      argv: ['gemini', '--output-format', 'stream-json', ...opt('--approval-mode', o.permissionMode ?? 'auto_edit'), ...opt('--model', o.model), ...opt('--resume', o.resumeSession), ...(o.args ?? []), `--prompt=${prompt}`],
      stdin: null,
    }),
    createParser: createGeminiParser,
  },
  {
    name: 'aider',
    program: 'aider',
    title: 'Aider',
    permissionFlag: null,
    defaultPermissionMode: null,
    resumes: false,
    // The loop makes its own checkpoints: aider's commits would interleave with them.
    invoke: (prompt, o) => ({
      argv: ['aider', '--yes-always', '--no-auto-commits', '--no-pretty', '--no-stream', ...opt('--model', o.model), ...(o.args ?? []), `--message=${prompt}`],
      stdin: null,
    }),
    createParser: createAiderParser,
  },
];

export const PRESET_NAMES = PRESETS.map((p) => p.name);

export function findPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}

/** Any argv: the prompt on stdin, the output read as plain text. */
export function textParser(): OutputParser {
  return createTextParser();
}
