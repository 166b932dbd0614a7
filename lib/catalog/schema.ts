// Zod schemas of the catalog YAML files: the executable form of docs/catalog.md.
// They check shape, types, ranges and rules local to one entry. Cross-file rules (references
// between files, duplicate names, owner mappings) live in cross-checks.ts, defaults in build-model.ts.
// Messages are lower-case, one line, and say what is expected and what was found.
import { z } from 'zod';
import { ENVIRONMENT_NAME, IMAGE_NAME, RebuildPolicySchema, SCRIPT_NAME, SITE_VARIABLE_NAME, siteVariableNameProblem, TEMPLATE_NAME } from '../contract';
import { cidrListProblems } from './cidr';
import { RELEASE_STATES } from './model';
import { goldName, outdatedName } from '../contract/glance-names';
import { SENSU_NAME as SENSU_ENTITY_NAME } from '../contract/sensu-check';
export { cidrProblem } from './cidr';

// ---------------------------------------------------------------------------------------------
// Names

// Environment, image, template and script names: the contract's rules (a name valid here is valid
// in the bundle and the runner).
export { ENVIRONMENT_NAME, IMAGE_NAME, SCRIPT_NAME, TEMPLATE_NAME };
/** Image type: the first Glance tag (images/*.yaml `type`). */
export const TYPE_NAME = /^[a-z0-9_]+$/;
/** A Glance image id as Glance writes it: a lower-case uuid. */
export const GLANCE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Release build ids: unique per image. */
export const BUILD_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * User name packer logs in as (`ssh_user`): POSIX-style, at most 32 characters. Capitals are
 * allowed because Windows images log in as `Admin`.
 */
export const USER_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,31}$/;
/** Region, clouds.yaml entry and availability zone names. */
export const CLOUD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Glance property keys. */
export const PROPERTY_KEY = /^[A-Za-z0-9_.:-]{1,255}$/;
/** Longest OpenStack name accepted. */
export const MAX_NAME_LENGTH = 255;

/** Image attributes Glance or Terraform manage: never settable as properties. */
export const RESERVED_PROPERTY_KEYS: ReadonlySet<string> = new Set([
  'name', 'visibility', 'id', 'status', 'owner', 'checksum', 'os_hash_algo', 'os_hash_value', 'size',
  'virtual_size', 'min_disk', 'min_ram', 'disk_format', 'container_format', 'protected', 'tags',
  'os_hidden', 'created_at', 'updated_at', 'file', 'schema', 'direct_url', 'locations', 'self',
  // set by goldsmith on each release (lib/constructs/image-release.ts: DEPRECATED_PROPERTY)
  'depricated',
]);
/** Property key prefix goldsmith writes provenance under (image-release.ts: PROVENANCE_PREFIX). */
export const RESERVED_PROPERTY_PREFIX = 'goldsmith_';

/** Weekday names accepted by `schedule.weekday`, index = cron weekday (0 = sunday). */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

// ---------------------------------------------------------------------------------------------
// Value checks shared with the loader (each returns a message, or undefined when the value is fine)

/** Short, one-line rendering of a YAML value for messages: string `x`, number 3, a list … */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    const s = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `string \`${s.replace(/\n/g, '\\n')}\``;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} \`${value}\``;
  if (value instanceof Date) return `date \`${isNaN(value.getTime()) ? 'invalid' : value.toISOString()}\``;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/** http(s) URL check; `base` URLs must end with '/'. */
export function urlProblem(value: string, base: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `not a valid url: \`${value}\``;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `must be an http:// or https:// url, got \`${value}\``;
  }
  if (url.username || url.password) return 'must not contain credentials (user:password@)';
  if (base && !value.endsWith('/')) return `must end with '/' (base url), got \`${value}\``;
  return undefined;
}

