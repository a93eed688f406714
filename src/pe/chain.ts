// Certificate path validation for Authenticode and its timestamps: builds a
// path from a signer to a certificate in the trust bundle and applies the
// rules OpenSSL's X509_verify_cert and Windows' CryptoAPI both apply to code
// signing (docs/catalogs.md lists them and what is left out: revocation,
// name constraints, policies). The first path that reaches the bundle and
// passes wins; when none passes, the first failure is the reason.
import type { X509Certificate } from 'node:crypto';
import {
  certificateFromDer,
  dn,
  signedBy,
  EKU,
  KEY_USAGE,
  supportedSignatureAlgorithm,
  type Certificate,
} from './certificate.js';

export type Purpose = 'codeSigning' | 'timeStamping';

/** How much work the path search did (hostile certificate pools are bounded by these). */
export interface SearchCost {
  readonly signatureChecks: number;
  readonly steps: number;
}

export type ChainResult = (
  | { readonly ok: true; readonly path: readonly Certificate[] }
  | { readonly ok: false; readonly reason: string }
) & { readonly cost: SearchCost };

/** Longest path tried. */
export const MAX_DEPTH = 8;
/** Issuer signature checks and path extensions one file may cost, over all its signatures and timestamps. */
export const MAX_SIGNATURE_CHECKS = 64;
export const MAX_STEPS = 2048;

/** What is left of a file's search budget; validations of one file share one. */
export interface SearchBudget {
  signatureChecks: number;
  steps: number;
}

export function searchBudget(): SearchBudget {
  return { signatureChecks: MAX_SIGNATURE_CHECKS, steps: MAX_STEPS };
}

const anchorCache = new WeakMap<readonly X509Certificate[], readonly Certificate[]>();

/** The bundle's certificates in parsed form, parsed once per bundle. */
function anchorsOf(bundle: readonly X509Certificate[]): readonly Certificate[] {
  let a = anchorCache.get(bundle);
  if (!a) {
    a = bundle.map((x) => certificateFromDer(x.raw)).filter((c): c is Certificate => c !== null);
    anchorCache.set(bundle, a);
  }
  return a;
}

function name(c: Certificate): string {
  return `"${dn(c.x509.subject)}"`;
}

function selfIssued(c: Certificate): boolean {
  return c.subjectDer.equals(c.issuerDer);
}

/**
 * Why `path` (signer first, trust anchor last) fails for `purpose` at time
 * `atMs`, or null when it passes.
 */
export function pathProblem(path: readonly Certificate[], atMs: number, purpose: Purpose): string | null {
  const n = path.length;
  if (!Number.isFinite(atMs)) return 'no valid time to judge the certificates at';
  const when = new Date(atMs).toISOString();
  for (let i = 0; i < n; i++) {
    const c = path[i];
    const role = i === 0 ? 'signer' : i === n - 1 ? 'root' : 'intermediate';
    if (atMs < c.notBefore) return `${role} ${name(c)} is not yet valid at ${when}`;
    if (atMs > c.notAfter) return `${role} ${name(c)} has expired at ${when}`;
    if (c.unhandledCritical.length > 0)
      return `${role} ${name(c)} has a critical extension we do not check (${c.unhandledCritical.join(', ')})`;
    // The anchor's own signature is not what makes it trusted: only issued certificates are judged on theirs.
    if (i < n - 1 && !supportedSignatureAlgorithm(c.signatureAlgorithm))
      return `${role} ${name(c)} is signed with an unsupported algorithm (${c.signatureAlgorithm})`;
    if (i > 0) {
      const bc = c.basicConstraints;
      if (bc === null || !bc.ca) return `${role} ${name(c)} is not a CA (basicConstraints)`;
      if (c.keyUsage !== null && !c.keyUsage[KEY_USAGE.keyCertSign])
        return `${role} ${name(c)} may not sign certificates (keyUsage lacks keyCertSign)`;
      // X509Certificate.ca is OpenSSL's own X509_check_ca over the same extensions: both must agree.
      if (!c.x509.ca) return `${role} ${name(c)} is not a CA (OpenSSL's check)`;
      if (bc.pathLen !== null) {
        let below = 0;
        for (let k = 1; k < i; k++) if (!selfIssued(path[k])) below++;
        if (below > bc.pathLen)
          return `${role} ${name(c)} allows ${bc.pathLen} CA certificate(s) below it, the path has ${below} (pathLenConstraint)`;
      }
    }
  }
  const signer = path[0];
  if (signer.keyUsage !== null && !signer.keyUsage[KEY_USAGE.digitalSignature])
    return `signer ${name(signer)} may not make signatures (keyUsage lacks digitalSignature)`;
  const eku = EKU[purpose];
  // RFC 3161 2.3: a TSA certificate must name timeStamping; a code signer may omit EKU (any purpose).
  if (purpose === 'timeStamping' && signer.extKeyUsage === null)
    return `timestamp signer ${name(signer)} has no extendedKeyUsage (timeStamping is required)`;
  if (signer.extKeyUsage !== null && !signer.extKeyUsage.includes(eku))
    return `signer ${name(signer)} is not for ${purpose} (extendedKeyUsage ${signer.extKeyUsage.join(', ')})`;
  // Windows intersects EKUs down the chain: an intermediate that names usages must name this one.
  for (let i = 1; i < n - 1; i++) {
    const u = path[i].extKeyUsage;
    if (u !== null && !u.includes(eku))
      return `intermediate ${name(path[i])} is not for ${purpose} (extendedKeyUsage ${u.join(', ')})`;
  }
  return null;
}

