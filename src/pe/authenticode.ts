// Authenticode verification of a parsed PE image: every signature it holds
// (each WIN_CERTIFICATE entry, and signatures nested in an unauthenticated
// attribute as osslsigncode -nest and signtool /as write them), each checked
// for (1) the image digest against SpcIndirectDataContent, (2) the signer's
// signature over the authenticated attributes, whose messageDigest must match
// the SpcIndirectDataContent, and (3) a certificate path to a caller-supplied
// trust bundle valid for code signing (src/pe/chain.ts) at the time a trusted
// timestamp proves, else now (src/pe/timestamp.ts). Windows policy (catalog
// signing, revocation, the machine's roots) stays the job of osquery's
// authenticode table.
import { createHash, X509Certificate } from 'node:crypto';
import { children, content, DerError, expect, raw, readTlv, Tag } from './der.js';
import { dn, findSigner } from './certificate.js';
import { searchBudget, validateChain, type SearchBudget } from './chain.js';
import { checkSignerInfo, digestName, parseSignedData } from './cms.js';
import { signingTime } from './timestamp.js';
import type { PeImage } from './pe.js';

/**
 * osquery authenticode.result vocabulary, plus 'tampered':
 * - missing: no signature at all.
 * - trusted: digest and signer signature verify, and a certificate path from the signer to the trust bundle
 *   passes the code-signing rules (CA flag, path length, key usage, EKU, validity at the trusted signing time, algorithms).
 * - untrusted: digest and signer signature verify, but no such path exists (detail says why).
 * - valid: digest and signer signature verify, and no trust bundle was configured (trust not judged).
 * - tampered: the signature itself is intact but the image digest does not match (the file changed after signing).
 * - invalid: the signature is malformed, the signer signature or messageDigest fails, or the signer certificate is absent.
 * - unknown: an algorithm we do not implement, so we cannot judge.
 */
export type SignatureStatus = 'missing' | 'trusted' | 'untrusted' | 'valid' | 'tampered' | 'invalid' | 'unknown';

export interface SignatureInfo {
  readonly status: SignatureStatus;
  /** Why the status is not trusted/valid, in words. */
  readonly detail: string | null;
  /** 0 for the primary signature; nested signatures follow in file order. */
  readonly index: number;
  readonly nested: boolean;
  readonly digestAlgorithm: string | null;
  /** The digest the signature claims for the image, hex. */
  readonly signedDigest: string | null;
  /** The digest we computed for the image, hex. */
  readonly imageDigest: string | null;
  readonly signerSubject: string | null;
  readonly signerIssuer: string | null;
  readonly signerSerial: string | null;
  /**
   * Time an intact RFC 3161 or legacy countersignature states (its signature and imprint verify over this
   * signature), ISO-8601; null when not timestamped or the countersignature is broken.
   */
  readonly timestamp: string | null;
  /** The countersignature's signer chains to the trust bundle as a timestamping authority; only then does its time count. */
  readonly timestampTrusted: boolean;
}

export interface TrustBundle {
  readonly certificates: readonly X509Certificate[];
}

const OID = {
  spcIndirectData: '1.3.6.1.4.1.311.2.1.4',
  nestedSignature: '1.3.6.1.4.1.311.2.4.1',
} as const;

/** Nested signatures inside nested signatures: osslsigncode writes one level; more is hostile. */
const MAX_NESTING = 4;
const MAX_SIGNATURES = 16;

/**
 * The Authenticode image digest: the whole file up to the certificate table,
 * skipping the CheckSum field and the certificate-table directory entry. This
 * is how osslsigncode hashes; for well-formed images it equals the spec's
 * headers + sections-in-file-order + trailing-data walk, and it cannot be
 * inflated by overlapping section tables.
 */
export function imageDigest(buf: Buffer, pe: PeImage, algorithm: string): Buffer {
  const h = createHash(algorithm);
  for (const r of imageRanges(buf, pe)) h.update(r);
  return h.digest();
}

/** The byte ranges the Authenticode image digest covers, in order (views, not copies). */
export function imageRanges(buf: Buffer, pe: PeImage): Buffer[] {
  const end = pe.certTable ? pe.certTable.offset : buf.length;
  const ck = pe.checksumOffset;
  const out = [buf.subarray(0, Math.min(ck, end))];
  if (pe.certDirectoryOffset !== null) {
    const dd = pe.certDirectoryOffset;
    out.push(buf.subarray(Math.min(ck + 4, end), Math.min(dd, end)));
    out.push(buf.subarray(Math.min(dd + 8, end), end));
  } else {
    out.push(buf.subarray(Math.min(ck + 4, end), end));
  }
  return out;
}

function fail(msg: string): never {
  throw new DerError(msg);
}

interface Context {
  readonly buf: Buffer;
  readonly pe: PeImage;
  readonly trust: TrustBundle | null;
  readonly digests: Map<string, Buffer>;
  readonly out: SignatureInfo[];
  /** One path-search budget for every signature and timestamp in the file. */
  readonly budget: SearchBudget;
}

function digestOf(ctx: Context, alg: string): Buffer {
  let d = ctx.digests.get(alg);
  if (!d) {
    d = imageDigest(ctx.buf, ctx.pe, alg);
    ctx.digests.set(alg, d);
  }
  return d;
}

