/**
 * File-system failures in words. A raw `ENOSPC: no space left on device, write` says neither
 * what was being written nor what to do; these name the cause so a PretextError can say both.
 */
const CAUSES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission was denied',
  EPERM: 'the operation is not permitted',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file is in the way',
  EISDIR: 'a folder is where a file should be',
  ENOENT: 'a folder on the path does not exist'
};

/** The errno code of a Node file-system error, or undefined for anything else. */
export function fsErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** "the disk is full (ENOSPC)", or the error's first line when the code is not known. */
export function describeFsError(error: unknown): string {
  const code = fsErrorCode(error);
  if (code && CAUSES[code]) {
    return `${CAUSES[code]} (${code})`;
  }
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

/** What to do about it, by cause. */
export function fsErrorFix(error: unknown, where: string): string {
  switch (fsErrorCode(error)) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `Free space on the disk holding ${where} (or pass runStore: a folder on a disk with room)`;
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
      return `Make ${where} writable (or pass runStore: a writable folder)`;
    case 'ENOTDIR':
    case 'EEXIST':
    case 'EISDIR':
      return `Move the file that is in the way of ${where}, or pass runStore: another folder`;
    default:
      return `Check that ${where} can be written`;
  }
}
