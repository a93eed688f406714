#!/usr/bin/env bash
# Builds the small, real PE fixtures the signature-check tests depend on:
# tiny mingw-w64 programs with windres version resources, a throwaway test CA
# made with openssl, and Authenticode signatures made with osslsigncode.
# Output (committed): test/fixtures/pe/*.exe and test-ca.pem (the trust bundle
# the verdicts are judged against). Re-running regenerates everything with a
# fresh CA, so the committed set always belongs together.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=test/fixtures/pe
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

# Tiny programs: no C runtime, so each image is a couple of KB.
cat >"$WORK/tiny.c" <<'C'
/* The string makes the miner-indicator scan find something in the renamed one. */
__attribute__((used)) static const char note[] = MARKER;
int entry(void) { return (int)note[0]; }
C

version_rc() { # $1 original filename, $2 description, $3 company
  cat <<RC
1 VERSIONINFO
FILEVERSION 1,2,3,4
PRODUCTVERSION 1,2,3,4
FILETYPE 1
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904b0"
    BEGIN
      VALUE "CompanyName", "$3"
      VALUE "FileDescription", "$2"
      VALUE "FileVersion", "1.2.3.4"
      VALUE "InternalName", "${1%.exe}"
      VALUE "OriginalFilename", "$1"
      VALUE "ProductName", "AN1489 fixture"
    END
    BLOCK "040704b0"
    BEGIN
      VALUE "CompanyName", "$3 GmbH"
      VALUE "FileDescription", "$2 (de)"
      VALUE "OriginalFilename", "$1"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200, 0x407, 1200
  END
END
RC
}

build() { # $1 output, $2 original filename, $3 marker string
  version_rc "$2" "Fixture $2" "AN1489 Test" >"$WORK/v.rc"
  x86_64-w64-mingw32-windres "$WORK/v.rc" -O coff -o "$WORK/v.res"
  x86_64-w64-mingw32-gcc -Os -s -nostdlib -Wl,-e,entry -Wl,--subsystem,console \
    -DMARKER="\"$3\"" "$WORK/tiny.c" "$WORK/v.res" -o "$1"
}

# Test CA and a code-signing leaf; the leaf key signs, the CA is the bundle.
openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj "/CN=AN1489 Test Root CA/O=AN1489 Tests" \
  -keyout "$WORK/ca.key" -out "$WORK/ca.pem" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=AN1489 Test Code Signing/O=AN1489 Tests" \
  -keyout "$WORK/leaf.key" -out "$WORK/leaf.csr" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n' >"$WORK/leaf.ext"
openssl x509 -req -in "$WORK/leaf.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial \
  -days 36500 -extfile "$WORK/leaf.ext" -out "$WORK/leaf.pem" 2>/dev/null
# A second, self-signed signer outside the bundle: its signatures are 'untrusted'.
openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj "/CN=AN1489 Stray Signer" \
  -keyout "$WORK/stray.key" -out "$WORK/stray.pem" 2>/dev/null
cp "$WORK/ca.pem" "$OUT/test-ca.pem"

sign() { # $1 in, $2 out, extra args...
  local in=$1 out=$2; shift 2
  rm -f "$out"
  osslsigncode sign -certs "$WORK/leaf.pem" -ac "$WORK/ca.pem" -key "$WORK/leaf.key" \
    -n "AN1489 fixture" "$@" -in "$in" -out "$out" >/dev/null
}

build "$OUT/unsigned.exe" "fixture.exe" "plain"
sign "$OUT/unsigned.exe" "$OUT/signed.exe" -h sha256
# Tampered: flip one byte inside .text after signing (the digest no longer matches).
cp "$OUT/signed.exe" "$OUT/tampered.exe"
/usr/bin/python3 - "$OUT/tampered.exe" <<'PY'
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
pe = struct.unpack_from('<I', b, 0x3c)[0]
nsec = struct.unpack_from('<H', b, pe + 6)[0]
opt = struct.unpack_from('<H', b, pe + 20)[0]
sec = pe + 24 + opt
for i in range(nsec):
    name = bytes(b[sec + 40*i: sec + 40*i + 8]).rstrip(b'\0')
    raw_size, raw_ptr = struct.unpack_from('<II', b, sec + 40*i + 16)
    if name == b'.text':
        b[raw_ptr + 1] ^= 0xFF
        break
open(p, 'wb').write(b)
PY
# Renamed: the version resource says xmrig.exe, saved as svchost.exe, with a pool URL inside.
build "$WORK/renamed.exe" "xmrig.exe" "stratum+tcp://pool.minexmr.com:4444 --donate-level=1"
cp "$WORK/renamed.exe" "$OUT/svchost.exe"
# Two signatures: osslsigncode -nest adds a sha1 signature nested in the first (an
# unauthenticated attribute); the outer is sha256.
sign "$OUT/unsigned.exe" "$WORK/sig1.exe" -h sha256
osslsigncode sign -certs "$WORK/stray.pem" -key "$WORK/stray.key" -n "AN1489 nested" -h sha1 -nest \
  -in "$WORK/sig1.exe" -out "$OUT/nested.exe" >/dev/null
# Two separate WIN_CERTIFICATE entries: append a second entry (the nested
# signature's PKCS#7 re-framed) after the first, growing the directory.
osslsigncode sign -certs "$WORK/stray.pem" -key "$WORK/stray.key" -n "AN1489 stray" -h sha256 -in "$OUT/unsigned.exe" -out "$WORK/stray-signed.exe" >/dev/null
/usr/bin/python3 - "$OUT/signed.exe" "$WORK/stray-signed.exe" "$OUT/two-entries.exe" <<'PY'
import struct, sys
def cert_table(b):
    pe = struct.unpack_from('<I', b, 0x3c)[0]
    magic = struct.unpack_from('<H', b, pe + 24)[0]
    dd = pe + 24 + (96 if magic == 0x10b else 112)
    off, size = struct.unpack_from('<II', b, dd + 4*8)
    return dd + 4*8, off, size
a = bytearray(open(sys.argv[1], 'rb').read())
s = open(sys.argv[2], 'rb').read()
_, soff, ssize = cert_table(s)
second = s[soff:soff+ssize]
dirpos, off, size = cert_table(a)
a = a[:off+size]
while len(a) % 8: a.append(0)
a += second
struct.pack_into('<II', a, dirpos, off, len(a) - off)
open(sys.argv[3], 'wb').write(a)
PY
