// A bounded PE (Portable Executable) reader. Every offset and size taken from
// the file is checked against the buffer before use, counts are capped, and
// every loop advances or stops, so hostile images cost at most a bounded
// amount of work. It knows nothing of osquery: it reads headers, sections,
// the version resource and the certificate table.

export class PeError extends Error {
  override readonly name = 'PeError';
}

export const PE_LIMITS = {
  /** The PE format allows 96 sections for images; more is not a real image. */
  maxSections: 96,
  /** Resource directory entries visited in total across the tree. */
  maxResourceEntries: 4096,
  /** Depth of the resource tree (type / name / language is 3). */
  maxResourceDepth: 3,
  /** Version-info blocks visited in total, across every version resource of the file. */
  maxVersionBlocks: 2048,
  /** Distinct version resources parsed (one per language is usual; leaves that share data count once). */
  maxVersionResources: 16,
  /** Longest version string kept (UTF-16 code units). */
  maxStringLength: 1024,
  /** WIN_CERTIFICATE entries read from the certificate table. */
  maxCertificates: 16,
} as const;

export interface PeSection {
  readonly name: string;
  readonly virtualAddress: number;
  readonly virtualSize: number;
  readonly rawPointer: number;
  readonly rawSize: number;
}

export interface VersionStrings {
  /** The StringTable key: language and code page as 8 hex digits, e.g. 040904b0. */
  readonly language: string;
  readonly strings: Readonly<Record<string, string>>;
}

export interface WinCertificate {
  readonly revision: number;
  /** 2 = WIN_CERT_TYPE_PKCS_SIGNED_DATA (Authenticode). */
  readonly type: number;
  /** The certificate payload (a PKCS#7 ContentInfo for type 2). */
  readonly data: Buffer;
}

export interface PeImage {
  readonly format: 'PE32' | 'PE32+';
  readonly machine: number;
  readonly subsystem: number;
  readonly timestamp: number;
  readonly characteristics: number;
  readonly sizeOfHeaders: number;
  readonly sections: readonly PeSection[];
  /** File offset of the optional header's CheckSum field (excluded from the image hash). */
  readonly checksumOffset: number;
  /** File offset of the certificate-table data-directory entry, or null when the header has none. */
  readonly certDirectoryOffset: number | null;
  /** The certificate table's file range, when it lies inside the file. */
  readonly certTable: { readonly offset: number; readonly size: number } | null;
  readonly certificates: readonly WinCertificate[];
  readonly versionInfo: readonly VersionStrings[];
  /** Problems that did not stop the parse (damaged resources, a bad certificate table). */
  readonly warnings: readonly string[];
}

/**
 * Random access to an image's bytes by file offset. A Buffer is one; the
 * signature checker passes a view that reads only the ranges asked for, so a
 * big file is never held whole.
 */
export interface PeBytes {
  readonly length: number;
  readUInt16LE(offset: number): number;
  readUInt32LE(offset: number): number;
  subarray(start: number, end: number): Buffer;
}

function u16(b: PeBytes, o: number): number {
  if (o < 0 || o + 2 > b.length) throw new PeError(`read of 2 bytes at ${o} is outside the file (${b.length} bytes)`);
  return b.readUInt16LE(o);
}
function u32(b: PeBytes, o: number): number {
  if (o < 0 || o + 4 > b.length) throw new PeError(`read of 4 bytes at ${o} is outside the file (${b.length} bytes)`);
  return b.readUInt32LE(o);
}

