import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobEntry, BlobStore, BlobStoreStats, StoredBlob } from './blob-store.js';

export interface DirectoryBlobStoreOptions {
  /** The directory the files go in; created when missing. */
  path: string;
  /** Most bytes this process keeps on disk; the oldest files go first to make room. Default 1 GiB. */
  maxBytes?: number;
  /** How often expired files are removed, in ms. Default one minute. */
  sweepIntervalMs?: number;
  now?: () => number;
}

/** What the sidecar beside each blob holds. */
interface BlobSidecar {
  key: string;
  contentType: string;
  metadata?: Record<string, string>;
  size: number;
  createdAt: number;
  expiresAt: number;
}

interface IndexedFile {
  size: number;
  expiresAt: number;
}

const blobSuffix = '.blob';
const sidecarSuffix = '.meta.json';
const temporarySuffix = '.tmp';
/** A temporary or orphaned file this old was left by a process that died mid-write. */
const abandonedAfterMs = 60 * 60 * 1000;

/**
 * Blobs as files in one directory: `<name>.blob` with the bytes and
 * `<name>.meta.json` beside it (key, media type, metadata, expiry). The name
 * is the SHA-256 of the key, so no key can reach outside the directory.
 * Each file is written to a temporary name and renamed, blob before sidecar,
 * so a reader sees a whole blob or none.
 *
 * Expiry is checked on every read and swept periodically (an unref'd timer
 * that does not keep the process alive). This process's bytes are bounded
 * by `maxBytes`, oldest first; files left by an earlier run are taken into
 * account when the store opens. Several processes may share the directory
 * (each reads what any wrote), each bounding what it wrote itself.
 *
 * @example
 * const blobs = createDirectoryBlobStore({ path: '/var/lib/image-gateway/files', maxBytes: 2 ** 30 });
 */
