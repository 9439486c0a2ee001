// The business case as the operator guide writes it in a request ("Business Case:" and its
// "- Justification:", "- Cost estimate:", "- Alternatives considered:", "- Risk assessment:"
// lines), read into the queue's `business_case` object. A part that is not found is left out, so
// the queue's own check names it (`business_case.cost_estimate: missing`).

const KEY = /^\s*[-*]\s*([A-Za-z][A-Za-z \-]*?)\s*:\s*(.*)$/;
const NUMBERED = /^\s*(?:\d+[.)]|[-*])\s*(.+?)\s*$/;
const REJECTED = /^(.*?)\s*\((?:rejected)\s*[-–—:]\s*(.+)\)\s*$/i;
const COST = /^\$?\s*([\d,]+(?:\.\d+)?)\s*(?:USD)?\s*(?:\/|per|a)\s*(?:month|mo)\b\s*(?:\((.+)\))?\s*(.*)$/i;

/** Reads the guide's text; the resource comes from a first line "Provision <resource>." when there is one. */
export function readBusinessCaseText(text: string): { businessCase: Record<string, unknown>; resource?: string } {
  const lines = text.split(/\r?\n/);
  const bc: Record<string, unknown> = {};
  let resource: string | undefined;
  let section: 'alternatives' | 'risk' | undefined;
  const alternatives: Record<string, string>[] = [];
  const risk: Record<string, string> = {};
  for (const line of lines) {
    if (!line.trim()) continue;
    const provision = /^\s*Provision\s+(?:an?\s+)?(?:new\s+)?(.+?)\.?\s*$/i.exec(line);
    if (provision && resource === undefined && Object.keys(bc).length === 0) {
      resource = provision[1];
      continue;
    }
    const indented = /^\s{2,}/.test(line);
    const key = KEY.exec(line);
    if (section && indented) {
      if (section === 'risk' && key) {
        const name = (key[1] ?? '').toLowerCase().replace(/[\s-]+/g, '_');
        if (name === 'security' || name === 'operational' || name === 'data_loss') risk[name] = key[2] ?? '';
        continue;
      }
      if (section === 'alternatives') {
        const item = NUMBERED.exec(line)?.[1] ?? line.trim();
        const rejected = REJECTED.exec(item);
        alternatives.push(rejected ? { option: rejected[1] ?? '', rejected_because: rejected[2] ?? '' } : { option: item, rejected_because: '' });
        continue;
      }
    }
    if (!key) continue;
    section = undefined;
    const name = (key[1] ?? '').toLowerCase();
    const value = (key[2] ?? '').trim();
    if (name === 'justification') bc.justification = value;
    else if (name === 'cost estimate' || name === 'cost') {
      const m = COST.exec(value);
      bc.cost_estimate = m ? { monthly_usd: Number((m[1] ?? '').replaceAll(',', '')), basis: (m[2] ?? m[3] ?? '').trim() } : { basis: value };
    } else if (name.startsWith('alternatives')) section = 'alternatives';
    else if (name.startsWith('risk')) section = 'risk';
  }
  if (alternatives.length > 0) bc.alternatives = alternatives;
  if (Object.keys(risk).length > 0) bc.risk = risk;
  return { businessCase: bc, ...(resource ? { resource } : {}) };
}
