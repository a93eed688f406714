// CMS (RFC 5652) as Authenticode, its legacy countersignature and RFC 3161
// timestamp tokens use it: a SignedData with one SignerInfo, whose signer
// signs its authenticated attributes, whose messageDigest covers the content.
import { createHash, verify as cryptoVerify } from 'node:crypto';
import { children, content, DerError, expect, oid, raw, Tag, type Tlv } from './der.js';
import { parseCertificate, type Certificate } from './certificate.js';

const MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const SIGNED_DATA = '1.2.840.113549.1.7.2';

/** Digest algorithms we accept. MD5 is not one: Windows refuses it, and a collision forges a signature. */
const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** SignerInfo signature algorithms we verify: RSA PKCS#1 v1.5 and ECDSA (by key, or named with a SHA digest). */
const SIGNATURE_ALGORITHMS = new Set([
  '1.2.840.113549.1.1.1', // rsaEncryption
  '1.2.840.113549.1.1.5',
  '1.2.840.113549.1.1.11',
  '1.2.840.113549.1.1.12',
  '1.2.840.113549.1.1.13',
  '1.2.840.10045.2.1', // id-ecPublicKey
  '1.2.840.10045.4.1',
  '1.2.840.10045.4.3.2',
  '1.2.840.10045.4.3.3',
  '1.2.840.10045.4.3.4',
]);

/** The digest's node:crypto name, or null when it is not one we accept. */
export function digestName(algId: Tlv): string | null {
  const kids = children(expect(algId, Tag.SEQUENCE, 'AlgorithmIdentifier'));
  if (!kids[0]) throw new DerError('AlgorithmIdentifier is empty');
  return DIGESTS[oid(kids[0])] ?? null;
}

export function attributes(set: Tlv): Map<string, Tlv[]> {
  const out = new Map<string, Tlv[]>();
  for (const a of children(set, 256)) {
    const [type, values] = children(expect(a, Tag.SEQUENCE, 'Attribute'));
    const k = oid(type);
    // Appended in place: re-spreading per repeated attribute cost 256 x 256 copies squared.
    const list = out.get(k) ?? [];
    for (const v of children(expect(values, Tag.SET, 'attribute values'), 256)) list.push(v);
    out.set(k, list);
  }
  return out;
}

export interface SignerInfo {
  readonly sid: Tlv | undefined;
  readonly digestAlgorithm: string | null;
  readonly signedAttrs: Tlv;
  readonly attrs: Map<string, Tlv[]>;
  readonly signatureAlgorithm: string;
  /** The signature value (what a countersignature or timestamp covers). */
  readonly signature: Buffer;
  readonly unsigned: Map<string, Tlv[]>;
}

export function parseSignerInfo(t: Tlv): SignerInfo {
  // version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature, [1] unsignedAttrs?
  const si = children(expect(t, Tag.SEQUENCE, 'SignerInfo'));
  const signedAttrs = expect(si[3], 0xa0, 'authenticated attributes');
  return {
    sid: si[1],
    digestAlgorithm: digestName(si[2]),
    signedAttrs,
    attrs: attributes(signedAttrs),
    signatureAlgorithm: oid(children(expect(si[4], Tag.SEQUENCE, 'signatureAlgorithm'))[0]),
    signature: content(expect(si[5], Tag.OCTET_STRING, 'signature')),
    unsigned: si[6]?.tag === 0xa1 ? attributes(si[6]) : new Map<string, Tlv[]>(),
  };
}

export type SignerCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 'invalid' | 'unknown'; readonly reason: string };

/** Checks that `signer` signed these attributes and that their messageDigest covers `signedContent`. */
export function checkSignerInfo(si: SignerInfo, signer: Certificate, signedContent: Buffer): SignerCheck {
  if (si.digestAlgorithm === null) return { ok: false, status: 'unknown', reason: 'unsupported digest algorithm' };
  if (!SIGNATURE_ALGORITHMS.has(si.signatureAlgorithm))
    return { ok: false, status: 'unknown', reason: `unsupported signature algorithm ${si.signatureAlgorithm}` };
  const md = si.attrs.get(MESSAGE_DIGEST);
  if (!md || md.length !== 1)
    return { ok: false, status: 'invalid', reason: 'no single messageDigest authenticated attribute' };
  const expected = createHash(si.digestAlgorithm).update(signedContent).digest();
  if (!content(expect(md[0], Tag.OCTET_STRING, 'messageDigest')).equals(expected)) {
    return { ok: false, status: 'invalid', reason: 'messageDigest does not match the signed content' };
  }
  // What was signed is the attributes re-tagged as a DER SET.
  const signedBytes = Buffer.from(raw(si.signedAttrs));
  signedBytes[0] = Tag.SET;
  try {
    if (!cryptoVerify(si.digestAlgorithm, signedBytes, signer.x509.publicKey, si.signature)) {
      return { ok: false, status: 'invalid', reason: 'signer signature does not verify' };
    }
  } catch (e) {
    return { ok: false, status: 'unknown', reason: `cannot check the signer signature: ${(e as Error).message}` };
  }
  return { ok: true };
}

export interface SignedData {
  /** eContentType. */
  readonly contentType: string;
  /** The element inside eContent's [0] wrapper. */
  readonly content: Tlv;
  /** The certificates it carries that parse (others, e.g. attribute certificates, are skipped). */
  readonly certificates: readonly Certificate[];
  readonly signerInfo: SignerInfo;
}

/** A ContentInfo holding SignedData with exactly one SignerInfo; throws DerError otherwise. */
export function parseSignedData(t: Tlv, what: string): SignedData {
  const [ctype, explicit] = children(expect(t, Tag.SEQUENCE, `${what} ContentInfo`));
  if (oid(ctype) !== SIGNED_DATA) throw new DerError(`${what} is not SignedData`);
  // version, digestAlgorithms, encapContentInfo, [0] certificates?, [1] crls?, signerInfos
  const sd = children(
    expect(children(expect(explicit, 0xa0, `${what} content`))[0], Tag.SEQUENCE, `${what} SignedData`),
  );
  const encap = children(expect(sd[2], Tag.SEQUENCE, `${what} encapContentInfo`));
  const contentType = oid(encap[0]);
  const inner = children(expect(encap[1], 0xa0, `${what} encapsulated content`))[0];
  if (!inner) throw new DerError(`${what} encapsulated content is empty`);
  const certificates: Certificate[] = [];
  let k = 3;
  if (sd[k]?.tag === 0xa0) {
    for (const c of children(sd[k], 256)) {
      const e = parseCertificate(c);
      if (e) certificates.push(e);
    }
    k++;
  }
  if (sd[k]?.tag === 0xa1) k++;
  const signerInfos = children(expect(sd[k], Tag.SET, `${what} signerInfos`));
  if (signerInfos.length !== 1) throw new DerError(`${what} needs exactly one SignerInfo, found ${signerInfos.length}`);
  return { contentType, content: inner, certificates, signerInfo: parseSignerInfo(signerInfos[0]) };
}