/**
 * An OpenStack resource name (flavor, network, project, clouds.yaml entry): printable (the catalog
 * text rule rejects control characters), no blanks at its ends, at most 255 characters, and no
 * template syntax that packer (`{{ }}`), Terraform (`${ }`, `%{ }`) or a shell would expand.
 */
export function openstackNameProblem(value: string): string | undefined {
  if (value.trim() === '') return 'must not be empty';
  if (value.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters, got ${value.length}`;
  if (value.trim() !== value) return `must not start or end with blanks, got \`${value}\``;
  const marker = ['{{', '}}', '${', '%{'].find((m) => value.includes(m));
  if (marker !== undefined) return `must not contain \`${marker}\` (template syntax), got \`${value}\``;
  return undefined;
}

/** A region, clouds.yaml entry or availability zone name. */
export function cloudNameProblem(value: string): string | undefined {
  if (value.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters, got ${value.length}`;
  if (!CLOUD_NAME.test(value)) return `must be a name of A-Z, a-z, 0-9, ., _ and - (starting with a letter or digit), got ${show(value)}`;
  return undefined;
}

/** A Glance property key that goldsmith may set. */
export function propertyKeyProblem(key: string): string | undefined {
  if (!PROPERTY_KEY.test(key)) return `invalid property key ${show(key)}: use A-Z, a-z, 0-9, _, ., : and - (1-255 characters)`;
  if (RESERVED_PROPERTY_KEYS.has(key) || key.startsWith(RESERVED_PROPERTY_PREFIX)) {
    return `property \`${key}\` is managed by ${key === 'depricated' || key.startsWith(RESERVED_PROPERTY_PREFIX) ? 'goldsmith' : 'glance or terraform'}: not settable as a property`;
  }
  return undefined;
}

/** A single file name: no '/', '\', whitespace or control characters, not '.'/'..', no leading '-'. */
export function fileNameProblem(value: string): string | undefined {
  if (value.includes('/')) return `must be a file name without '/', got \`${value}\``;
  if (value === '.' || value === '..') return `must be a file name, got \`${value}\``;
  // eslint-disable-next-line no-control-regex
  if (/[\s\\\x00-\x1f\x7f]/.test(value)) {
    return `must be a file name without whitespace, '\\' or control characters, got \`${value}\``;
  }
  if (value.startsWith('-')) return `must not start with '-', got \`${value}\``;
  return undefined;
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= days;
}

// ---------------------------------------------------------------------------------------------
// Building blocks

/** Object that rejects unknown keys (the loader adds a "did you mean" hint). */
const strict = z.strictObject;

/** A non-empty string. */
const Text = z.string().regex(/\S/, { error: 'must not be empty' });

/** A reason text for a waiver. */
const Reason = z.string().regex(/\S/, { error: 'must give a reason' });

/** Whole number in [min, max]. */
function intBetween(min: number, max: number) {
  const error = `must be between ${min} and ${max}`;
  return z.int().min(min, { error }).max(max, { error });
}

/** String checked by one of the value checks above. */
function checked(check: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const message = check(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  });
}

/** http(s) URL; base URLs must end with '/'. */
const HttpUrl = checked((v) => urlProblem(v, false));
const BaseUrl = checked((v) => urlProblem(v, true));

/** A file name (no '/'). */
const FileName = checked(fileNameProblem);

/** IPv4/IPv6 CIDRs (lib/catalog/cidr.ts: network address, canonical, each once). */
const Cidrs = z.array(z.string()).superRefine((cidrs, ctx) => {
  for (const { index, message } of cidrListProblems(cidrs)) ctx.addIssue({ code: 'custom', path: [index], message });
});

function named(pattern: RegExp, what: string, rule: string) {
  return z.string().regex(pattern, { error: (iss) => `invalid ${what} \`${String(iss.input)}\`: ${rule}` });
}

