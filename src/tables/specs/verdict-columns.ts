// The verdict columns both signature-check tables carry, in one place.
import type { ColumnSpec } from '../spec.js';

export const VERDICT_COLUMNS: readonly ColumnSpec[] = [
  { name: 'name', type: 'TEXT', description: 'File name the binary has on disk' },
  { name: 'on_disk', type: 'INTEGER', description: '1 when the file exists' },
  { name: 'size', type: 'BIGINT', description: 'File size in bytes' },
  { name: 'sha256', type: 'TEXT', description: 'SHA-256 of the file (NULL when not read)' },
  { name: 'pe', type: 'INTEGER', description: '1 when the file is a PE image' },
  { name: 'original_filename', type: 'TEXT', description: 'VERSIONINFO OriginalFilename' },
  { name: 'internal_name', type: 'TEXT', description: 'VERSIONINFO InternalName' },
  { name: 'product_name', type: 'TEXT', description: 'VERSIONINFO ProductName' },
  { name: 'company_name', type: 'TEXT', description: 'VERSIONINFO CompanyName' },
  { name: 'file_description', type: 'TEXT', description: 'VERSIONINFO FileDescription' },
  { name: 'file_version', type: 'TEXT', description: 'VERSIONINFO FileVersion string' },
  {
    name: 'renamed',
    type: 'INTEGER',
    description:
      '1 when the on-disk name differs from OriginalFilename (case-insensitive, .mui ignored, known exceptions excepted)',
  },
  {
    name: 'expected_location',
    type: 'INTEGER',
    description:
      '1/0 when the name is a catalogued Windows binary at/away from its directories; NULL when not catalogued',
  },
  { name: 'expected_paths', type: 'TEXT', description: 'Catalogued directories for the name, comma-separated' },
  { name: 'signed', type: 'INTEGER', description: '1 when the file carries an Authenticode signature' },
  {
    name: 'signature_status',
    type: 'TEXT',
    description: 'trusted, valid, untrusted, tampered, invalid, missing or unknown (primary signature)',
  },
  { name: 'signature_count', type: 'INTEGER', description: 'Signatures found, nested ones included' },
  { name: 'signer_subject', type: 'TEXT', description: 'Subject of the primary signer certificate' },
  { name: 'signer_issuer', type: 'TEXT', description: 'Issuer of the primary signer certificate' },
  { name: 'digest_algorithm', type: 'TEXT', description: 'Digest algorithm of the primary signature' },
  { name: 'timestamp', type: 'TEXT', description: 'Countersignature time of the primary signature (ISO-8601)' },
  {
    name: 'miner_indicators',
    type: 'TEXT',
    description: 'Miner strings in the binary and flags/pools in the command line, sorted, comma-separated',
  },
  { name: 'verdict', type: 'TEXT', description: 'masquerade, renamed, suspicious, ok or unknown' },
  { name: 'reasons', type: 'TEXT', description: 'Stable reason codes, sorted, comma-separated (docs/catalogs.md)' },
];
