import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SIGNATURE_NAMESPACE } from '../gates/signed-approval.js';
import { runCommand } from './run-command.js';

// OpenSSH's signatures (`ssh-keygen -Y sign|verify`, the format git signs commits with), started
// through the one process helper. Each call works in its own temporary folder, removed after.

const TIMEOUT_MS = 30_000;

export class SigningError extends Error {}

/**
 * Signs `payload` with `ssh-keygen -Y sign -n autonomous-loop`. `keyPath`: a private key file (or
 * a public one whose private half ssh-agent holds); `publicKey`: a public key line, signed with by
 * ssh-agent. Returns the armored signature; throws SigningError with ssh-keygen's own words.
 */
export async function signPayload(payload: string, key: { keyPath: string } | { publicKey: string }): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'al-sign-'));
  try {
    const message = path.join(dir, 'decision');
    writeFileSync(message, payload);
    let keyFile: string;
    if ('publicKey' in key) {
      keyFile = path.join(dir, 'approver.pub');
      writeFileSync(keyFile, `${key.publicKey}\n`);
    } else keyFile = key.keyPath;
    // The signature goes to a file beside the message (never through the output, which is redacted).
    const r = await runCommand({ argv: ['ssh-keygen', '-q', '-Y', 'sign', '-n', SIGNATURE_NAMESPACE, '-f', keyFile, message], cwd: dir, timeoutMs: TIMEOUT_MS });
    if (!r.ok) {
      const said = lastLines(r.output) || (r.failedToStart ? 'ssh-keygen could not be started (is OpenSSH installed?)' : `exit ${r.exitCode}`);
      const agentHint = 'publicKey' in key ? (process.env.SSH_AUTH_SOCK ? ' (is the key added to ssh-agent? ssh-add ~/.ssh/id_ed25519)' : ' (no ssh-agent: SSH_AUTH_SOCK is not set; start one and ssh-add the key, or give --key PATH)') : '';
      throw new SigningError(`ssh-keygen -Y sign failed: ${said}${agentHint}`);
    }
    return readFileSync(`${message}.sig`, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type Verified = { ok: true; key: string } | { ok: false; why: string };

/**
 * `ssh-keygen -Y verify`: whether `signature` is `principal`'s, by a key allowed_signers lists for
 * them, over exactly `payload`, in our namespace. The key's SHA256 fingerprint when it is.
 */
export async function verifyPayload(payload: string, signature: string, principal: string, allowedSigners: string): Promise<Verified> {
  if (!/^-----BEGIN SSH SIGNATURE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END SSH SIGNATURE-----\r?\n?$/.test(signature)) {
    return { ok: false, why: 'not an armored SSH signature (-----BEGIN SSH SIGNATURE----- … -----END SSH SIGNATURE-----)' };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'al-verify-'));
  try {
    const signers = path.join(dir, 'allowed_signers');
    const sig = path.join(dir, 'decision.sig');
    writeFileSync(signers, allowedSigners);
    writeFileSync(sig, signature.endsWith('\n') ? signature : `${signature}\n`);
    const r = await runCommand({ argv: ['ssh-keygen', '-Y', 'verify', '-f', signers, '-I', principal, '-n', SIGNATURE_NAMESPACE, '-s', sig], cwd: dir, input: payload, timeoutMs: TIMEOUT_MS });
    if (r.failedToStart) return { ok: false, why: 'ssh-keygen could not be started (is OpenSSH installed?)' };
    // the key is read from the signature itself (ssh-keygen's words pass the secret redactor, which may hide it)
    const key = signatureKey(signature);
    if (r.ok && key) return { ok: true, key };
    return { ok: false, why: lastLines(r.output) || `ssh-keygen -Y verify exit ${r.exitCode}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The SHA256 fingerprint (as ssh-keygen -l prints it) of the public key inside an armored SSH signature. */
export function signatureKey(armored: string): string | undefined {
  const blob = Buffer.from(armored.replace(/-----(BEGIN|END) SSH SIGNATURE-----/g, '').replace(/\s+/g, ''), 'base64');
  // SSHSIG: magic, uint32 version, string publickey, …
  if (blob.length < 14 || blob.subarray(0, 6).toString('latin1') !== 'SSHSIG') return undefined;
  const length = blob.readUInt32BE(10);
  if (14 + length > blob.length) return undefined;
  return `SHA256:${createHash('sha256').update(blob.subarray(14, 14 + length)).digest('base64').replace(/=+$/, '')}`;
}

const lastLines = (text: string): string =>
  text
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-2)
    .join('; ');