const EnvironmentName = named(ENVIRONMENT_NAME, 'environment name', 'use a-z, 0-9, _ and - (not first)');
const ImageName = named(IMAGE_NAME, 'image name', 'use a-z, 0-9 and _');
const TemplateName = named(TEMPLATE_NAME, 'template name', 'use a-z, 0-9 and _');
const TypeName = named(TYPE_NAME, 'type', 'use a-z, 0-9 and _');
const ScriptName = named(SCRIPT_NAME, 'script name', 'use A-Z, a-z, 0-9, ., _ and - ending in .sh');
const BuildId = named(BUILD_ID, 'build id', 'use A-Z, a-z, 0-9, ., _ and - (starting with a letter or digit)');

/** Calendar date YYYY-MM-DD (a string; Date objects from other YAML schemas are accepted too). */
const IsoDate = z
  .union([z.string(), z.date()], { error: (iss) => `must be a date YYYY-MM-DD, got ${show(iss.input)}` })
  .transform((value, ctx) => {
    const s = value instanceof Date ? (isNaN(value.getTime()) ? String(value) : value.toISOString().slice(0, 10)) : value;
    if (!isCalendarDate(s)) {
      ctx.addIssue({ code: 'custom', message: `must be a real date YYYY-MM-DD, got \`${s}\`` });
      return z.NEVER;
    }
    return s;
  });

function hex(digits: number, what: string) {
  return z
    .string()
    .regex(new RegExp(`^[0-9a-fA-F]{${digits}}$`), { error: `must be ${digits} hex digits (${what})` })
    .transform((s) => s.toLowerCase());
}

const HEX_DIGITS = { md5: 32, sha256: 64, sha512: 128 } as const;

/** Provenance checksum `<algorithm>:<hex>`. */
const UpstreamChecksum = checked((v) => {
  const m = /^(md5|sha256|sha512):([0-9a-fA-F]+)$/.exec(v);
  if (!m) return `must be <algorithm>:<hex> with algorithm md5, sha256 or sha512, got \`${v}\``;
  const digits = HEX_DIGITS[m[1] as keyof typeof HEX_DIGITS];
  return m[2].length === digits ? undefined : `${m[1]} must have ${digits} hex digits, got ${m[2].length}`;
});

/** OpenStack names (flavor, network, project, clouds.yaml entry). */
const OpenStackName = checked(openstackNameProblem);
/** Region, clouds.yaml entry and availability zone names. */
const CloudName = checked(cloudNameProblem);
const UserName = named(USER_NAME, 'user name', 'use A-Z, a-z, 0-9, _ and - (not first), at most 32 characters');

/** Mail addresses for cron's MAILTO: `user@host`, comma-separated, no spaces or template syntax. */
const MailTo = checked((v) =>
  v.split(',').every((a) => /^[A-Za-z0-9._%+][A-Za-z0-9._%+-]*@[A-Za-z0-9][A-Za-z0-9.-]*$/.test(a))
    ? undefined
    : `must be one or more mail addresses user@host, comma-separated without spaces, got \`${v}\``,
);

/** Glance properties: string values only. */
const Properties = z.record(checked(propertyKeyProblem), z.string());

export const ChecksumAlgorithmSchema = z.enum(['sha256', 'sha512', 'md5']);
export const VisibilitySchema = z.enum(['public', 'private', 'shared', 'community']);
export const DiskFormatSchema = z.enum(['qcow2', 'raw']);
export const CompressionSchema = z.enum(['zlib', 'zstd', 'none']);
/** Outdated releases kept in Glance per image. */
const KeepOutdated = intBetween(0, 50);
/** Stored builds kept on the builder. */
const KeepBuilds = intBetween(1, 20);

// ---------------------------------------------------------------------------------------------
// defaults.yaml

