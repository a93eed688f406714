// On-disk names that legitimately differ from the binary's OriginalFilename,
// as data. Each entry is a pair (case-insensitive); `*` as the on-disk name
// means "any name" and is kept for build stamps that tell nothing about
// identity. Reviewed by hand: every entry weakens the renamed-binary check.
export interface RenameException {
  readonly onDisk: string;
  readonly original: string;
  readonly why: string;
}

export const RENAME_EXCEPTIONS: readonly RenameException[] = [
  {
    onDisk: 'ntoskrnl.exe',
    original: 'ntkrnlmp.exe',
    why: 'the multiprocessor kernel is built as ntkrnlmp and installed as ntoskrnl',
  },
  {
    onDisk: 'ntoskrnl.exe',
    original: 'ntkrnlpa.exe',
    why: 'the PAE kernel build, installed as ntoskrnl on 32-bit systems',
  },
  { onDisk: 'ntkrnlpa.exe', original: 'ntkrpamp.exe', why: 'the PAE multiprocessor kernel build' },
  {
    onDisk: 'python.exe',
    original: 'py.exe',
    why: 'the Python launcher is sometimes installed under the interpreter name',
  },
  { onDisk: 'pythonw.exe', original: 'pyw.exe', why: 'the windowed Python launcher, as above' },
  {
    onDisk: 'iexplore.exe',
    original: 'IEXPLORE.EXE.MUI',
    why: 'resource-only language builds (the .mui suffix is also ignored in general)',
  },
];

/** Whether an on-disk name differing from OriginalFilename is a known legitimate pairing. */
export function isRenameException(
  onDisk: string,
  original: string,
  list: readonly RenameException[] = RENAME_EXCEPTIONS,
): boolean {
  const a = onDisk.toLowerCase();
  const b = original.toLowerCase();
  return list.some((e) => (e.onDisk === '*' || e.onDisk.toLowerCase() === a) && e.original.toLowerCase() === b);
}

const stem = (n: string) => n.replace(/\.[^.]*$/, '').toLowerCase();

/**
 * Whether OriginalFilename names the same program as the on-disk file: equal
 * names, a .mui resource build, a catalogued exception, or a .NET apphost (the
 * native launcher `<name>.exe` carries the managed `<name>.dll`'s resource).
 */
export function sameProgram(onDisk: string, original: string): boolean {
  const o = original.replace(/\.mui$/i, '');
  if (o.toLowerCase() === onDisk.toLowerCase()) return true;
  if (/\.dll$/i.test(o) && /\.exe$/i.test(onDisk) && stem(o) === stem(onDisk)) return true;
  return isRenameException(onDisk, o);
}
