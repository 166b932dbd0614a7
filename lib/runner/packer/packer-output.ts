// What packer leaves behind: the line of its output that says why a build failed, and the Glance
// id of the artifact in its manifest post-processor's file.
import * as fs from 'fs';
import { oneLine } from '../../common';

/**
 * The line that best says why a packer build failed: the `--> <build>: <error>` summary (as
 * `<build>: <error>`), else a
 * `Build '<name>' errored: ...` line, else packer's own `Error: ...` block (with its `* ...` items,
 * wrapped lines joined), else the last line mentioning an error, else the last line.
 */
export function packerErrorLine(lines: readonly string[]): string {
  const ls = lines.map((l) => l.trim()).filter(Boolean);
  const pick = (re: RegExp): string | undefined => [...ls].reverse().find((l) => re.test(l));
  const summary = pick(/^--> \S+: /);
  if (summary) return summary.slice(4);
  const errored = pick(/^Build '.*' errored/);
  if (errored) return errored;
  // packer's own `Error: <head>` block: `* <item>` lines, wrapped items continued on the next
  // line; a blank line or a `==>` line ends an item.
  const raw = lines.map((l) => l.trim());
  const start = raw.map((l) => /^Error:/.test(l)).lastIndexOf(true);
  if (start >= 0) {
    const head = raw[start].replace(/^Error:\s*/, '');
    const items: string[] = [];
    let open = false;
    for (const l of raw.slice(start + 1)) {
      if (l === '' || /^\d+ error(s|\(s\))? occurred:?$/.test(l)) {
        open = false;
        continue;
      }
      if (l.startsWith('* ')) {
        items.push(l.slice(2));
        open = true;
      } else if (open && !/^(==>|-->)/.test(l)) {
        items[items.length - 1] += ` ${l}`;
      } else {
        break;
      }
    }
    const text = [head, items.join('; ')].filter(Boolean).join(': ');
    if (text) return text;
  }
  return pick(/\berror/i) ?? ls[ls.length - 1] ?? '(no output)';
}

/** The Glance image id of the last build in a packer manifest; `<region>:` prefixes are dropped. */
export function manifestArtifactId(manifestFile: string): string {
  let text: string;
  try {
    text = fs.readFileSync(manifestFile, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `packer wrote no manifest (${manifestFile})` : `cannot read packer manifest ${manifestFile}: ${oneLine(e)}`);
  }
  let j: { builds?: { artifact_id?: unknown }[] };
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new Error(`packer manifest ${manifestFile} is not JSON: ${oneLine(e)}`);
  }
  const builds = Array.isArray(j?.builds) ? j.builds : [];
  const raw = builds.length > 0 ? builds[builds.length - 1]?.artifact_id : undefined;
  if (typeof raw !== 'string' || raw.trim() === '') throw new Error('packer manifest has no artifact id');
  const id = raw.trim().slice(raw.trim().lastIndexOf(':') + 1);
  if (!/^[A-Za-z0-9-]+$/.test(id)) throw new Error(`packer manifest artifact id ${JSON.stringify(raw)} is not a Glance image id`);
  return id;
}
