#!/usr/bin/env bash
# Builds the small, real PE fixtures the signature-check tests depend on:
# tiny mingw-w64 programs with windres version resources, a throwaway test CA
# made with openssl, and Authenticode signatures made with osslsigncode.
# Output (committed): test/fixtures/pe/*.exe and test-ca.pem (the trust bundle
# the verdicts are judged against). Re-running regenerates everything with a
# fresh CA, so the committed set always belongs together.
# `build-pe-fixtures.sh chains` rebuilds only test/fixtures/pe/chains/ (one
# signed copy of the committed unsigned.exe per way a certificate chain can be
# wrong; see the section at the end), which needs openssl and osslsigncode only.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=test/fixtures/pe
WORK=$(mktemp -d)
TSA_PID=
trap 'rm -rf "$WORK"; if [ -n "$TSA_PID" ]; then kill "$TSA_PID" 2>/dev/null || true; fi' EXIT
mkdir -p "$OUT"
ONLY=${1:-all}
if [ "$ONLY" = all ]; then

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
fi

# --- Certificate chains -------------------------------------------------------
# One copy of unsigned.exe per chain case, each signed through its own chain
# under one root (chains/root.pem, the bundle these are judged against). The
# certificates come from `openssl ca` so validity dates can lie in the past.
CH=$OUT/chains
rm -rf "$CH"
mkdir -p "$CH" "$WORK/db/new"
: >"$WORK/db/index.txt"
cat >"$WORK/ca.cnf" <<CNF
[ ca ]
default_ca = any
[ any ]
database = $WORK/db/index.txt
new_certs_dir = $WORK/db/new
rand_serial = yes
default_md = sha256
policy = loose
unique_subject = no
email_in_dn = no
[ loose ]
commonName = supplied
organizationName = optional
CNF
key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/$1.key" 2>/dev/null; }
# issue NAME ISSUER|self "SUBJECT" START END EXTENSIONS...: writes $WORK/NAME.pem (key $WORK/NAME.key).
issue() {
  local name=$1 issuer=$2 subj=$3 start=$4 end=$5; shift 5
  [ -f "$WORK/$name.key" ] || key "$name"
  printf '%s\n' "$@" >"$WORK/$name.ext"
  openssl req -new -key "$WORK/$name.key" -subj "$subj" -out "$WORK/$name.csr" 2>/dev/null
  if [ "$issuer" = self ]; then
    openssl ca -config "$WORK/ca.cnf" -batch -notext -preserveDN -selfsign -keyfile "$WORK/$name.key" \
      -startdate "$start" -enddate "$end" -extfile "$WORK/$name.ext" -in "$WORK/$name.csr" -out "$WORK/$name.pem" 2>/dev/null
  else
    openssl ca -config "$WORK/ca.cnf" -batch -notext -preserveDN -cert "$WORK/$issuer.pem" -keyfile "$WORK/$issuer.key" \
      -startdate "$start" -enddate "$end" -extfile "$WORK/$name.ext" -in "$WORK/$name.csr" -out "$WORK/$name.pem" 2>/dev/null
  fi
}
FROM=20200101000000Z
TO=21200101000000Z
CA_EXT=(basicConstraints=critical,CA:TRUE keyUsage=critical,keyCertSign,cRLSign subjectKeyIdentifier=hash authorityKeyIdentifier=keyid)
SIGNER_EXT=(basicConstraints=CA:FALSE keyUsage=critical,digitalSignature extendedKeyUsage=codeSigning subjectKeyIdentifier=hash authorityKeyIdentifier=keyid)
issue root self "/CN=AN1489 Chain Root/O=AN1489 Tests" $FROM $TO "${CA_EXT[@]}"
cp "$WORK/root.pem" "$CH/root.pem"
# A timestamping authority under the root (RFC 3161: critical timeStamping EKU).
issue tsa root "/CN=AN1489 Chain TSA/O=AN1489 Tests" $FROM $TO basicConstraints=CA:FALSE keyUsage=critical,digitalSignature \
  extendedKeyUsage=critical,timeStamping subjectKeyIdentifier=hash authorityKeyIdentifier=keyid
# The same TSA name and usage, self-signed: its timestamps verify against nothing in the bundle.
issue stray-tsa self "/CN=AN1489 Chain TSA/O=AN1489 Tests" $FROM $TO basicConstraints=CA:FALSE keyUsage=critical,digitalSignature \
  extendedKeyUsage=critical,timeStamping subjectKeyIdentifier=hash

# chain_sign OUT SIGNER "EXTRA CERTS..." [osslsigncode args...]
chain_sign() {
  local out=$1 signer=$2 extra=$3; shift 3
  cat "$WORK/$signer.pem" >"$WORK/certs.pem"
  for c in $extra; do cat "$WORK/$c.pem" >>"$WORK/certs.pem"; done
  rm -f "$CH/$out"
  osslsigncode sign -certs "$WORK/certs.pem" -key "$WORK/$signer.key" -n "AN1489 chain fixture" -h sha256 "$@" \
    -in "$OUT/unsigned.exe" -out "$CH/$out" >/dev/null
}

