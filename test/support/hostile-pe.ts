// Builds PE32 images whose resource tree an attacker shaped: one RT_VERSION
// name whose language directory holds `leaves` entries, all pointing at one
// data entry or each at its own, over a VS_VERSIONINFO of the chosen shape.
// Every byte is laid out here, so a test states exactly what it feeds the parser.

function utf16z(s: string): Buffer {
  return Buffer.from(`${s}\0`, 'utf16le');
}
const pad4 = (b: Buffer): Buffer => (b.length % 4 === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]));

/** One version block: header, key, value (text counts UTF-16 units), children; padded to 4. */
function block(key: string, value: Buffer | string | null, children: Buffer[] = []): Buffer {
  const keyBytes = utf16z(key);
  const isText = typeof value === 'string';
  const valueBytes = value === null ? Buffer.alloc(0) : isText ? utf16z(value) : value;
  const head = pad4(Buffer.concat([Buffer.alloc(6), keyBytes]));
  const body = pad4(Buffer.concat([head, valueBytes]));
  const out = Buffer.concat([body, ...children.map(pad4)]);
  if (out.length > 0xffff) throw new Error(`version block ${key} is ${out.length} bytes, more than a u16 length`);
  out.writeUInt16LE(out.length, 0);
  out.writeUInt16LE(isText ? valueBytes.length / 2 : valueBytes.length, 2);
  out.writeUInt16LE(isText ? 1 : 0, 4);
  return out;
}

/** A VS_VERSIONINFO with `strings` entries of `valueChars` characters each in one 040904b0 table. */
export function versionInfo(strings: number, valueChars: number, extra: Record<string, string> = {}): Buffer {
  const entries = [
    ...Object.entries(extra).map(([k, v]) => block(k, v)),
    ...Array.from({ length: strings }, (_, i) => block(`K${i}`, 'v'.repeat(valueChars))),
  ];
  const fixed = Buffer.alloc(52);
  fixed.writeUInt32LE(0xfeef04bd, 0);
  return block('VS_VERSION_INFO', fixed, [block('StringFileInfo', null, [block('040904b0', null, entries)])]);
}

/**
 * A PE32 image with one .rsrc section: RT_VERSION / name 1 / `leaves`
 * languages. shared: every leaf points at one data entry; otherwise each has
 * its own entry over the same bytes.
 */
export function peWithVersionLeaves(version: Buffer, leaves: number, shared = true): Buffer {
  const RSRC_RVA = 0x1000;
  const RAW = 0x200;
  const root = 0;
  const nameDir = 24;
  const langDir = 48;
  const dataEntries = langDir + 16 + leaves * 8;
  const versionOff = dataEntries + (shared ? 1 : leaves) * 16;
  // 256 spare bytes, so a test may widen a data entry's size and stay inside the section.
  const rsrc = Buffer.alloc(versionOff + version.length + 256);
  const dir = (at: number, ids: number) => rsrc.writeUInt16LE(ids, at + 14);
  dir(root, 1);
  rsrc.writeUInt32LE(16, root + 16);
  rsrc.writeUInt32LE(0x80000000 + nameDir, root + 20);
  dir(nameDir, 1);
  rsrc.writeUInt32LE(1, nameDir + 16);
  rsrc.writeUInt32LE(0x80000000 + langDir, nameDir + 20);
  dir(langDir, leaves);
  for (let i = 0; i < leaves; i++) {
    rsrc.writeUInt32LE(i + 1, langDir + 16 + i * 8);
    rsrc.writeUInt32LE(dataEntries + (shared ? 0 : i) * 16, langDir + 20 + i * 8);
  }
  for (let i = 0; i < (shared ? 1 : leaves); i++) {
    rsrc.writeUInt32LE(RSRC_RVA + versionOff, dataEntries + i * 16);
    rsrc.writeUInt32LE(version.length, dataEntries + i * 16 + 4);
  }
  version.copy(rsrc, versionOff);
  const rawSize = (rsrc.length + 0x1ff) & ~0x1ff;
  const file = Buffer.alloc(RAW + rawSize);
  file.write('MZ', 0, 'latin1');
  file.writeUInt32LE(0x40, 0x3c);
  file.write('PE\0\0', 0x40, 'latin1');
  const coff = 0x44;
  file.writeUInt16LE(0x14c, coff);
  file.writeUInt16LE(1, coff + 2);
  file.writeUInt16LE(224, coff + 16);
  file.writeUInt16LE(0x102, coff + 18);
  const opt = coff + 20;
  file.writeUInt16LE(0x10b, opt);
  file.writeUInt32LE(0x1000, opt + 32); // SectionAlignment
  file.writeUInt32LE(0x200, opt + 36); // FileAlignment
  file.writeUInt32LE(RSRC_RVA + ((rsrc.length + 0xfff) & ~0xfff), opt + 56); // SizeOfImage
  file.writeUInt32LE(RAW, opt + 60); // SizeOfHeaders
  file.writeUInt16LE(2, opt + 68); // GUI subsystem
  file.writeUInt32LE(16, opt + 92);
  file.writeUInt32LE(RSRC_RVA, opt + 96 + 2 * 8);
  file.writeUInt32LE(rsrc.length, opt + 96 + 2 * 8 + 4);
  const sec = opt + 224;
  file.write('.rsrc', sec, 'latin1');
  file.writeUInt32LE(rsrc.length, sec + 8);
  file.writeUInt32LE(RSRC_RVA, sec + 12);
  file.writeUInt32LE(rawSize, sec + 16);
  file.writeUInt32LE(RAW, sec + 20);
  file.writeUInt32LE(0x40000040, sec + 36);
  rsrc.copy(file, RAW);
  return file;
}

/** The file: 4,094 language leaves over one ~64 KB VERSIONINFO of long strings. */
export function hostileVersionPe(shared = true): Buffer {
  return peWithVersionLeaves(versionInfo(30, 1000, { OriginalFilename: 'hostile.exe' }), 4094, shared);
}
