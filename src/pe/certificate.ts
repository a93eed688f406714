// One X.509 certificate as chain validation needs it: node:crypto's
// X509Certificate for names, issuance and signatures, plus the facts it does
// not expose, read from the DER: basicConstraints' pathLen, the keyUsage
// bits, the extended key usages (Node's keyUsage getter gives no way to tell
// an absent EKU from a malformed one, and a malformed one must not read as
// "any purpose"), critical extensions, the signature algorithm and the
// validity times (GeneralizedTime beyond 2049 included).
import { X509Certificate } from 'node:crypto';
import {
  bitString,
  boolean,
  children,
  content,
  expect,
  integerHex,
  oid,
  raw,
  readTlv,
  Tag,
  time,
  type Tlv,
} from './der.js';

export interface BasicConstraints {
  readonly ca: boolean;
  readonly pathLen: number | null;
}

export interface Certificate {
  readonly x509: X509Certificate;
  /** SHA-256 fingerprint, computed once (X509Certificate's getter digests on every read). */
  readonly fingerprint: string;
  readonly serialHex: string;
  readonly issuerDer: Buffer;
  readonly subjectDer: Buffer;
  readonly subjectKeyId: Buffer | null;
  /** authorityKeyIdentifier's keyIdentifier: which of the issuer's keys signed this. */
  readonly authorityKeyId: Buffer | null;
  readonly signatureAlgorithm: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly basicConstraints: BasicConstraints | null;
  /** RFC 5280 keyUsage bits (0 digitalSignature ... 5 keyCertSign); null when the extension is absent. */
  readonly keyUsage: readonly boolean[] | null;
  /** Extended key usage OIDs; null when the extension is absent (any purpose). */
  readonly extKeyUsage: readonly string[] | null;
  /** Critical extensions whose meaning we do not enforce: a verifier must refuse the certificate. */
  readonly unhandledCritical: readonly string[];
}

export const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5 } as const;
export const EKU = {
  codeSigning: '1.3.6.1.5.5.7.3.3',
  timeStamping: '1.3.6.1.5.5.7.3.8',
} as const;

const EXT = {
  subjectKeyId: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  authorityKeyId: '2.5.29.35',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
} as const;
/** Critical extensions we enforce (or that carry no constraint: a SAN is critical when the subject is empty). */
const HANDLED_CRITICAL = new Set<string>([EXT.keyUsage, EXT.subjectAltName, EXT.basicConstraints, EXT.extKeyUsage]);

/** Certificate signature algorithms we accept: RSA PKCS#1 v1.5 and ECDSA with SHA-1/SHA-2, and RSA-PSS. MD2/MD5 and the rest are refused. */
const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
};

export function supportedSignatureAlgorithm(o: string): boolean {
  return Object.hasOwn(SIGNATURE_ALGORITHMS, o);
}

function validityTime(t: Tlv | undefined): number {
  const iso = t ? time(t) : null;
  const ms = iso === null ? NaN : Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error('bad validity time');
  return ms;
}