# good: root -> intermediate (pathlen 0, code-signing EKU) -> signer. Trusted.
issue inter root "/CN=AN1489 Chain Intermediate/O=AN1489 Tests" $FROM $TO basicConstraints=critical,CA:TRUE,pathlen:0 \
  keyUsage=critical,keyCertSign,cRLSign extendedKeyUsage=codeSigning subjectKeyIdentifier=hash authorityKeyIdentifier=keyid
issue signer inter "/CN=AN1489 Chain Signer/O=AN1489 Tests" $FROM $TO "${SIGNER_EXT[@]}"
chain_sign good.exe signer inter
# ca-false: the "intermediate" is a TLS server certificate (CA:FALSE, no keyUsage, so only the CA flag refuses it).
issue tls root "/CN=tls.an1489.test/O=AN1489 Tests" $FROM $TO basicConstraints=CA:FALSE \
  extendedKeyUsage=serverAuth subjectKeyIdentifier=hash authorityKeyIdentifier=keyid
issue under-tls tls "/CN=AN1489 Chain Under TLS/O=AN1489 Tests" $FROM $TO "${SIGNER_EXT[@]}"
chain_sign ca-false.exe under-tls tls
# tls-eku: the signer itself holds serverAuth only.
issue tls-signer root "/CN=AN1489 Chain TLS-only Signer/O=AN1489 Tests" $FROM $TO basicConstraints=CA:FALSE keyUsage=critical,digitalSignature \
  extendedKeyUsage=serverAuth subjectKeyIdentifier=hash authorityKeyIdentifier=keyid
chain_sign tls-eku.exe tls-signer ""
# expired: the signer's validity ended in 2021; no timestamp.
issue old root "/CN=AN1489 Chain Expired Signer/O=AN1489 Tests" 20200101000000Z 20210101000000Z "${SIGNER_EXT[@]}"
chain_sign expired.exe old ""
# expired-timestamped: the same signer, with an RFC 3161 timestamp from 2020-06-01
# made by osslsigncode's built-in TSA (-TSA-certs/-TSA-key/-TSA-time). Accepted.
chain_sign expired-timestamped.exe old "" -TSA-certs "$WORK/tsa.pem" -TSA-key "$WORK/tsa.key" -TSA-time 1590969600
# expired-stray-timestamp: the same, but the timestamp's TSA is not under the root,
# so the time it claims is not believed and "now" applies.
chain_sign expired-stray-timestamp.exe old "" -TSA-certs "$WORK/stray-tsa.pem" -TSA-key "$WORK/stray-tsa.key" -TSA-time 1590969600
# wrong-issuer: names the root as issuer but is signed by another key with the root's name.
issue impostor self "/CN=AN1489 Chain Root/O=AN1489 Tests" $FROM $TO "${CA_EXT[@]}"
issue forged impostor "/CN=AN1489 Chain Forged Signer/O=AN1489 Tests" $FROM $TO "${SIGNER_EXT[@]}"
chain_sign wrong-issuer.exe forged ""
# self-signed: a code-signing leaf that is its own issuer.
issue selfie self "/CN=AN1489 Chain Self-signed Signer/O=AN1489 Tests" $FROM $TO "${SIGNER_EXT[@]}"
chain_sign self-signed.exe selfie ""
# pathlen: root -> intermediate (pathlen 0) -> another CA -> signer.
issue sub inter "/CN=AN1489 Chain Sub-CA/O=AN1489 Tests" $FROM $TO "${CA_EXT[@]}"
issue deep sub "/CN=AN1489 Chain Deep Signer/O=AN1489 Tests" $FROM $TO "${SIGNER_EXT[@]}"
chain_sign pathlen.exe deep "sub inter"
# ku-issuer: an intermediate CA whose key usage omits keyCertSign.
issue nosign-ca root "/CN=AN1489 Chain CA without keyCertSign/O=AN1489 Tests" $FROM $TO basicConstraints=critical,CA:TRUE \
  keyUsage=critical,digitalSignature subjectKeyIdentifier=hash authorityKeyIdentifier=keyid
issue under-nosign nosign-ca "/CN=AN1489 Chain Under No-certSign CA/O=AN1489 Tests" $FROM $TO "${SIGNER_EXT[@]}"
chain_sign ku-issuer.exe under-nosign nosign-ca
# ku-signer: the signer's key usage omits digitalSignature (Windows and RFC 5280 refuse it).
issue kx-signer root "/CN=AN1489 Chain Key-encipherment Signer/O=AN1489 Tests" $FROM $TO basicConstraints=CA:FALSE \
  keyUsage=critical,keyEncipherment extendedKeyUsage=codeSigning subjectKeyIdentifier=hash authorityKeyIdentifier=keyid