export function createDirectoryBlobStore(options: DirectoryBlobStoreOptions): BlobStore {
  const directory = options.path;
  const maxBytes = options.maxBytes ?? 1024 * 1024 * 1024;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: its first key is the oldest file.
  const index = new Map<string, IndexedFile>();
  let bytes = 0;
  let evictions = 0;

  const blobPath = (name: string) => join(directory, name + blobSuffix);
  const sidecarPath = (name: string) => join(directory, name + sidecarSuffix);

  const forget = (name: string): void => {
    const file = index.get(name);
    if (!file) return;
    index.delete(name);
    bytes -= file.size;
  };

  // The sidecar goes first: without it the blob is unreachable, whatever happens next.
  const removeFiles = async (name: string): Promise<boolean> => {
    const existed = await rm(sidecarPath(name)).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    await rm(blobPath(name), { force: true });
    return existed;
  };

  const remove = (name: string): Promise<boolean> => {
    forget(name);
    return removeFiles(name);
  };

  const ready = (async () => {
    await mkdir(directory, { recursive: true });
    await indexExistingFiles(directory, now(), index, remove);
    for (const file of index.values()) bytes += file.size;
  })();
  // A failed open is reported by each call that awaits it, not as an unhandled rejection.
  ready.catch(() => {});

  const sweep = async (): Promise<void> => {
    const at = now();
    const expired: string[] = [];
    for (const [name, file] of index) if (file.expiresAt <= at) expired.push(name);
    for (const name of expired) await remove(name).catch(() => {});
  };
  const sweeper = setInterval(() => void sweep(), options.sweepIntervalMs ?? 60_000);
  sweeper.unref();

  const writeAtomically = async (path: string, content: Uint8Array | string): Promise<void> => {
    const temporary = `${path}.${randomBytes(6).toString('hex')}${temporarySuffix}`;
    try {
      await writeFile(temporary, content);
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      throw error;
    }
  };

  return {
    kind: 'directory',
    async put(key: string, blob: StoredBlob, ttlMs: number): Promise<void> {
      await ready;
      const size = blob.bytes.byteLength;
      if (size > maxBytes) throw new RangeError(`a blob of ${size} bytes is larger than the store's bound of ${maxBytes} bytes`);
      const name = fileNameOf(key);
      forget(name);
      // Room is made and reserved before any await, so concurrent puts cannot overshoot the bound together.
      const evicted: string[] = [];
      for (const [oldest, file] of index) {
        if (bytes + size <= maxBytes) break;
        forget(oldest);
        if (file.expiresAt > now()) evictions += 1;
        evicted.push(oldest);
      }
      const createdAt = now();
      const file: IndexedFile = { size, expiresAt: createdAt + ttlMs };
      index.set(name, file);
      bytes += size;
      try {
        for (const oldest of evicted) await removeFiles(oldest);
        const sidecar: BlobSidecar = { key, contentType: blob.contentType, size, createdAt, expiresAt: file.expiresAt };
        if (blob.metadata) sidecar.metadata = { ...blob.metadata };
        await writeAtomically(blobPath(name), blob.bytes);
        await writeAtomically(sidecarPath(name), JSON.stringify(sidecar));
      } catch (error) {
        if (index.get(name) === file) forget(name);
        throw error;
      }
    },
    async get(key: string): Promise<BlobEntry | undefined> {
      await ready;
      const name = fileNameOf(key);
      const sidecar = await readSidecar(sidecarPath(name));
      if (!sidecar || sidecar.key !== key) return undefined;
      if (sidecar.expiresAt <= now()) {
        await remove(name).catch(() => {});
        return undefined;
      }
      const content = await readFile(blobPath(name)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (!content || content.byteLength !== sidecar.size) return undefined;
      const entry: BlobEntry = sidecar.metadata
        ? { bytes: content, contentType: sidecar.contentType, metadata: sidecar.metadata, expiresAt: sidecar.expiresAt }
        : { bytes: content, contentType: sidecar.contentType, expiresAt: sidecar.expiresAt };
      return entry;
    },
    async delete(key: string): Promise<boolean> {
      await ready;
      return remove(fileNameOf(key));
    },
    stats(): BlobStoreStats {
      return { entries: index.size, bytes, evictions };
    },
    async close(): Promise<void> {
      clearInterval(sweeper);
      await ready.catch(() => {});
    },
  };
}

/** A file name for any key: 64 hex characters, nothing a path could be built from. */
function fileNameOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

async function readSidecar(path: string): Promise<BlobSidecar | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as BlobSidecar;
    const valid =
      typeof parsed.key === 'string' &&
      typeof parsed.contentType === 'string' &&
      Number.isSafeInteger(parsed.size) &&
      Number.isFinite(parsed.expiresAt) &&
      Number.isFinite(parsed.createdAt);
    return valid ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Takes in the files an earlier run left: live ones join the index (oldest first), expired and abandoned ones go. */
async function indexExistingFiles(
  directory: string,
  at: number,
  index: Map<string, IndexedFile>,
  remove: (name: string) => Promise<boolean>,
): Promise<void> {
  const names = await readdir(directory);
  const live: (IndexedFile & { name: string; createdAt: number })[] = [];
  const sidecars = new Set<string>();
  for (const fileName of names) {
    if (!fileName.endsWith(sidecarSuffix)) continue;
    const name = fileName.slice(0, -sidecarSuffix.length);
    sidecars.add(name);
    const sidecar = await readSidecar(join(directory, fileName));
    if (!sidecar || sidecar.expiresAt <= at) await remove(name).catch(() => {});
    else live.push({ name, size: sidecar.size, expiresAt: sidecar.expiresAt, createdAt: sidecar.createdAt });
  }
  live.sort((first, second) => first.createdAt - second.createdAt);
  for (const file of live) index.set(file.name, { size: file.size, expiresAt: file.expiresAt });
  for (const fileName of names) {
    const orphan =
      fileName.endsWith(temporarySuffix) || (fileName.endsWith(blobSuffix) && !sidecars.has(fileName.slice(0, -blobSuffix.length)));
    if (!orphan) continue;
    const path = join(directory, fileName);
    const info = await stat(path).catch(() => undefined);
    // File times are the real clock's, whatever clock the store was given.
    if (info && Date.now() - info.mtimeMs > abandonedAfterMs) await rm(path, { force: true }).catch(() => {});
  }
}
