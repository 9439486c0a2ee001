import { emptyOutput, oneLine, type OutputParser } from './agent-output.js';

// Aider prints, after each reply: "Tokens: 2.3k sent, 450 received. Cost: $0.02 message, $0.05 session."
const AIDER_USAGE = /Tokens:\s*([\d.,]+)(k|m)?\s+sent,\s*([\d.,]+)(k|m)?\s+received\.(?:\s*Cost:\s*\$([\d.]+)\s+message)?/gi;

/** Plain text, as any CLI prints it: the whole output is the answer. */
export function createTextParser(): OutputParser {
  const lines: string[] = [];
  return {
    push(line) {
      lines.push(line);
      const shown = oneLine(line);
      return shown ? [shown] : [];
    },
    finish() {
      const out = emptyOutput();
      out.answer = lines.join('\n');
      // Plain text has no turns to tell apart: the whole output is the final answer.
      out.final = out.answer;
      return out;
    },
  };
}

/** Aider's plain output, with the token and cost figures it prints after each reply added up. */
export function createAiderParser(): OutputParser {
  const text = createTextParser();
  return {
    push: (line) => text.push(line),
    finish() {
      const out = text.finish();
      for (const m of out.answer.matchAll(AIDER_USAGE)) {
        out.metrics.inputTokens = (out.metrics.inputTokens ?? 0) + count(m[1], m[2]);
        out.metrics.outputTokens = (out.metrics.outputTokens ?? 0) + count(m[3], m[4]);
        if (m[5] !== undefined) out.metrics.costUsd = (out.metrics.costUsd ?? 0) + Number(m[5]);
        out.metrics.turns = (out.metrics.turns ?? 0) + 1;
      }
      return out;
    },
  };
}

function count(digits: string | undefined, unit: string | undefined): number {
  const n = Number((digits ?? '0').replaceAll(',', ''));
  const scale = unit?.toLowerCase() === 'k' ? 1_000 : unit?.toLowerCase() === 'm' ? 1_000_000 : 1;
  return Math.round(n * scale);
}