chain_sign ku-signer.exe kx-signer ""
# eku-intermediate: an intermediate restricted to serverAuth (Windows intersects EKUs down the chain).
issue tls-ca root "/CN=AN1489 Chain TLS-only CA/O=AN1489 Tests" $FROM $TO "${CA_EXT[@]}" extendedKeyUsage=serverAuth
issue under-tls-ca tls-ca "/CN=AN1489 Chain Under TLS-only CA/O=AN1489 Tests" $FROM $TO "${SIGNER_EXT[@]}"
chain_sign eku-intermediate.exe under-tls-ca tls-ca
# legacy-timestamped: a PKCS#9 countersignature (signtool /t, osslsigncode -t), from a
# throwaway HTTP timestamp server: it answers the Authenticode request (base64
# TimeStampRequest holding the signature value) with `openssl cms -sign` over that
# value, so messageDigest covers it and signingTime is now. Signed by the TSA under the root.
cat >"$WORK/legacy-tsa.py" <<'PYTSA'
import base64, http.server, subprocess, sys, tempfile, os
work, cert, key = sys.argv[1:4]
def tlv(b, i):
    tag, n = b[i], b[i + 1]; i += 2
    if n & 0x80:
        k = n & 0x7f; n = int.from_bytes(b[i:i + k], 'big'); i += k
    return tag, i, i + n
def signature_value(req):
    _, s, e = tlv(req, 0)              # TimeStampRequest
    _, s2, e2 = tlv(req, s)            # type OID
    _, s3, e3 = tlv(req, e2)           # blob SEQUENCE
    _, s4, e4 = tlv(req, s3)           # blob type OID
    _, s5, e5 = tlv(req, e4)           # [0]
    _, s6, e6 = tlv(req, s5)           # OCTET STRING
    return req[s6:e6]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers['Content-Length']))
        sig = signature_value(base64.b64decode(body))
        with tempfile.NamedTemporaryFile(dir=work, delete=False) as f:
            f.write(sig)
        out = subprocess.run(['openssl', 'cms', '-sign', '-binary', '-nodetach', '-md', 'sha256', '-in', f.name,
                              '-signer', cert, '-inkey', key, '-outform', 'DER'], check=True, capture_output=True).stdout
        os.unlink(f.name)
        reply = base64.b64encode(out)
        self.send_response(200); self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Content-Length', str(len(reply))); self.end_headers(); self.wfile.write(reply)
    def log_message(self, *a): pass
srv = http.server.HTTPServer(('127.0.0.1', 0), H)
open(os.path.join(work, 'legacy-tsa.port'), 'w').write(str(srv.server_address[1]))
srv.serve_forever()
PYTSA
rm -f "$WORK/legacy-tsa.port"
/usr/bin/python3 "$WORK/legacy-tsa.py" "$WORK" "$WORK/tsa.pem" "$WORK/tsa.key" &
TSA_PID=$!
for _ in $(seq 100); do [ -s "$WORK/legacy-tsa.port" ] && break; sleep 0.1; done
chain_sign legacy-timestamped.exe signer inter -t "http://127.0.0.1:$(cat "$WORK/legacy-tsa.port")"
kill "$TSA_PID"
TSA_PID=
# lattice: a hostile pool. Six layers of four CA keys, every key of a layer
# certified by every key of the layer above (4^6 candidate paths, 96 CA
# certificates), none reaching the root: the path search must give up within its
# budget (src/pe/chain.ts) instead of trying every path.
W=4
D=6
LATTICE=()
for k in $(seq 0 $((D - 1))); do
  for j in $(seq 0 $((W - 1))); do
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/n$k-$j.key" 2>/dev/null
    for i in $(seq 0 $((W - 1))); do
      name=n$k-$j-by$i
      cp "$WORK/n$k-$j.key" "$WORK/$name.key"
      if [ "$k" = 0 ]; then
        [ "$i" = 0 ] || continue
        issue "$name" self "/CN=AN1489 Lattice L$k/O=AN1489 Tests" $FROM $TO "${CA_EXT[@]}"
      else
        issue "$name" "n$((k - 1))-$i-by0" "/CN=AN1489 Lattice L$k/O=AN1489 Tests" $FROM $TO "${CA_EXT[@]}"
      fi
      LATTICE+=("$name")
    done
  done
done
issue lattice-signer "n$((D - 1))-0-by0" "/CN=AN1489 Lattice Signer/O=AN1489 Tests" $FROM $TO "${SIGNER_EXT[@]}"
chain_sign lattice.exe lattice-signer "${LATTICE[*]}"
