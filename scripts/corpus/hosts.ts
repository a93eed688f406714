// The public corpus of Windows hosts for `an1489 replay`: half benign, half
// attacks, each a real shape seen on Windows estates (docs/hunting-playbook.md
// names the classes). `expect` on an attack process lists every reason
// composite_finding must give it. The hosts live in hosts/, grouped by kind.
import type { HostSpec } from './windows-host.js';
import { BENIGN } from './hosts/benign.js';
import { BENIGN_VENDOR } from './hosts/benign-vendor.js';
import { ATTACK_CLASSIC } from './hosts/attack-classic.js';
import { ATTACK_EVASION } from './hosts/attack-evasion.js';
import { ATTACK_SIGNED } from './hosts/attack-signed.js';

export const HOSTS: readonly HostSpec[] = [
  ...BENIGN,
  ...BENIGN_VENDOR,
  ...ATTACK_CLASSIC,
  ...ATTACK_EVASION,
  ...ATTACK_SIGNED,
];
