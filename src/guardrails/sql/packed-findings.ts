import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Finding } from '../finding.js';

// A large file's findings, held until the file is read through (its dialect may still change,
// SQLite's rebuild idiom is judged over all of it), packed chunk by chunk: as JSON, deflated.
// Measured on the templated bench file (50 MB, 136k findings): the findings as objects were most
// of the scan's memory (peak 195 MB, 3.9x the file); packed they are a few MB. They are unpacked
// one chunk's worth at a time, in the order they were found, as the scan's output is written.

export class PackedFindings {
  private readonly parts: Buffer[] = [];

  /** Packs one chunk's findings (in the order found). */
  add(findings: readonly Finding[]): void {
    if (findings.length > 0) this.parts.push(deflateRawSync(JSON.stringify(findings), { level: 1 }));
  }

  /** The findings, one chunk's at a time, as they were added. */
  *batches(): Generator<Finding[], void> {
    for (const part of this.parts) yield JSON.parse(inflateRawSync(part).toString('utf8')) as Finding[];
  }
}