/** Values every image inherits unless it sets its own. */
export const ImageDefaultsSchema = strict({
  /** Merged under each image's properties (the image wins). */
  properties: Properties.optional(),
  /** Default 2. */
  keep_outdated: KeepOutdated.optional(),
  /** Default 2. */
  keep_builds: KeepBuilds.optional(),
  /** Default zlib. */
  compression: CompressionSchema.optional(),
  /** Default public. */
  visibility: VisibilitySchema.optional(),
  /** Default qcow2. */
  disk_format: DiskFormatSchema.optional(),
  /** Default "default". */
  template: Text.optional(),
  /** Default periodic: once per schedule period (patches), else only on an upstream or template change (docs/catalog.md). */
  rebuild: RebuildPolicySchema.optional(),
});

export const DefaultsFileSchema = strict({
  image: ImageDefaultsSchema.optional(),
});

// ---------------------------------------------------------------------------------------------
// environments.yaml

/** The builder node of an environment and the build VM packer boots there. */
export const BuilderSchema = strict({
  /** Where the builder serves stored builds; http(s), ends with '/'. */
  base_url: BaseUrl,
  /** Default imagebuilder. */
  network: OpenStackName.optional(),
  /** Default img.zerodisk. */
  flavor: OpenStackName.optional(),
  availability_zone: CloudName,
  /** At least one IPv4/IPv6 CIDR. */
  ssh_source_cidrs: Cidrs.min(1, { error: 'must list at least one cidr' }),
  /** Where cron mails a build's output (a failed build prints its error): one or more addresses, comma-separated. Default: none. */
  mailto: MailTo.optional(),
  /** The builder's Sensu Go entity (its agent's name, NREC: the short host name): the monitoring check subscribes to entity:<it>. Default: the host of base_url. */
  sensu_entity: named(SENSU_ENTITY_NAME, 'sensu entity', 'use A-Z, a-z, 0-9, ., _ and -').optional(),
});

/** Terraform state in a local file (default path terraform.<env>.tfstate). */
export const LocalBackendSchema = strict({
  type: z.literal('local'),
  path: Text.optional(),
});

/** Terraform state in S3; credentials come from the environment (AWS_ACCESS_KEY_ID …), never from here. */
export const S3BackendSchema = strict({
  type: z.literal('s3'),
  bucket: Text,
  /** Default <env>/terraform.tfstate. */
  key: Text.optional(),
  region: Text,
  /** S3-compatible endpoint. */
  endpoint: HttpUrl.optional(),
});

export const BackendSchema = z.discriminatedUnion('type', [LocalBackendSchema, S3BackendSchema]);

export const EnvironmentSchema = strict({
  region: CloudName,
  /** clouds.yaml entry name (never credentials). */
  cloud: CloudName,
  /** Owner project name -> clouds.yaml entry. */
  owner_clouds: z.record(OpenStackName, CloudName).optional(),
  builder: BuilderSchema,
  /** Default {type: local, path: terraform.<env>.tfstate}. */
  backend: BackendSchema.optional(),
  /** `all` (default) or a list of image names. */
  images: z
    .union([z.literal('all'), z.array(z.string())], {
      error: (iss) => `must be \`all\` or a list of image names, got ${show(iss.input)}`,
    })
    .optional(),
  /** Image names removed from `images`. */
  exclude_images: z.array(z.string()).optional(),
  /**
   * The `cloud` entry may create image members as `accepted` (an admin entry): shared images then
   * appear in each member project's image list at once. Default false: members accept themselves.
   */
  accept_members: z.boolean().optional(),
});

export const EnvironmentsFileSchema = strict({
  environments: z
    .record(EnvironmentName, EnvironmentSchema)
    .refine((envs) => Object.keys(envs).length > 0, { error: 'must define at least one environment' }),
});

// ---------------------------------------------------------------------------------------------
// images/*.yaml

