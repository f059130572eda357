// The scale-up bundle as one .zip (fflate, deflate), every file under one top folder.
import { zipSync } from 'fflate';
import type { BundleFile } from './bundle';

/** The zip of the bundle's files, inside `folder/`. Binary files that barely compress are stored, not deflated. */
export function bundleZip(files: readonly BundleFile[], folder: string): Uint8Array {
  const entries: Record<string, [Uint8Array, { level: 0 | 6 }]> = {};
  for (const f of files)
    entries[`${folder}/${f.name}`] = [f.bytes, { level: f.name.endsWith('model.safetensors') ? 0 : 6 }];
  return zipSync(entries);
}
