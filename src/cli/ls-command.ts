import type { Command } from 'commander';
import { type ImageVolume, openImage, windowsVolume } from '../evidence/image-volumes.js';
import { EXIT_CLEAN } from './main.js';

export interface LsOptions {
  /** `vol1`, `vol2`, ... (see image-volumes.ts), or `all`; default: the Windows volume. */
  volume?: string;
  /** Only this path and what is below it (case-insensitive, `/` or `\`). */
  path?: string;
}

async function write(out: NodeJS.WritableStream, data: Uint8Array | string): Promise<void> {
  if (!out.write(data)) await new Promise((resolve) => out.once('drain', resolve));
}

/** Whether a bodyfile line's path is `prefix` or below it (streams and fls suffixes included). */
function under(line: string, prefix: string): boolean {
  const start = line.indexOf('|') + 1;
  const rest = line.slice(start, start + prefix.length + 1).toLowerCase();
  if (!rest.startsWith(prefix)) return false;
  const next = rest.charAt(prefix.length);
  return next === '' || next === '/' || next === ':' || next === ' ' || next === '|' || prefix === '/';
}

/** The bodyfile lines of one volume, as fls -r -m <mount> prints them; streamed. */
async function listVolume(
  volume: ImageVolume,
  mount: string,
  filter: string | undefined,
  out: NodeJS.WritableStream,
): Promise<number> {
  const rewrite = mount !== '/';
  if (volume.ntfs !== undefined) {
    if (!rewrite && filter === undefined) {
      // The fast path: the parser's UTF-8 chunks as they come.
      for await (const chunk of volume.ntfs.bodyfileChunks()) await write(out, chunk);
    } else {
      for await (const lines of volume.ntfs.bodyfileBatches()) {
        const kept = lines.filter((line) => filter === undefined || under(line, filter));
        if (kept.length === 0) continue;
        const text = kept.map((line) => (rewrite ? line.replace('|/', `|${mount}`) : line)).join('\n');
        await write(out, `${text}\n`);
      }
    }
    return volume.ntfs.errorCount;
  }
  const fat = volume.fat!;
  for await (const line of fat.bodyfile()) {
    if (filter !== undefined && !under(line, filter)) continue;
    await write(out, `${rewrite ? line.replace('|/', `|${mount}`) : line}\n`);
  }
  return fat.errorCount;
}

function normalizePrefix(path: string): string {
  const slashed = `/${path.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '')}`;
  return slashed.toLowerCase();
}

/**
 * `ls`: the file listing of a disk image's volume as a TSK bodyfile, identical to
 * `fls -r -m / -o <sector offset> image` (FAT times in UTC, as `fls` prints them with TZ=UTC).
 * `--volume all` lists every volume with its name as the mount point (`/vol1/...`).
 */
export async function listImage(
  image: string,
  options: LsOptions,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<void> {
  const opened = await openImage(image);
  try {
    for (const warning of opened.warnings) {
      err.write(`warning: ${warning.path === '' ? '' : `${warning.path}: `}${warning.reason}\n`);
    }
    let volumes: ImageVolume[];
    if (options.volume === undefined) {
      const found = await windowsVolume(opened.volumes);
      volumes = found === undefined ? [] : [found];
    } else if (options.volume.toLowerCase() === 'all') {
      volumes = opened.volumes;
    } else {
      const found = opened.volumes.find(
        (volume) => volume.name.toLowerCase() === options.volume!.toLowerCase(),
      );
      if (found === undefined) {
        const names = opened.volumes.map((volume) => volume.name).join(', ') || 'none';
        throw new Error(`no volume ${options.volume} in ${image} (volumes: ${names})`);
      }
      volumes = [found];
    }
    if (volumes.length === 0) throw new Error(`${image}: no NTFS or FAT volume found`);
    const filter = options.path === undefined ? undefined : normalizePrefix(options.path);
    const all = options.volume?.toLowerCase() === 'all';
    for (const volume of volumes) {
      const mount = all ? `/${volume.name}/` : '/';
      const errors = await listVolume(volume, mount, filter, out);
      if (errors > 0) err.write(`${volume.name}: ${errors} damaged structures reported\n`);
    }
  } finally {
    await opened.close();
  }
}

export function registerLsCommand(program: Command): void {
  program
    .command('ls')
    .description(
      "list a disk image's files as a TSK bodyfile (like fls -r -m /): the Windows volume, or --volume",
    )
    .argument('<image>', 'disk image: E01, VMDK, VHD, VHDX or raw (.dd/.raw/.img/.001)')
    .argument('[path]', 'only this path and below (e.g. /WINDOWS/system32)')
    .option('--volume <name>', 'volume to list: vol1, vol2, ... (partition number) or "all"')
    .action(async (image: string, path: string | undefined, options: { volume?: string }) => {
      await listImage(
        image,
        {
          ...(options.volume === undefined ? {} : { volume: options.volume }),
          ...(path === undefined ? {} : { path }),
        },
        process.stdout,
        process.stderr,
      );
      process.exitCode = EXIT_CLEAN;
    });
}