/** Where the base image comes from, and how it is verified. */
export const UpstreamSchema = strict({
  /** Base URL, http(s), ends with '/'. */
  url: BaseUrl,
  /** File name under url. */
  file: FileName,
  /** Checksum file under url; required unless `checksum` or no_checksum_waiver. */
  checksum_file: FileName.optional(),
  /** The file's checksum pinned here, `<algorithm>:<hex>` (for files without a published checksum file, e.g. install ISOs). */
  checksum: UpstreamChecksum.optional(),
  /** Required with checksum_file. */
  algorithm: ChecksumAlgorithmSchema.optional(),
  /** Required when url is http://. */
  insecure_http_waiver: Reason.optional(),
  /** Required when neither checksum_file nor checksum is given. */
  no_checksum_waiver: Reason.optional(),
}).superRefine((u, ctx) => {
  const http = u.url.startsWith('http:');
  if (http && u.insecure_http_waiver === undefined) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'plain http needs `insecure_http_waiver: "<reason>"` (or use https)' });
  }
  if (u.url.startsWith('https:') && u.insecure_http_waiver !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['insecure_http_waiver'], message: 'only allowed with an http:// url' });
  }
  if (u.checksum !== undefined) {
    if (u.checksum_file !== undefined) ctx.addIssue({ code: 'custom', path: ['checksum'], message: 'only one of `checksum` and `checksum_file`' });
    if (u.no_checksum_waiver !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['no_checksum_waiver'], message: 'not needed with a pinned `checksum`: remove it' });
    }
    if (u.algorithm !== undefined) ctx.addIssue({ code: 'custom', path: ['algorithm'], message: 'only allowed with `checksum_file` (`checksum` names its own algorithm)' });
    return;
  }
  if (u.checksum_file === undefined) {
    if (u.no_checksum_waiver === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['checksum_file'],
        message: 'missing required key (or pin `checksum: "sha256:<hex>"`, or set `no_checksum_waiver: "<reason>"`)',
      });
    }
    if (u.algorithm !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['algorithm'], message: 'only allowed with `checksum_file`' });
    }
  } else {
    if (u.algorithm === undefined) {
      ctx.addIssue({ code: 'custom', path: ['algorithm'], message: 'missing required key with `checksum_file` (sha256, sha512 or md5)' });
    }
    if (u.no_checksum_waiver !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['no_checksum_waiver'], message: 'only allowed without `checksum_file`' });
    }
  }
});

/** Weekday 0-6 (0 = sunday) or sun..sat (any case); normalised to a number. */
const Weekday = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const n =
    typeof value === 'number'
      ? Number.isInteger(value) && value >= 0 && value <= 6
        ? value
        : -1
      : WEEKDAYS.indexOf(value.toLowerCase() as (typeof WEEKDAYS)[number]);
  if (n < 0) {
    ctx.addIssue({ code: 'custom', message: `must be 0-6 (0 = sunday) or sun..sat, got \`${value}\`` });
    return z.NEVER;
  }
  return n;
});

/** Rebuild schedule; omitted fields are staggered automatically. */
export const ScheduleSchema = strict({
  weekday: Weekday.optional(),
  hour: intBetween(0, 23).optional(),
  minute: intBetween(0, 59).optional(),
  /** Monthly on the n-th weekday; needs weekday. */
  week_of_month: intBetween(1, 5).optional(),
  /** Default true. */
  enabled: z.boolean().optional(),
}).superRefine((s, ctx) => {
  if (s.week_of_month !== undefined && s.weekday === undefined) {
    ctx.addIssue({ code: 'custom', path: ['week_of_month'], message: 'needs `weekday` (monthly on the n-th weekday)' });
  }
});

