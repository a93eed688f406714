// Which bytes to judge for a running process: the running image itself where
// the OS gives it (Linux: /proc/<pid>/exe opens the executing inode even when
// its file was deleted or replaced), else the file at the process's path,
// with what can be told about whether that file is still the running image.
import { readlink, stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import type { ImageFacts } from './policy.js';

const DELETED = ' (deleted)';
/**
 * Start times are whole seconds, and procfs derives them from a boot time
 * that is itself rounded: only a change this long after the reported start is
 * surely after the real one.
 */
export const START_SLACK_SECONDS = 2;

export interface ProcessImage {
  /** The path to report: as the OS reports it, ` (deleted)` included. */
  readonly displayPath: string;
  /** The path the binary lived at, for judgement (without ` (deleted)`). */
  readonly path: string;
  /** Where to read the bytes from. */
  readonly readPath: string;
  /** Null when nothing is known about the running image (no path). */
  readonly image: ImageFacts | null;
  /** stat of readPath when it was taken here (the checker then need not stat again). */
  readonly stat?: BigIntStats;
}

export interface ImageProcess {
  readonly pid: number;
  /** The executable path the process source reported ('' when unknown). */
  readonly path: string;
  /** Start time in seconds since the epoch (0 when unknown). */
  readonly startTime: number;
}

export interface ImageOptions {
  /** procfs mount whose <pid>/exe gives the running image; null where there is none (Windows). */
  readonly procRoot: string | null;
}

export const DEFAULT_IMAGE_OPTIONS: ImageOptions = { procRoot: process.platform === 'linux' ? '/proc' : null };

/** The file's stat; 'gone' when no file has that name; null when it cannot be told (access denied). */
async function identity(path: string): Promise<BigIntStats | 'gone' | null> {
  try {
    return await stat(path, { bigint: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'gone' : null;
  }
}

/** Resolves what to read and judge for one running process. */
export async function processImage(
  p: ImageProcess,
  options: ImageOptions = DEFAULT_IMAGE_OPTIONS,
): Promise<ProcessImage> {
  if (options.procRoot !== null) {
    const exe = `${options.procRoot}/${p.pid}/exe`;
    let link: string | null = null;
    try {
      link = await readlink(exe);
    } catch {
      link = null; // exited, a kernel thread, or not ours to read: fall back to the path
    }
    const running = link === null ? null : await identity(exe);
    if (link !== null && running !== null && running !== 'gone') {
      const deleted = link.endsWith(DELETED);
      const path = deleted ? link.slice(0, -DELETED.length) : link;
      // Resolved in the process's own root, so a chroot or container sees its own file.
      const atPath = path.startsWith('/') ? await identity(`${options.procRoot}/${p.pid}/root${path}`) : null;
      const replaced =
        atPath !== null && atPath !== 'gone' && (atPath.dev !== running.dev || atPath.ino !== running.ino);
      return {
        displayPath: link,
        path,
        readPath: exe,
        image: { bytesFrom: 'running_image', deleted, replaced, changedAfterStart: false },
        stat: running,
      };
    }
  }
  if (p.path === '') return { displayPath: '', path: '', readPath: '', image: null };
  const atPath = await identity(p.path);
  const after =
    p.startTime > 0 &&
    atPath !== null &&
    atPath !== 'gone' &&
    Math.max(Number(atPath.mtimeMs), Number(atPath.ctimeMs)) >= (p.startTime + START_SLACK_SECONDS) * 1000;
  return {
    displayPath: p.path,
    path: p.path,
    readPath: p.path,
    image: { bytesFrom: 'path', deleted: atPath === 'gone', replaced: false, changedAfterStart: after },
    stat: atPath !== null && atPath !== 'gone' ? atPath : undefined,
  };
}