/** Parses one certificate element; null when it is not one (attribute certificates and others) or is malformed. */
export function parseCertificate(t: Tlv): Certificate | null {
  if (t.tag !== Tag.SEQUENCE) return null;
  try {
    const [tbsT, sigAlgT] = children(t);
    const tbs = children(expect(tbsT, Tag.SEQUENCE, 'TBSCertificate'));
    let i = 0;
    if (tbs[0]?.tag === 0xa0) i = 1; // [0] version
    const serialHex = integerHex(tbs[i]);
    const issuer = expect(tbs[i + 2], Tag.SEQUENCE, 'issuer');
    const [notBefore, notAfter] = children(expect(tbs[i + 3], Tag.SEQUENCE, 'validity'));
    const subject = expect(tbs[i + 4], Tag.SEQUENCE, 'subject');
    const signatureAlgorithm = oid(children(expect(sigAlgT, Tag.SEQUENCE, 'signatureAlgorithm'))[0]);
    let subjectKeyId: Buffer | null = null;
    let authorityKeyId: Buffer | null = null;
    let basicConstraints: BasicConstraints | null = null;
    let keyUsage: boolean[] | null = null;
    let extKeyUsage: string[] | null = null;
    const unhandledCritical: string[] = [];
    const seen = new Set<string>();
    const ext = tbs.find((x) => x.tag === 0xa3);
    if (ext) {
      for (const e of children(expect(children(ext)[0], Tag.SEQUENCE, 'extensions'), 256)) {
        const parts = children(expect(e, Tag.SEQUENCE, 'extension'));
        const id = oid(parts[0]);
        // RFC 5280 4.2: a certificate must not hold an extension twice; OpenSSL refuses such certificates.
        if (seen.has(id)) throw new Error(`extension ${id} appears twice`);
        seen.add(id);
        const critical = parts.length === 3 ? boolean(parts[1]) : false;
        const octets = expect(parts[parts.length - 1], Tag.OCTET_STRING, 'extnValue');
        const value = readTlv(octets.buf, octets.contentStart, octets.end);
        if (value.end !== octets.end) throw new Error(`extension ${id} has trailing bytes`);
        if (critical && !HANDLED_CRITICAL.has(id)) unhandledCritical.push(id);
        switch (id) {
          case EXT.subjectKeyId:
            subjectKeyId = Buffer.from(content(expect(value, Tag.OCTET_STRING, 'subjectKeyIdentifier')));
            break;
          case EXT.authorityKeyId: {
            const id = children(expect(value, Tag.SEQUENCE, 'authorityKeyIdentifier')).find((x) => x.tag === 0x80);
            authorityKeyId = id ? Buffer.from(content(id)) : null;
            break;
          }
          case EXT.basicConstraints: {
            const f = children(expect(value, Tag.SEQUENCE, 'basicConstraints'));
            let k = 0;
            const ca = f[k]?.tag === Tag.BOOLEAN ? boolean(f[k++]) : false;
            let pathLen: number | null = null;
            if (f[k] !== undefined) {
              const hex = integerHex(f[k]);
              if (content(f[k])[0] & 0x80) throw new Error('negative pathLenConstraint');
              pathLen = hex.length > 8 ? Number.MAX_SAFE_INTEGER : parseInt(hex, 16);
            }
            basicConstraints = { ca, pathLen };
            break;
          }
          case EXT.keyUsage:
            keyUsage = bitString(value, 16);
            break;
          case EXT.extKeyUsage:
            extKeyUsage = children(expect(value, Tag.SEQUENCE, 'extKeyUsage'), 64).map(oid);
            break;
        }
      }
    }
    const x509 = new X509Certificate(raw(t));
    return {
      x509,
      fingerprint: x509.fingerprint256,
      serialHex,
      issuerDer: raw(issuer),
      subjectDer: raw(subject),
      subjectKeyId,
      authorityKeyId,
      signatureAlgorithm,
      notBefore: validityTime(notBefore),
      notAfter: validityTime(notAfter),
      basicConstraints,
      keyUsage,
      extKeyUsage,
      unhandledCritical,
    };
  } catch {
    return null;
  }
}

/** Parses a DER certificate from bytes (the trust bundle's); null when malformed. */
export function certificateFromDer(der: Buffer): Certificate | null {
  try {
    const t = readTlv(der, 0);
    return t.end === der.length ? parseCertificate(t) : null;
  } catch {
    return null;
  }
}

/** The certificate a CMS SignerIdentifier names: issuerAndSerialNumber or [0] subjectKeyIdentifier. */
export function findSigner(sid: Tlv | undefined, certs: readonly Certificate[]): Certificate | undefined {
  if (sid?.tag === Tag.SEQUENCE) {
    const [issuer, serial] = children(sid);
    const serialHex = integerHex(serial);
    const issuerDer = raw(issuer);
    return certs.find((c) => c.serialHex === serialHex && c.issuerDer.equals(issuerDer));
  }
  if (sid?.tag === 0x80) {
    const ski = content(sid);
    return certs.find((c) => c.subjectKeyId !== null && c.subjectKeyId.equals(ski));
  }
  return undefined;
}

/**
 * Whether `parent` issued `child`, by name, key identifier and signature,
 * and nothing else: whether the parent may issue at all (CA flag, key usage)
 * is the path rules' question, so a refusal can say which rule failed.
 */
export function signedBy(child: Certificate, parent: Certificate): boolean {
  if (!child.issuerDer.equals(parent.subjectDer)) return false;
  if (
    child.authorityKeyId !== null &&
    parent.subjectKeyId !== null &&
    !child.authorityKeyId.equals(parent.subjectKeyId)
  )
    return false;
  try {
    return child.x509.verify(parent.x509.publicKey);
  } catch {
    return false;
  }
}

/** A distinguished name as "CN=..., O=..." from X509Certificate's newline form. */
export function dn(s: string): string {
  return s
    .split('\n')
    .filter((x) => x.length > 0)
    .join(', ');
}
