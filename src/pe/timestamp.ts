// The signing time an Authenticode signature proves: a legacy PKCS#9
// countersignature or an RFC 3161 timestamp token in its unauthenticated
// attributes. A time counts only when its signature verifies over this very
// signature value and its signer chains to the trust bundle as a timestamping
// authority at that time (as signtool and osslsigncode judge TSAs).
import { createHash, type X509Certificate } from 'node:crypto';
import { children, content, expect, readTlv, Tag, time } from './der.js';
import { findSigner, type Certificate } from './certificate.js';
import { validateChain, type SearchBudget } from './chain.js';
import { checkSignerInfo, digestName, parseSignedData, parseSignerInfo, type SignerInfo } from './cms.js';

const OID = {
  signingTime: '1.2.840.113549.1.9.5',
  counterSignature: '1.2.840.113549.1.9.6',
  rfc3161Timestamp: '1.3.6.1.4.1.311.3.3.1',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
} as const;

export interface SigningTime {
  /** The time an intact countersignature states (its signature and imprint verify), ISO-8601; null when none. */
  readonly time: string | null;
  /** Its signer chains to the trust bundle as a timestamping authority at that time. */
  readonly trusted: boolean;
  /** Why a present countersignature is not believed; null when it is, or when there is none. */
  readonly problem: string | null;
}

const NONE: SigningTime = { time: null, trusted: false, problem: null };

interface Claim {
  readonly iso: string;
  readonly signer: Certificate;
  readonly pool: readonly Certificate[];
}

/** Reads and judges the countersignatures of `outer` (the signature's SignerInfo); `outerCerts` are the signature's certificates. */
export function signingTime(
  outer: SignerInfo,
  outerCerts: readonly Certificate[],
  trust: readonly X509Certificate[] | null,
  budget: SearchBudget,
): SigningTime {
  let first: SigningTime | null = null;
  for (const read of [legacy, rfc3161]) {
    let claim: Claim | string | null;
    try {
      claim = read(outer, outerCerts);
    } catch (e) {
      claim = `malformed countersignature: ${(e as Error).message}`;
    }
    if (claim === null) continue;
    let judged: SigningTime;
    if (typeof claim === 'string') judged = { time: null, trusted: false, problem: claim };
    else if (Number.isNaN(Date.parse(claim.iso)))
      judged = { time: null, trusted: false, problem: `countersignature time ${claim.iso} is not a date` };
    else if (trust === null)
      judged = { time: claim.iso, trusted: false, problem: 'no trust bundle to judge the timestamp authority' };
    else {
      const chain = validateChain(claim.signer, claim.pool, trust, Date.parse(claim.iso), 'timeStamping', budget);
      judged = chain.ok
        ? { time: claim.iso, trusted: true, problem: null }
        : { time: claim.iso, trusted: false, problem: chain.reason };
    }
    if (judged.trusted) return judged;
    first ??= judged;
  }
  return first ?? NONE;
}

/** PKCS#9 countersignature: a SignerInfo over the signature value, its signer among the signature's certificates. */
function legacy(outer: SignerInfo, outerCerts: readonly Certificate[]): Claim | string | null {
  const t = outer.unsigned.get(OID.counterSignature);
  if (!t) return null;
  if (t.length !== 1) return 'more than one countersignature';
  const cs = parseSignerInfo(t[0]);
  const signer = findSigner(cs.sid, outerCerts);
  if (!signer) return 'countersignature signer certificate is not in the signature';
  const check = checkSignerInfo(cs, signer, outer.signature);
  if (!check.ok) return `countersignature: ${check.reason}`;
  const st = cs.attrs.get(OID.signingTime);
  const iso = st?.length === 1 ? time(st[0]) : null;
  if (iso === null) return 'countersignature has no single valid signingTime';
  return { iso, signer, pool: outerCerts };
}

/** RFC 3161 token: SignedData over a TSTInfo whose messageImprint is the digest of the signature value. */
function rfc3161(outer: SignerInfo): Claim | string | null {
  const t = outer.unsigned.get(OID.rfc3161Timestamp);
  if (!t) return null;
  if (t.length !== 1) return 'more than one RFC 3161 timestamp';
  const token = parseSignedData(t[0], 'timestamp');
  if (token.contentType !== OID.tstInfo) return 'timestamp content is not TSTInfo';
  const tstBytes = content(expect(token.content, Tag.OCTET_STRING, 'TSTInfo octets'));
  const certs = token.certificates;
  const si = token.signerInfo;
  const signer = findSigner(si.sid, certs);
  if (!signer) return 'timestamp signer certificate is not in the token';
  const check = checkSignerInfo(si, signer, tstBytes);
  if (!check.ok) return `timestamp: ${check.reason}`;
  // TSTInfo: version, policy, messageImprint, serialNumber, genTime, ...
  const tst = children(expect(readTlv(tstBytes, 0), Tag.SEQUENCE, 'TSTInfo'));
  const [imprintAlg, imprint] = children(expect(tst[2], Tag.SEQUENCE, 'messageImprint'));
  const alg = digestName(imprintAlg);
  if (alg === null) return 'timestamp imprint uses an unsupported digest';
  if (
    !content(expect(imprint, Tag.OCTET_STRING, 'hashedMessage')).equals(
      createHash(alg).update(outer.signature).digest(),
    )
  ) {
    return 'timestamp is for another signature (messageImprint does not match)';
  }
  const iso = time(expect(tst[4], Tag.GeneralizedTime, 'genTime'));
  if (iso === null) return 'timestamp genTime is malformed';
  return { iso, signer, pool: certs };
}