export const ImageSchema = strict({
  /**
   * Second Glance tag, when it differs from the image key (the builder job and file prefix): e.g.
   * himlarcli's `almalinux9` for the vGPU job `almalinux9_nv_vgpu`. Default: the image key.
   */
  short_name: ImageName.optional(),
  display_name: Text,
  /** Default "GOLD <display_name>". */
  gold_name: Text.optional(),
  /** Default "Outdated (<display_name>)". */
  outdated_name: Text.optional(),
  upstream: UpstreamSchema,
  ssh_user: UserName,
  /** Default false. */
  efi: z.boolean().optional(),
  min_ram_mb: intBetween(64, 1048576),
  min_disk_gb: intBetween(1, 10000),
  /** Default from defaults.yaml. */
  disk_format: DiskFormatSchema.optional(),
  visibility: VisibilitySchema.optional(),
  /** Owner project name; each environment carrying the image maps it in owner_clouds. */
  owner: OpenStackName.optional(),
  /** Only with visibility shared. */
  members: z.array(OpenStackName).optional(),
  /** String values only (quote numbers and booleans). */
  properties: Properties.optional(),
  /** Key of templates.yaml. */
  template: Text.optional(),
  schedule: ScheduleSchema.optional(),
  /** Default from defaults.yaml, else periodic. */
  rebuild: RebuildPolicySchema.optional(),
  keep_outdated: KeepOutdated.optional(),
  keep_builds: KeepBuilds.optional(),
  compression: CompressionSchema.optional(),
  end_of_life: IsoDate.optional(),
}).superRefine((img, ctx) => {
  const gold = img.gold_name ?? goldName(img.display_name);
  const outdated = img.outdated_name ?? outdatedName(img.display_name);
  if (gold === outdated) {
    ctx.addIssue({ code: 'custom', path: ['outdated_name'], message: `must differ from the gold name \`${gold}\`` });
  }
});

export const ImagesFileSchema = strict({
  /** First Glance tag of every image in this file. */
  type: TypeName,
  images: z.record(ImageName, ImageSchema),
});

// ---------------------------------------------------------------------------------------------
// templates.yaml

/**
 * A site setting or secret the template's scripts read: the name here, the value in the
 * template's env file on the builder (docs/catalog.md, docs/builder-bundle.md).
 */
export const TemplateVariableSchema = strict({
  /** Environment variable name on the build VM: [A-Z][A-Z0-9_]*, not one the shell or goldsmith reads. */
  name: z
    .string({ error: (iss) => `must be a variable name, got ${show(iss.input)}` })
    .regex(SITE_VARIABLE_NAME, { error: (iss) => `invalid variable name \`${String(iss.input)}\`: use A-Z, 0-9 and _ (starting with A-Z)` })
    .superRefine((name, ctx) => {
      const problem = SITE_VARIABLE_NAME.test(name) ? siteVariableNameProblem(name) : undefined;
      if (problem) ctx.addIssue({ code: 'custom', message: `invalid variable name \`${name}\`: ${problem}` });
    }),
  /** The build fails in its first step without a value (default true). */
  required: z.boolean().optional(),
  /** Kept out of packer's output and the build log (default true). */
  secret: z.boolean().optional(),
});

export const TemplateSchema = strict({
  /** Script names in provision/ (may be empty). */
  custom_scripts: z
    .array(ScriptName)
    .superRefine((scripts, ctx) => {
      const seen = new Set<string>();
      scripts.forEach((s, i) => {
        if (seen.has(s)) ctx.addIssue({ code: 'custom', path: [i], message: `script \`${s}\` is listed twice` });
        seen.add(s);
      });
    })
    .optional(),
  /**
   * Argv of a command that builds the image outside packer's openstack builder (Windows: an ISO
   * build on a controller). It gets the verified upstream file and writes the disk image; see
   * docs/builder-bundle.md. Excludes custom_scripts.
   */
  external_command: z
    .array(
      z.string().regex(/^[^\x00-\x1f\x7f]+$/, { error: 'must be non-empty, without control characters' }),
    )
    .min(1, { error: 'must name a command' })
    .refine((argv) => argv.length === 0 || argv[0].startsWith('/'), { error: 'the command (first item) must be an absolute path' })
    .optional(),
  /** Site settings and secrets the template's scripts (or external command) read; names only. */
  variables: z
    .array(TemplateVariableSchema)
    .superRefine((vars, ctx) => {
      const seen = new Set<string>();
      vars.forEach((v, i) => {
        if (seen.has(v.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `variable \`${v.name}\` is declared twice` });
        seen.add(v.name);
      });
    })
    .optional(),
}).superRefine((t, ctx) => {
  if (t.external_command !== undefined && (t.custom_scripts?.length ?? 0) > 0) {
    ctx.addIssue({ code: 'custom', path: ['custom_scripts'], message: 'an external_command template runs no provisioning scripts' });
  }
});

