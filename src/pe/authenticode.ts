// Authenticode verification of a parsed PE image: every signature it holds
// (each WIN_CERTIFICATE entry, and signatures nested in an unauthenticated
// attribute as osslsigncode -nest and signtool /as write them), each checked
// for (1) the image digest against SpcIndirectDataContent, (2) the signer's
// signature over the authenticated attributes, whose messageDigest must match
// the SpcIndirectDataContent, and (3) a chain to a caller-supplied trust
// bundle. Windows policy (catalog signing, revocation, the machine's roots)
// stays the job of osquery's authenticode table.
import { createHash, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { children, content, DerError, expect, integerHex, oid, raw, readTlv, Tag, time, type Tlv } from './der.js';
import type { PeImage } from './pe.js';

/**
 * osquery authenticode.result vocabulary, plus 'tampered':
 * - missing: no signature at all.
 * - trusted: digest and signer signature verify, and the chain reaches a certificate in the trust bundle.
 * - untrusted: digest and signer signature verify, but the chain does not reach the trust bundle.
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
  /** Time from an RFC 3161 or legacy countersignature, ISO-8601; null when not timestamped. */
  readonly timestamp: string | null;
}

export interface TrustBundle {
  readonly certificates: readonly X509Certificate[];
}

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  spcIndirectData: '1.3.6.1.4.1.311.2.1.4',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  counterSignature: '1.2.840.113549.1.9.6',
  rfc3161Timestamp: '1.3.6.1.4.1.311.3.3.1',
  nestedSignature: '1.3.6.1.4.1.311.2.4.1',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
} as const;

const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.2.840.113549.2.5': 'md5',
};

/** Nested signatures inside nested signatures: osslsigncode writes one level; more is hostile. */
const MAX_NESTING = 4;
const MAX_SIGNATURES = 16;
const MAX_CHAIN = 8;

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

function algorithmName(algId: Tlv): string | null {
  const kids = children(expect(algId, Tag.SEQUENCE, 'AlgorithmIdentifier'));
  return DIGESTS[oid(kids[0] ?? fail('AlgorithmIdentifier is empty'))] ?? null;
}

function fail(msg: string): never {
  throw new DerError(msg);
}

/** A distinguished name as "CN=..., O=..." from X509Certificate's newline form. */
function dn(s: string): string {
  return s.split('\n').filter((x) => x.length > 0).join(', ');
}

interface CertEntry {
  readonly x509: X509Certificate;
  readonly serialHex: string;
  readonly issuerDer: Buffer;
  readonly subjectKeyId: Buffer | null;
}

function parseCert(t: Tlv): CertEntry | null {
  if (t.tag !== Tag.SEQUENCE) return null; // attribute certificates and others are not signers
  try {
    const tbs = children(expect(children(t)[0], Tag.SEQUENCE, 'TBSCertificate'));
    let i = 0;
    if (tbs[0]?.tag === 0xa0) i = 1; // [0] version
    const serialHex = integerHex(tbs[i]);
    const issuer = expect(tbs[i + 2], Tag.SEQUENCE, 'issuer');
    // Extensions ([3]) carry the subject key identifier a SignerInfo may name its signer by.
    let subjectKeyId: Buffer | null = null;
    const ext = tbs.find((x) => x.tag === 0xa3);
    if (ext) {
      for (const e of children(expect(children(ext)[0], Tag.SEQUENCE, 'extensions'), 256)) {
        const parts = children(e);
        if (oid(parts[0]) === '2.5.29.14') {
          const octets = parts[parts.length - 1];
          subjectKeyId = Buffer.from(content(readTlv(octets.buf, octets.contentStart, octets.end)));
        }
      }
    }
    return { x509: new X509Certificate(raw(t)), serialHex, issuerDer: raw(issuer), subjectKeyId };
  } catch {
    return null;
  }
}

