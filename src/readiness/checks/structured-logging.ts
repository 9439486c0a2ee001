import { findImport } from '../imports.js';
import type { ReviewContext } from '../review-context.js';
import { lineAt } from '../source/lexed-source.js';
import type { ReadinessRule } from './rule.js';

// Loggers that write one JSON object a line (or do so with their usual set-up).
const NODE_LOGGERS = ['pino', 'pino-http', 'winston', 'bunyan', 'roarr', 'tslog', 'nestjs-pino', 'express-winston', 'express-pino-logger', '@aws-lambda-powertools/logger', 'log4js', '@google-cloud/logging-winston', 'signale-json'];
const PYTHON_LOGGERS = ['structlog', 'pythonjsonlogger', 'json_log_formatter', 'ecs_logging', 'django_structlog', 'jsonlogger', 'aws_lambda_powertools'];

// Logs are what an operator has at 3 a.m.; lines that a machine can search and filter.
export const structuredLoggingRule: ReadinessRule = {
  id: 'structured-logging',
  title: 'Structured logging',
  area: 'logging',
  impact:
    'Plain-text logs cannot be filtered by field or correlated across requests: during an incident people grep free text instead of querying by request id, user or error type.',
  run(ctx) {
    if (!ctx.service) return { findings: [], notApplicable: 'not a long-running service' };
    const plainFormat: string[] = [];
    const found = findStructuredLogging(ctx, plainFormat);
    if (found) return { findings: [], passed: found };
    if (plainFormat.length > 0) {
      return {
        findings: [
          {
            rule: this.id,
            title: 'The logger is configured to write plain text',
            severity: 'MEDIUM',
            location: plainFormat[0]?.split(': ')[0] ?? '',
            effort: 'S',
            evidence: `A structured logger is used, but its format writes lines of text, not JSON:\n${plainFormat.slice(0, 6).join('\n')}`,
            recommendation: 'Use a JSON format in production (winston: format.combine(format.timestamp(), format.errors({ stack: true }), format.json())); keep the pretty format for development only.',
            snippet: "const logger = winston.createLogger({\n  level: process.env.LOG_LEVEL ?? 'info',\n  format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),\n  transports: [new winston.transports.Console()],\n});",
          },
        ],
      };
    }
    const plain = findPlainLogging(ctx);
    return {
      findings: [
        {
          rule: this.id,
          title: 'No structured logging',
          severity: 'MEDIUM',
          location: plain ?? 'missing: a structured logger (pino, winston, bunyan; structlog, python-json-logger, a JSON logging formatter)',
          effort: 'M',
          evidence: plain
            ? `Logs are written as plain text (first at ${plain}); no structured logger (pino, winston, bunyan, structlog, python-json-logger, a JSON formatter) is used.`
            : 'No structured logger (pino, winston, bunyan, structlog, python-json-logger, a JSON formatter) is used outside tests.',
          recommendation: 'Log JSON lines with a level, a timestamp, a request or job id and the message, through one logger (pino/winston; structlog/python-json-logger).',
        },
      ],
    };
  },
};

function findStructuredLogging(ctx: ReviewContext, plainFormat: string[]): string | undefined {
  const nodeSites = ctx.imports.filter((s) => s.file.language === 'javascript' && NODE_LOGGERS.includes(s.module));
  for (const node of nodeSites) {
    if (node.module !== 'winston' && node.module !== 'express-winston' && node.module !== 'log4js') return `${node.file.rel}:${node.line} (${node.specifier})`;
    const source = ctx.files.lexed(node.file);
    const json = /\b(?:format\.)?(?:json|logstash)\s*\(|\blayout\s*:\s*\{\s*type\s*:\s*$/m.exec(source.code) ?? (node.module === 'log4js' ? /type\s*:\s*['"]json/.exec(source.text) : null);
    if (json) return `${node.file.rel}:${lineAt(source, json.index)} (${node.specifier} with a JSON format)`;
    const plain = /\b(?:format\.)?(?:printf|simple|cli)\s*\(/.exec(source.code);
    if (plain) {
      const line = lineAt(source, plain.index);
      plainFormat.push(`${node.file.rel}:${line}: ${(source.text.split('\n')[line - 1] ?? '').trim()}`);
    } else if (node.module === 'winston') {
      // winston's default format is JSON.
      if (!/\bformat\s*:/.test(source.code)) return `${node.file.rel}:${node.line} (winston, default JSON format)`;
    }
  }
  const python = findImport(
    ctx.imports.filter((s) => s.file.language === 'python'),
    PYTHON_LOGGERS,
  );
  if (python) return `${python.file.rel}:${python.line} (${python.specifier})`;
  for (const file of ctx.files.code({ toolConfig: false })) {
    const source = ctx.files.lexed(file);
    if (file.language === 'javascript') {
      // Fastify's own logger is pino.
      const m = /\bfastify\s*\(\s*\{[^}]*\blogger\s*:\s*(?:true|\{|[A-Za-z_$])/.exec(source.code);
      if (m) return `${file.rel}:${lineAt(source, m.index)} (Fastify's pino logger)`;
      continue;
    }
    const serialize = /\blogger\.add\s*\([^)]*\bserialize\s*=\s*True/.exec(source.code);
    if (serialize) return `${file.rel}:${lineAt(source, serialize.index)} (loguru with serialize=True)`;
    // A dotted class path in a logging config ("pythonjsonlogger.jsonlogger.JsonFormatter"), not prose that mentions both words.
    const formatter = source.strings.find((s) => /^[\w.]*(?:json|Json|JSON)[\w.]*Formatter$/.test(s.value) || /^[\w.]*jsonlogger[\w.]*$/.test(s.value));
    if (formatter) return `${file.rel}:${lineAt(source, formatter.start)} (JSON logging formatter "${formatter.value.slice(0, 80)}")`;
    const jsonClass = /\bclass\s+\w*J[Ss][Oo][Nn]\w*\s*\(\s*(?:logging\.)?Formatter\s*\)/.exec(source.code);
    if (jsonClass) return `${file.rel}:${lineAt(source, jsonClass.index)} (a JSON logging.Formatter)`;
  }
  return undefined;
}

/** Where the code logs plain text: console.log, print, logging.basicConfig. */
function findPlainLogging(ctx: ReviewContext): string | undefined {
  for (const file of ctx.files.code({ toolConfig: false })) {
    if (file.clientSide) continue;
    const source = ctx.files.lexed(file);
    const m =
      file.language === 'python'
        ? /(?<![\w.])(?:print\s*\(|logging\.(?:basicConfig|getLogger|info|warning|error)\s*\()/.exec(source.code)
        : /\bconsole\.(?:log|info|warn|error)\s*\(/.exec(source.code);
    if (m) return `${file.rel}:${lineAt(source, m.index)}`;
  }
  return undefined;
}
