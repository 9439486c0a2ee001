import { randomBytes, randomInt } from 'node:crypto';

// Fake secrets of real shapes: the 10 of issue 19 and 25 from gitleaks' public rule set
// (config/gitleaks.toml; each made to its rule's regex, random every run). `secrets` are the
// parts that must never be written anywhere; `line` is how an agent prints it.
export interface SecretShape {
  name: string;
  line: string;
  secrets: string[];
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pick = (alphabet: string, n: number): string => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
const alnum = (n: number): string => pick(ALNUM, n);
const lowerNum = (n: number): string => pick('abcdefghijklmnopqrstuvwxyz0123456789', n);
const hex = (n: number): string => pick('0123456789abcdef', n);
const digits = (n: number): string => pick('0123456789', n);
const word = (n: number): string => pick(`${ALNUM}_-`, n);

function shape(name: string, secret: string, line = `found ${secret} here`): SecretShape {
  return { name, line, secrets: [secret] };
}

/** A PEM private key: every body line is a secret of its own (only BEGIN was redacted before). */
function pemKey(): SecretShape {
  const body = Array.from({ length: 6 }, () => randomBytes(48).toString('base64'));
  return { name: 'PEM private key body', line: ['-----BEGIN RSA PRIVATE KEY-----', ...body, '-----END RSA PRIVATE KEY-----'].join('\n'), secrets: body };
}

export function issueShapes(knownToken: string): SecretShape[] {
  const awsId = `AKIA${pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;
  const awsSecret = pick(`${ALNUM}/+`, 40);
  return [
    pemKey(),
    shape('Google API key', `AIza${word(35)}`),
    shape('npm token', `npm_${alnum(36)}`),
    shape('GitLab PAT', `glpat-${word(20)}`),
    shape('Azure AccountKey', randomBytes(64).toString('base64'), ''),
    shape('SendGrid key', `SG.${word(22)}.${word(43)}`),
    shape('Slack webhook URL', `https://hooks.slack.com/services/T${alnum(8)}/B${alnum(10)}/${alnum(24)}`),
    shape('OpenAI project key', `sk-proj-${word(74)}T3BlbkFJ${word(74)}`),
    shape('Anthropic key', `sk-ant-api03-${word(93)}AA`),
    { name: 'base64 of a known token', line: `auth blob: ${Buffer.from(`user:${knownToken}`).toString('base64')}`, secrets: [Buffer.from(knownToken).toString('base64').slice(2, -4)] },
    { name: 'AWS secret key beside its key id', line: `${awsId} ${awsSecret}`, secrets: [awsId, awsSecret] },
  ].map((s) => (s.name === 'Azure AccountKey' ? { ...s, line: `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${s.secrets[0]};EndpointSuffix=core.windows.net` } : s));
}

export function gitleaksShapes(): SecretShape[] {
  return [
    shape('github-pat', `ghp_${alnum(36)}`),
    shape('github-fine-grained-pat', `github_pat_${pick(`${ALNUM}_`, 82)}`),
    shape('stripe-access-token', `sk_live_${alnum(32)}`),
    shape('slack-bot-token', `xoxb-${digits(12)}-${digits(12)}-${alnum(24)}`),
    shape('twilio-api-key', `SK${hex(32)}`),
    shape('mailchimp-api-key', `${hex(32)}-us12`, `mailchimp_key = "${hex(0)}PLACEHOLDER"`),
    shape('digitalocean-pat', `dop_v1_${hex(64)}`),
    shape('doppler-api-token', `dp.pt.${lowerNum(43)}`),
    shape('shopify-access-token', `shpat_${hex(32)}`),
    shape('pypi-upload-token', `pypi-AgEIcHlwaS5vcmc${word(70)}`),
    shape('hashicorp-tf-api-token', `${lowerNum(14)}.atlasv1.${lowerNum(64)}`),
    shape('linear-api-key', `lin_api_${lowerNum(40)}`),
    shape('postman-api-token', `PMAK-${hex(24)}-${hex(34)}`),
    shape('pulumi-api-token', `pul-${hex(40)}`),
    shape('rubygems-api-token', `rubygems_${hex(48)}`),
    shape('sendinblue-api-token', `xkeysib-${hex(64)}-${lowerNum(16)}`),
    shape('telegram-bot-api-token', `${digits(10)}:A${pick('abcdefghijklmnopqrstuvwxyz0123456789_-', 34)}`),
    shape('grafana-service-account-token', `glsa_${alnum(32)}_${hex(8)}`),
    shape('huggingface-access-token', `hf_${pick('abcdefghijklmnopqrstuvwxyz', 34)}`),
    shape('age-secret-key', `AGE-SECRET-KEY-1${pick('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)}`),
    shape('databricks-api-token', `dapi${hex(32)}`),
    shape('dynatrace-api-token', `dt0c01.${lowerNum(24)}.${lowerNum(64)}`),
    shape('flyio-access-token', `fo1_${word(43)}`),
    shape('planetscale-password', `pscale_pw_${word(43)}`),
    shape('azure-ad-client-secret', `${alnum(3)}8Q~${alnum(34)}`),
  ].map((s) => {
    if (s.name === 'mailchimp-api-key') return { ...s, line: `mailchimp_key = "${s.secrets[0]}"` };
    if (s.name === 'telegram-bot-api-token') return { ...s, line: `TELEGRAM_BOT_TOKEN=${s.secrets[0]}` };
    return s;
  });
}