function attributes(set: Tlv): Map<string, Tlv[]> {
  const out = new Map<string, Tlv[]>();
  for (const a of children(set, 256)) {
    const [type, values] = children(expect(a, Tag.SEQUENCE, 'Attribute'));
    const k = oid(type);
    out.set(k, [...(out.get(k) ?? []), ...children(expect(values, Tag.SET, 'attribute values'), 256)]);
  }
  return out;
}

interface Context {
  readonly buf: Buffer;
  readonly pe: PeImage;
  readonly trust: TrustBundle | null;
  readonly digests: Map<string, Buffer>;
  readonly out: SignatureInfo[];
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
  const ctx: Context = { buf, pe, trust, digests: new Map(precomputed ?? []), out: [] };
  for (const cert of pe.certificates) {
    if (ctx.out.length >= MAX_SIGNATURES) break;
    if (cert.type !== 2) {
      ctx.out.push(blank(ctx.out.length, false, 'unknown', `WIN_CERTIFICATE type ${cert.type} is not PKCS#7 signed data`));
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
  const top = readTlv(der, 0);
  const [ctype, explicit] = children(expect(top, Tag.SEQUENCE, 'ContentInfo'));
  if (oid(ctype) !== OID.signedData) fail('ContentInfo is not SignedData');
  const sd = children(expect(children(expect(explicit, 0xa0, 'ContentInfo content'))[0], Tag.SEQUENCE, 'SignedData'));
  // version, digestAlgorithms, encapContentInfo, [0] certificates?, [1] crls?, signerInfos
  const encap = children(expect(sd[2], Tag.SEQUENCE, 'encapContentInfo'));
  if (oid(encap[0]) !== OID.spcIndirectData) fail('content is not SpcIndirectDataContent');
  const spc = expect(children(expect(encap[1], 0xa0, 'encapsulated content'))[0], Tag.SEQUENCE, 'SpcIndirectDataContent');
  const [, digestInfo] = children(spc);
  const [digestAlgId, signedDigestT] = children(expect(digestInfo, Tag.SEQUENCE, 'DigestInfo'));
  const digestAlgorithm = algorithmName(digestAlgId);
  const signedDigest = content(expect(signedDigestT, Tag.OCTET_STRING, 'image digest'));

  const certs: CertEntry[] = [];
  let k = 3;
  if (sd[k]?.tag === 0xa0) {
    for (const c of children(sd[k], 256)) {
      const e = parseCert(c);
      if (e) certs.push(e);
    }
    k++;
  }
  if (sd[k]?.tag === 0xa1) k++;
  const signerInfos = children(expect(sd[k], Tag.SET, 'signerInfos'));
  if (signerInfos.length !== 1) fail(`Authenticode needs exactly one SignerInfo, found ${signerInfos.length}`);
  const si = children(expect(signerInfos[0], Tag.SEQUENCE, 'SignerInfo'));
  // version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature, [1] unsignedAttrs?
  const sid = si[1];
  const signerDigestAlg = algorithmName(si[2]);
  const signedAttrsT = expect(si[3], 0xa0, 'authenticated attributes');
  const signature = content(expect(si[5], Tag.OCTET_STRING, 'signature'));
  const unsigned = si[6]?.tag === 0xa1 ? attributes(si[6]) : new Map<string, Tlv[]>();

  let signer: CertEntry | undefined;
  if (sid?.tag === Tag.SEQUENCE) {
    const [issuer, serial] = children(sid);
    const serialHex = integerHex(serial);
    const issuerDer = raw(issuer);
    signer = certs.find((c) => c.serialHex === serialHex && c.issuerDer.equals(issuerDer));
  } else if (sid?.tag === 0x80) {
    const ski = content(sid);
    signer = certs.find((c) => c.subjectKeyId !== null && c.subjectKeyId.equals(ski));
  }

  const timestamp = readTimestamp(unsigned);
  const nestedSignatures = (unsigned.get(OID.nestedSignature) ?? []).map((t) => raw(t));
  const base = {
    index,
    nested,
    digestAlgorithm,
    signedDigest: signedDigest.toString('hex'),
    imageDigest: null as string | null,
    signerSubject: signer ? dn(signer.x509.subject) : null,
    signerIssuer: signer ? dn(signer.x509.issuer) : null,
    signerSerial: signer ? signer.serialHex : null,
    timestamp,
  };
  const result = (status: SignatureStatus, detail: string | null, imageDigestHex: string | null = null) => ({
    info: { ...base, status, detail, imageDigest: imageDigestHex },
    nestedSignatures,
  });

  if (!digestAlgorithm || !signerDigestAlg) return result('unknown', 'unsupported digest algorithm');
  if (!signer) return result('invalid', 'signer certificate is not in the signature');

  // The messageDigest attribute covers SpcIndirectDataContent's value, without its tag and length.
  const attrs = attributes(signedAttrsT);
  const md = attrs.get(OID.messageDigest)?.[0];
  if (!md) return result('invalid', 'no messageDigest authenticated attribute');
  const spcHash = createHash(signerDigestAlg).update(content(spc)).digest();
  if (!content(expect(md, Tag.OCTET_STRING, 'messageDigest')).equals(spcHash)) {
    return result('invalid', 'messageDigest does not match the signed content');
  }
  // What was signed is the attributes re-tagged as a DER SET.
  const signedBytes = Buffer.from(raw(signedAttrsT));
  signedBytes[0] = Tag.SET;
  let ok: boolean;
  try {
    ok = cryptoVerify(signerDigestAlg, signedBytes, signer.x509.publicKey, signature);
  } catch (e) {
    return result('unknown', `cannot check the signer signature: ${(e as Error).message}`);
  }
  if (!ok) return result('invalid', 'signer signature does not verify');

  const computed = digestOf(ctx, digestAlgorithm);
  if (!computed.equals(signedDigest)) return result('tampered', 'image digest does not match the signed digest', computed.toString('hex'));

  if (!ctx.trust) return result('valid', null, computed.toString('hex'));
  return chainReachesBundle(signer.x509, certs, ctx.trust)
    ? result('trusted', null, computed.toString('hex'))
    : result('untrusted', 'certificate chain does not reach the trust bundle', computed.toString('hex'));
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

function chainReachesBundle(leaf: X509Certificate, pool: readonly CertEntry[], trust: TrustBundle): boolean {
  let current = leaf;
  for (let step = 0; step < MAX_CHAIN; step++) {
    if (trust.certificates.some((t) => t.fingerprint256 === current.fingerprint256 || issuedBy(current, t))) return true;
    const next = pool.find((c) => c.x509.fingerprint256 !== current.fingerprint256 && issuedBy(current, c.x509));
    if (!next) return false;
    current = next.x509;
  }
  return false;
}

function readTimestamp(unsigned: Map<string, Tlv[]>): string | null {
  try {
    // Legacy countersignature: a SignerInfo whose authenticated signingTime is the time.
    const legacy = unsigned.get(OID.counterSignature)?.[0];
    if (legacy) {
      const si = children(legacy);
      const a = si.find((x) => x.tag === 0xa0);
      const t = a ? attributes(a).get(OID.signingTime)?.[0] : undefined;
      if (t) return time(t);
    }
    // RFC 3161: a SignedData whose content is a TSTInfo; genTime is its 5th field.
    const rfc = unsigned.get(OID.rfc3161Timestamp)?.[0];
    if (rfc) {
      const [, explicit] = children(rfc);
      const sd = children(children(explicit)[0]);
      const encap = children(sd[2]);
      if (oid(encap[0]) !== OID.tstInfo) return null;
      const octets = children(encap[1])[0];
      const tst = readTlv(octets.buf, octets.contentStart, octets.end);
      const fields = children(tst);
      const gen = fields.find((f) => f.tag === Tag.GeneralizedTime);
      return gen ? time(gen) : null;
    }
  } catch {
    return null;
  }
  return null;
}

/** Loads a PEM trust bundle (one or more certificates). */
export function parseTrustBundle(pem: string): TrustBundle {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error('trust bundle holds no PEM certificates');
  return { certificates: blocks.map((b) => new X509Certificate(b)) };
}