/**
 * Verifies every signature in the image. An empty list means 'missing'.
 * `precomputed` holds image digests the caller already has (by algorithm
 * name, e.g. computed off the main thread), so they are not hashed again.
 */
export function verifyAuthenticode(
  buf: Buffer,
  pe: PeImage,
  trust: TrustBundle | null,
  precomputed?: ReadonlyMap<string, Buffer>,
): SignatureInfo[] {
  const ctx: Context = { buf, pe, trust, digests: new Map(precomputed ?? []), out: [], budget: searchBudget() };
  for (const cert of pe.certificates) {
    if (ctx.out.length >= MAX_SIGNATURES) break;
    if (cert.type !== 2) {
      ctx.out.push(
        blank(ctx.out.length, false, 'unknown', `WIN_CERTIFICATE type ${cert.type} is not PKCS#7 signed data`),
      );
      continue;
    }
    verifyContentInfo(ctx, cert.data, false, 0);
  }
  return ctx.out;
}

function blank(index: number, nested: boolean, status: SignatureStatus, detail: string): SignatureInfo {
  return {
    status,
    detail,
    index,
    nested,
    digestAlgorithm: null,
    signedDigest: null,
    imageDigest: null,
    signerSubject: null,
    signerIssuer: null,
    signerSerial: null,
    timestamp: null,
    timestampTrusted: false,
  };
}

function verifyContentInfo(ctx: Context, der: Buffer, nested: boolean, depth: number): void {
  const index = ctx.out.length;
  const slot = blank(index, nested, 'invalid', 'unparsed');
  ctx.out.push(slot);
  let nestedBlobs: Buffer[] = [];
  try {
    const { info, nestedSignatures } = verifySignedData(ctx, der, index, nested);
    ctx.out[index] = info;
    nestedBlobs = nestedSignatures;
  } catch (e) {
    ctx.out[index] = blank(index, nested, 'invalid', `malformed signature: ${(e as Error).message}`);
  }
  if (depth + 1 >= MAX_NESTING) return;
  for (const n of nestedBlobs) {
    if (ctx.out.length >= MAX_SIGNATURES) return;
    verifyContentInfo(ctx, n, true, depth + 1);
  }
}

function verifySignedData(
  ctx: Context,
  der: Buffer,
  index: number,
  nested: boolean,
): { info: SignatureInfo; nestedSignatures: Buffer[] } {
  const cms = parseSignedData(readTlv(der, 0), 'signature');
  if (cms.contentType !== OID.spcIndirectData) fail('content is not SpcIndirectDataContent');
  const spc = expect(cms.content, Tag.SEQUENCE, 'SpcIndirectDataContent');
  const [, digestInfo] = children(spc);
  const [digestAlgId, signedDigestT] = children(expect(digestInfo, Tag.SEQUENCE, 'DigestInfo'));
  const digestAlgorithm = digestName(digestAlgId);
  const signedDigest = content(expect(signedDigestT, Tag.OCTET_STRING, 'image digest'));
  const certs = cms.certificates;
  const si = cms.signerInfo;
  const signer = findSigner(si.sid, certs);
  const when = signingTime(si, certs, ctx.trust?.certificates ?? null, ctx.budget);
  const nestedSignatures = (si.unsigned.get(OID.nestedSignature) ?? []).map((t) => raw(t));
  const base = {
    index,
    nested,
    digestAlgorithm,
    signedDigest: signedDigest.toString('hex'),
    imageDigest: null as string | null,
    signerSubject: signer ? dn(signer.x509.subject) : null,
    signerIssuer: signer ? dn(signer.x509.issuer) : null,
    signerSerial: signer ? signer.serialHex : null,
    timestamp: when.time,
    timestampTrusted: when.trusted,
  };
  const result = (status: SignatureStatus, detail: string | null, imageDigestHex: string | null = null) => ({
    info: { ...base, status, detail, imageDigest: imageDigestHex },
    nestedSignatures,
  });

  if (!digestAlgorithm) return result('unknown', 'unsupported digest algorithm');
  if (!signer) return result('invalid', 'signer certificate is not in the signature');
  // The messageDigest attribute covers SpcIndirectDataContent's value, without its tag and length.
  const signed = checkSignerInfo(si, signer, content(spc));
  if (!signed.ok) return result(signed.status, signed.reason);

  const computed = digestOf(ctx, digestAlgorithm);
  const hex = computed.toString('hex');
  if (!computed.equals(signedDigest)) return result('tampered', 'image digest does not match the signed digest', hex);

  if (!ctx.trust) return result('valid', null, hex);
  // Certificates are judged at the time a trusted timestamp proves, else now (Windows and osslsigncode alike).
  const at = when.trusted && when.time !== null ? Date.parse(when.time) : Date.now();
  const chain = validateChain(signer, certs, ctx.trust.certificates, at, 'codeSigning', ctx.budget);
  if (chain.ok) return result('trusted', null, hex);
  const why = when.problem === null ? chain.reason : `${chain.reason}; timestamp not believed: ${when.problem}`;
  return result('untrusted', why, hex);
}

/** Loads a PEM trust bundle (one or more certificates). */
export function parseTrustBundle(pem: string): TrustBundle {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error('trust bundle holds no PEM certificates');
  return { certificates: blocks.map((b) => new X509Certificate(b)) };
}