/** Parses a PE image from bytes. Throws PeError when the bytes are not a PE image at all. */
export function parsePe(buf: PeBytes): PeImage {
  if (buf.length < 64 || buf.readUInt16LE(0) !== 0x5a4d) throw new PeError('not a PE file (no MZ header)');
  const peOff = u32(buf, 0x3c);
  if (peOff > buf.length - 24 || u32(buf, peOff) !== 0x00004550) throw new PeError('not a PE file (no PE signature)');
  const machine = u16(buf, peOff + 4);
  const nSections = u16(buf, peOff + 6);
  const timestamp = u32(buf, peOff + 8);
  const optSize = u16(buf, peOff + 20);
  const characteristics = u16(buf, peOff + 22);
  const opt = peOff + 24;
  const magic = u16(buf, opt);
  let format: 'PE32' | 'PE32+';
  if (magic === 0x10b) format = 'PE32';
  else if (magic === 0x20b) format = 'PE32+';
  else throw new PeError(`unknown optional-header magic 0x${magic.toString(16)}`);
  const ddBase = opt + (format === 'PE32' ? 96 : 112);
  const numberOfRvaAndSizes = u32(buf, ddBase - 4);
  const sizeOfHeaders = u32(buf, opt + 60);
  const checksumOffset = opt + 64;
  const subsystem = u16(buf, opt + 68);
  if (checksumOffset + 4 > buf.length) throw new PeError('optional header is truncated');
  if (nSections > PE_LIMITS.maxSections)
    throw new PeError(`section count ${nSections} exceeds ${PE_LIMITS.maxSections}`);

  const warnings: string[] = [];
  const dirCount = Math.min(numberOfRvaAndSizes, 16);
  const dirEnd = opt + optSize;
  const dataDir = (i: number): { rva: number; size: number } | null => {
    const at = ddBase + i * 8;
    // A directory only exists if the header declares it and it fits in the optional header and the file.
    if (i >= dirCount || at + 8 > dirEnd || at + 8 > buf.length) return null;
    return { rva: u32(buf, at), size: u32(buf, at + 4) };
  };

  const sections: PeSection[] = [];
  const secTable = opt + optSize;
  for (let i = 0; i < nSections; i++) {
    const s = secTable + i * 40;
    if (s + 40 > buf.length) {
      warnings.push(`section table truncated after ${i} of ${nSections} sections`);
      break;
    }
    const rawName = buf.subarray(s, s + 8);
    const nul = rawName.indexOf(0);
    sections.push({
      name: rawName.subarray(0, nul === -1 ? 8 : nul).toString('latin1'),
      virtualSize: u32(buf, s + 8),
      virtualAddress: u32(buf, s + 12),
      rawSize: u32(buf, s + 16),
      rawPointer: u32(buf, s + 20),
    });
  }

  const rvaToOffset = (rva: number, len: number): number | null => {
    for (const s of sections) {
      const span = Math.max(s.virtualSize, s.rawSize);
      if (rva >= s.virtualAddress && rva - s.virtualAddress < span) {
        const off = s.rawPointer + (rva - s.virtualAddress);
        if (rva - s.virtualAddress + len > s.rawSize || off + len > buf.length) return null;
        return off;
      }
    }
    // Before the first section the RVA is a header offset.
    if (rva + len <= Math.min(sizeOfHeaders, buf.length)) return rva;
    return null;
  };

  let versionInfo: VersionStrings[] = [];
  const res = dataDir(2);
  if (res && res.rva !== 0 && res.size !== 0) {
    try {
      versionInfo = readVersionResources(buf, res.rva, rvaToOffset);
    } catch (e) {
      warnings.push(`resources: ${(e as Error).message}`);
    }
  }

  const certDirectoryOffset = dataDir(4) ? ddBase + 4 * 8 : null;
  let certTable: PeImage['certTable'] = null;
  let certificates: WinCertificate[] = [];
  const sec = dataDir(4);
  if (sec && sec.size !== 0) {
    // The security directory holds a file offset, not an RVA.
    if (sec.rva < sizeOfHeaders || sec.rva + sec.size > buf.length || sec.rva > buf.length) {
      warnings.push(`certificate table (${sec.size} bytes at ${sec.rva}) lies outside the file`);
    } else {
      certTable = { offset: sec.rva, size: sec.size };
      try {
        certificates = readCertificates(buf.subarray(sec.rva, sec.rva + sec.size));
      } catch (e) {
        warnings.push(`certificates: ${(e as Error).message}`);
      }
    }
  }

  return {
    format,
    machine,
    subsystem,
    timestamp,
    characteristics,
    sizeOfHeaders,
    sections,
    checksumOffset,
    certDirectoryOffset,
    certTable,
    certificates,
    versionInfo,
    warnings,
  };
}

/** WIN_CERTIFICATE entries, each 8-byte aligned, until the table ends. */
function readCertificates(table: Buffer): WinCertificate[] {
  const out: WinCertificate[] = [];
  let p = 0;
  while (p + 8 <= table.length) {
    if (out.length >= PE_LIMITS.maxCertificates)
      throw new PeError(`more than ${PE_LIMITS.maxCertificates} certificate entries`);
    const len = table.readUInt32LE(p);
    if (len < 8 || p + len > table.length) throw new PeError(`certificate entry at ${p} has bad length ${len}`);
    out.push({
      revision: table.readUInt16LE(p + 4),
      type: table.readUInt16LE(p + 6),
      data: table.subarray(p + 8, p + len),
    });
    // Entries are quadword aligned; len >= 8 so this always advances.
    p += (len + 7) & ~7;
  }
  return out;
}

const RT_VERSION = 16;