export const TemplatesFileSchema = strict({
  templates: z.record(TemplateName, TemplateSchema),
});

// ---------------------------------------------------------------------------------------------
// builds/<env>.yaml

/** One promoted build. */
export const ReleaseSchema = strict({
  build_id: BuildId,
  date: IsoDate,
  /** File name on the builder. */
  file: FileName,
  md5: hex(32, 'md5'),
  /** Required, except on a release adopted from Glance (`glance_id`), whose sha256 Glance does not know. */
  sha256: hex(64, 'sha256').optional(),
  size_bytes: z.int().min(1, { error: 'must be a positive whole number' }),
  /** Provenance: the upstream file URL. */
  upstream_url: HttpUrl.optional(),
  /** Provenance: `<algorithm>:<hex>`. */
  upstream_checksum: UpstreamChecksum.optional(),
  /**
   * `candidate`: imported hidden and verified before it may become GOLD (written by `goldsmith
   * promote`); `released` (default): GOLD when newest, else Outdated; `withdrawn`: a bad build,
   * hidden, never GOLD again (written by `goldsmith withdraw`).
   */
  state: z.enum(RELEASE_STATES).optional(),
  /**
   * The Glance image this release already is (written by `goldsmith adopt`): Terraform imports it
   * instead of creating it, so nothing is uploaded again.
   */
  glance_id: z
    .string()
    .regex(GLANCE_ID, { error: (iss) => `must be a Glance image id (a lower-case uuid), got ${show(iss.input)}` })
    .optional(),
}).superRefine((r, ctx) => {
  if (r.sha256 === undefined && r.glance_id === undefined) {
    ctx.addIssue({ code: 'custom', path: ['sha256'], message: 'missing required key (only a release adopted from Glance, with `glance_id`, may leave it out)' });
  }
});

export const ImageBuildsSchema = strict({
  /** Recorded for when the image has left the catalog. */
  type: TypeName.optional(),
  /** Recorded second Glance tag, when it differs from the image key (images/*.yaml `short_name`). */
  short_name: ImageName.optional(),
  outdated_name: Text.optional(),
  releases: z.array(ReleaseSchema).superRefine((releases, ctx) => {
    const seen = new Map<string, number>();
    releases.forEach((r, i) => {
      const first = seen.get(r.build_id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'build_id'],
          message: `duplicate build id \`${r.build_id}\` (also releases[${first}])`,
        });
      } else {
        seen.set(r.build_id, i);
      }
    });
  }),
  /**
   * Build ids withdrawn as candidates, which never became active in Glance: they left `releases`
   * (a failed import must not be re-created at every apply) and are never promoted again.
   */
  withdrawn_builds: z.array(BuildId).optional(),
});

export const BuildsFileSchema = strict({
  /** Optional: an empty builds file means no releases yet. */
  images: z.record(ImageName, ImageBuildsSchema).optional(),
});

export type DefaultsFile = z.output<typeof DefaultsFileSchema>;
export type EnvironmentsFile = z.output<typeof EnvironmentsFileSchema>;
export type EnvironmentEntry = z.output<typeof EnvironmentSchema>;
export type ImagesFile = z.output<typeof ImagesFileSchema>;
export type ImageEntry = z.output<typeof ImageSchema>;
export type TemplatesFile = z.output<typeof TemplatesFileSchema>;
export type BuildsFile = z.output<typeof BuildsFileSchema>;
export type ReleaseEntry = z.output<typeof ReleaseSchema>;
export type ScheduleEntry = z.output<typeof ScheduleSchema>;
