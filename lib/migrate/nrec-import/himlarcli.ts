// himlarcli's image files (config/images/*.yaml): the publishing side. `type` is the first Glance
// tag; each entry's key the second; `name` the GOLD name, `depricated` (sic) the Outdated name;
// `url` + `latest` the file image.py downloads (`http://builder/<job>-latest.<ext>` for built
// images), min_ram/min_disk, visibility, owner, properties as Glance gets them.
import * as path from 'path';
import { asRecord } from '../../common';
import { ImportError, isDirectory, readYamlMapping, yamlFiles } from './read-source';

/** One entry of a himlarcli image file. */
export interface HimlarcliEntry {
  /** The file's base name (default.yaml, vgpu.yaml …). */
  readonly file: string;
  /** The file's `type`: the first Glance tag. */
  readonly type: string;
  /** The entry's key: the second Glance tag. */
  readonly key: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** One himlarcli image file. */
export interface HimlarcliFile {
  readonly file: string;
  readonly type: string;
  /** `retired*.yaml`: the images `image.py retire` was run on (name + depricated only). */
  readonly retired: boolean;
  readonly entries: readonly HimlarcliEntry[];
}

/** The image files of a himlarcli checkout (`DIR/config/images/`) or of that directory itself. */
export function readHimlarcli(dir: string): { readonly dir: string; readonly files: readonly HimlarcliFile[] } {
  const nested = path.join(dir, 'config', 'images');
  const imagesDir = isDirectory(nested) ? nested : dir;
  if (!isDirectory(imagesDir)) throw new ImportError(`${dir}: not a directory (give the himlarcli checkout)`);
  const files = yamlFiles(imagesDir).map((file) => readFile(file));
  if (files.length === 0) throw new ImportError(`${dir}: no config/images/*.yaml (give the himlarcli checkout)`);
  return { dir: imagesDir, files };
}

function readFile(file: string): HimlarcliFile {
  const doc = readYamlMapping(file);
  const base = path.basename(file);
  const type = doc.type;
  if (typeof type !== 'string' || !/^[a-z0-9_]+$/.test(type)) throw new ImportError(`${file}: type must be a tag of a-z, 0-9 and _`);
  const images = doc.images === undefined ? {} : asRecord(doc.images);
  if (!images) throw new ImportError(`${file}: images must be a mapping`);
  const entries = Object.entries(images).map(([key, value]): HimlarcliEntry => {
    const fields = value === null ? {} : asRecord(value);
    if (!fields) throw new ImportError(`${file}: images.${key} must be a mapping`);
    return { file: base, type, key, fields };
  });
  return { file: base, type, retired: base.startsWith('retired'), entries };
}