/**
 * Validates `signer` for `purpose` at `atMs` against the bundle, using
 * `pool` (the certificates the signature carries) for intermediates, within
 * what is left of `budget`.
 */
export function validateChain(
  signer: Certificate,
  pool: readonly Certificate[],
  bundle: readonly X509Certificate[],
  atMs: number,
  purpose: Purpose,
  budget: SearchBudget = searchBudget(),
): ChainResult {
  const anchors = anchorsOf(bundle);
  let checks = 0;
  let steps = 0;
  let exhausted = false;
  let firstProblem: string | null = null;
  const issued = new Map<string, boolean>();
  const issuedBy = (child: Certificate, parent: Certificate): boolean => {
    if (!child.issuerDer.equals(parent.subjectDer)) return false;
    const key = `${child.fingerprint}>${parent.fingerprint}`;
    let ok = issued.get(key);
    if (ok === undefined) {
      if (budget.signatureChecks <= 0) {
        exhausted = true;
        return false;
      }
      budget.signatureChecks--;
      checks++;
      ok = signedBy(child, parent);
      issued.set(key, ok);
    }
    return ok;
  };
  const isAnchor = (c: Certificate) => anchors.some((a) => a.fingerprint === c.fingerprint);
  const judge = (path: Certificate[]): boolean => {
    const p = pathProblem(path, atMs, purpose);
    if (p === null) return true;
    firstProblem ??= p;
    return false;
  };
  let found: Certificate[] | null = null;
  const walk = (path: Certificate[]): boolean => {
    if (budget.steps <= 0) {
      exhausted = true;
      return false;
    }
    budget.steps--;
    steps++;
    const current = path[path.length - 1];
    if (isAnchor(current)) {
      if (judge(path)) found = path;
      return found !== null;
    }
    if (path.length >= MAX_DEPTH) return false;
    for (const a of anchors) {
      if (issuedBy(current, a) && judge([...path, a])) {
        found = [...path, a];
        return true;
      }
    }
    for (const c of pool) {
      if (path.some((p) => p.fingerprint === c.fingerprint)) continue;
      if (issuedBy(current, c) && walk([...path, c])) return true;
    }
    return false;
  };
  const done = walk([signer]);
  const cost = { signatureChecks: checks, steps };
  if (done && found !== null) return { ok: true, path: found, cost };
  if (firstProblem !== null) return { ok: false, reason: firstProblem, cost };
  return {
    ok: false,
    reason: exhausted
      ? 'certificate path search gave up (too many candidate certificates)'
      : 'certificate chain does not reach the trust bundle',
    cost,
  };
}
