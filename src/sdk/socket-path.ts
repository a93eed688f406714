// Where osquery's sockets live and how long their names may be.
//
// osqueryd listens on `--extensions_socket` and each extension listens on
// `<that path>.<uuid>` (osquery's getExtensionSocket). Unix socket paths must
// fit sockaddr_un.sun_path (108 bytes on Linux, 104 on macOS, both counting the
// terminating NUL); a longer path fails late with a confusing EINVAL or is
// silently truncated, so it is refused up front with the numbers spelled out.
// Windows named pipe names are limited to 256 characters.

export type SocketPlatform = NodeJS.Platform;

export function isNamedPipe(path: string): boolean {
  return /^\\\\[.?]\\pipe\\/i.test(path);
}

/** The socket path an extension with this uuid listens on. */
export function extensionSocketPath(managerPath: string, uuid: bigint): string {
  return `${managerPath}.${uuid.toString()}`;
}

/** Bytes of a Unix socket path allowed, NUL excluded; null when not a Unix limit. */
export function maxSocketPathBytes(platform: SocketPlatform): number {
  if (platform === 'darwin' || platform === 'freebsd' || platform === 'openbsd') return 103;
  return 107;
}

export const MAX_PIPE_NAME_CHARS = 256;

export class SocketPathError extends Error {
  override name = 'SocketPathError';
}

/** Throws SocketPathError when `path` cannot be listened on or connected to on `platform`. */
export function checkSocketPath(path: string, platform: SocketPlatform = process.platform): void {
  if (path.length === 0) throw new SocketPathError('socket path is empty');
  if (path.includes('\0')) throw new SocketPathError('socket path contains a NUL byte');
  if (platform === 'win32') {
    if (!isNamedPipe(path))
      throw new SocketPathError(
        `on Windows the socket must be a named pipe (\\\\.\\pipe\\NAME), got ${JSON.stringify(path)}`,
      );
    if (path.length > MAX_PIPE_NAME_CHARS) {
      throw new SocketPathError(
        `named pipe path is ${path.length} characters; Windows allows ${MAX_PIPE_NAME_CHARS}: ${JSON.stringify(path)}`,
      );
    }
    return;
  }
  const bytes = Buffer.byteLength(path, 'utf8');
  const max = maxSocketPathBytes(platform);
  if (bytes > max) {
    throw new SocketPathError(
      `socket path is ${bytes} bytes; ${platform} allows ${max} (sun_path ${max + 1} including NUL). Use a shorter --socket path: ${JSON.stringify(path)}`,
    );
  }
}