function readVersionResources(
  buf: PeBytes,
  resRva: number,
  rvaToOffset: (rva: number, len: number) => number | null,
): VersionStrings[] {
  const base = rvaToOffset(resRva, 16);
  if (base === null) throw new PeError('resource directory is outside the file');
  let visited = 0;
  const seenDirs = new Set<number>();
  const leaves: number[] = [];
  // Walk: level 0 picks RT_VERSION, levels 1-2 take every name and language.
  const walk = (dirOff: number, depth: number): void => {
    if (depth >= PE_LIMITS.maxResourceDepth) return;
    if (seenDirs.has(dirOff)) throw new PeError('resource directory loop');
    seenDirs.add(dirOff);
    if (dirOff + 16 > buf.length) throw new PeError('resource directory truncated');
    const count = buf.readUInt16LE(dirOff + 12) + buf.readUInt16LE(dirOff + 14);
    for (let i = 0; i < count; i++) {
      if (++visited > PE_LIMITS.maxResourceEntries) throw new PeError('too many resource entries');
      const e = dirOff + 16 + i * 8;
      if (e + 8 > buf.length) throw new PeError('resource entry truncated');
      const id = buf.readUInt32LE(e);
      const target = buf.readUInt32LE(e + 4);
      if (depth === 0 && id !== RT_VERSION) continue;
      const sub = target & 0x7fffffff;
      if (sub > buf.length - base) throw new PeError('resource entry points outside the file');
      if (target & 0x80000000) walk(base + sub, depth + 1);
      else if (depth === PE_LIMITS.maxResourceDepth - 1) leaves.push(base + sub);
    }
  };
  walk(base, 0);
  // One budget for the whole file, and each data range parsed once: thousands
  // of language leaves pointing at one VERSIONINFO cost one parse, not thousands.
  const budget = { n: PE_LIMITS.maxVersionBlocks };
  const parsed = new Set<string>();
  const out: VersionStrings[] = [];
  const seenTables = new Set<string>();
  for (const leaf of leaves) {
    if (leaf + 16 > buf.length) continue;
    const size = buf.readUInt32LE(leaf + 4);
    const off = rvaToOffset(buf.readUInt32LE(leaf), size);
    if (off === null) continue;
    const range = `${off}:${size}`;
    if (parsed.has(range)) continue;
    if (parsed.size >= PE_LIMITS.maxVersionResources)
      throw new PeError(`more than ${PE_LIMITS.maxVersionResources} version resources`);
    parsed.add(range);
    for (const table of parseVersionInfo(buf.subarray(off, off + size), budget)) {
      // Identical tables (the same resource under two offsets) are reported once.
      const key = JSON.stringify([table.language, Object.entries(table.strings)]);
      if (seenTables.has(key)) continue;
      seenTables.add(key);
      out.push(table);
    }
  }
  return out;
}

interface VsBlock {
  readonly key: string;
  readonly valueType: number;
  readonly valueLength: number;
  readonly valueStart: number;
  readonly childrenStart: number;
  readonly end: number;
}

function readBlock(b: Buffer, p: number, limit: number): VsBlock {
  if (p + 6 > limit) throw new PeError('version block header truncated');
  const length = b.readUInt16LE(p);
  if (length < 6 || p + length > limit) throw new PeError(`version block at ${p} has bad length ${length}`);
  const end = p + length;
  const valueLength = b.readUInt16LE(p + 2);
  const valueType = b.readUInt16LE(p + 4);
  let q = p + 6;
  const codes: number[] = [];
  while (q + 2 <= end) {
    const c = b.readUInt16LE(q);
    q += 2;
    if (c === 0) break;
    if (codes.length < PE_LIMITS.maxStringLength) codes.push(c);
  }
  const valueStart = Math.min((q + 3) & ~3, end);
  // Text values count UTF-16 units; binary values count bytes.
  const valueBytes = valueType === 1 ? valueLength * 2 : valueLength;
  const childrenStart = Math.min((valueStart + valueBytes + 3) & ~3, end);
  return { key: String.fromCharCode(...codes), valueType, valueLength, valueStart, childrenStart, end };
}

function blockChildren(b: Buffer, blk: VsBlock, budget: { n: number }): VsBlock[] {
  const out: VsBlock[] = [];
  let p = blk.childrenStart;
  while (p + 6 <= blk.end) {
    if (--budget.n < 0) throw new PeError('too many version blocks');
    const c = readBlock(b, p, blk.end);
    out.push(c);
    // length >= 6, so p strictly increases.
    p = (c.end + 3) & ~3;
  }
  return out;
}

function utf16z(b: Buffer, start: number, end: number): string {
  const codes: number[] = [];
  for (let q = start; q + 2 <= end && codes.length < PE_LIMITS.maxStringLength; q += 2) {
    const c = b.readUInt16LE(q);
    if (c === 0) break;
    codes.push(c);
  }
  return String.fromCharCode(...codes);
}

/**
 * Parses a VS_VERSIONINFO resource: every StringTable (one per language) it
 * holds. `budget` counts blocks visited; pass one shared budget for every
 * resource of a file.
 */
export function parseVersionInfo(
  data: Buffer,
  budget: { n: number } = { n: PE_LIMITS.maxVersionBlocks },
): VersionStrings[] {
  const root = readBlock(data, 0, data.length);
  if (root.key !== 'VS_VERSION_INFO') throw new PeError(`version resource key is "${root.key.slice(0, 40)}"`);
  const out: VersionStrings[] = [];
  for (const sfi of blockChildren(data, root, budget)) {
    if (sfi.key !== 'StringFileInfo') continue;
    for (const table of blockChildren(data, sfi, budget)) {
      const strings: Record<string, string> = {};
      for (const s of blockChildren(data, table, budget)) {
        const valueEnd = Math.min(s.valueStart + s.valueLength * 2, s.end);
        // Keys are from the file: keep them as data, never as object prototype names.
        if (s.key.length > 0 && !Object.hasOwn(strings, s.key)) {
          Object.defineProperty(strings, s.key, { value: utf16z(data, s.valueStart, valueEnd), enumerable: true });
        }
      }
      out.push({ language: table.key.toLowerCase(), strings });
    }
  }
  return out;
}
