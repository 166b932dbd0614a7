// The change model of `goldsmith diff` and its JSON output (`--format json`): one zod schema each,
// the documented contract for CI scripts and bots (docs/ci/diff-report.schema.json is its JSON
// Schema). Everything is sorted, so the same two catalogs give the same bytes.
import { z } from 'zod';

/** Version of the JSON shape; bumped only for a change that breaks readers. */
export const DIFF_REPORT_VERSION = 1;

/** Where a release stands in its image line (the `goldsmith_state` Glance property). */
export const RELEASE_ROLES = ['candidate', 'gold', 'outdated', 'withdrawn'] as const;
export const ReleaseRoleSchema = z.enum(RELEASE_ROLES);
export type ReleaseRole = z.infer<typeof ReleaseRoleSchema>;

/** One side (base or head) of a Glance image. */
export const ReleaseSideSchema = z.object({
  /** Glance name. */
  name: z.string(),
  role: ReleaseRoleSchema,
  hidden: z.boolean(),
});
export type ReleaseSide = z.infer<typeof ReleaseSideSchema>;

/** One changed attribute of a Glance image (`properties.<key>` for a property); unset = absent. */
export const AttributeChangeSchema = z.object({
  attribute: z.string(),
  before: z.json().optional(),
  after: z.json().optional(),
  /** Terraform cannot update it in place: the image is deleted and imported again. */
  replaces: z.boolean(),
});
export type AttributeChange = z.infer<typeof AttributeChangeSchema>;

/** A Glance image (one release of an image) that Terraform creates, deletes, updates or replaces. */
export const ReleaseChangeSchema = z.object({
  build_id: z.string(),
  /** Terraform address, `openstack_images_image_v2.<id>`. */
  address: z.string(),
  change: z.enum(['added', 'deleted', 'updated', 'replaced']),
  before: ReleaseSideSchema.optional(),
  after: ReleaseSideSchema.optional(),
  /** Changed attributes (updated and replaced images), sorted by attribute. */
  attributes: z.array(AttributeChangeSchema),
});
export type ReleaseChange = z.infer<typeof ReleaseChangeSchema>;

/** A member grant (`openstack_images_image_access_v2`) of a release present on both sides. */
export const MemberChangeSchema = z.object({
  build_id: z.string(),
  /** Project name (or id when the stack names the id). */
  member: z.string(),
  change: z.enum(['granted', 'revoked', 'changed']),
});
export type MemberChange = z.infer<typeof MemberChangeSchema>;

/** Every Glance change of one image (its `goldsmith_image`) in one environment. */
export const ImageLineSchema = z.object({
  image: z.string(),
  /** What operators call it: the catalog's GOLD name (head, else base), else the image key. */
  label: z.string(),
  /** Build id of the GOLD release before and after (null: none). */
  gold_before: z.string().nullable(),
  gold_after: z.string().nullable(),
  /** Retired by this change: it had a GOLD, the environment no longer carries it, its releases stay hidden. */
  retired: z.boolean(),
  /** Left without a GOLD although the environment still carries it (a warning). */
  no_gold: z.boolean(),
  /** How many releases (Glance images) the image has after the change. */
  releases_after: z.number().int(),
  /** The releases that change, newest first (build date, then build id). */
  releases: z.array(ReleaseChangeSchema),
  members: z.array(MemberChangeSchema),
});
export type ImageLine = z.infer<typeof ImageLineSchema>;

/** A build line of the builder's cron file, by image. Times are `wed 09:40`, `2nd wed 09:40` or the cron fields. */
export const CronChangeSchema = z.object({
  image: z.string(),
  change: z.enum(['added', 'removed', 'moved', 'changed']),
  before: z.string().optional(),
  after: z.string().optional(),
});
export type CronChange = z.infer<typeof CronChangeSchema>;

/** A `NAME=value` line of the cron file (MAILTO, PATH, SHELL). */
export const CronSettingChangeSchema = z.object({
  name: z.string(),
  before: z.string().optional(),
  after: z.string().optional(),
});
export type CronSettingChange = z.infer<typeof CronSettingChangeSchema>;

export const BUNDLE_FILE_KINDS = ['template', 'script', 'runner_config', 'check', 'manifest', 'file'] as const;

/** A file of the builder bundle, by its path below `builder/`. */
export const BundleFileChangeSchema = z.object({
  kind: z.enum(BUNDLE_FILE_KINDS),
  path: z.string(),
  /** The file name (templates, scripts), image (runner configs) or path below `checks/`. */
  name: z.string(),
  change: z.enum(['added', 'removed', 'changed']),
  /** For a changed JSON file (runner configs): the changed keys, `output.keep_files`. */
  keys: z.array(z.string()).optional(),
});
export type BundleFileChange = z.infer<typeof BundleFileChangeSchema>;

/** Any other part of the stack: a resource by Terraform address, or `provider` / `terraform` settings. */
export const TerraformChangeSchema = z.object({
  address: z.string(),
  change: z.enum(['added', 'removed', 'changed']),
});
export type TerraformChange = z.infer<typeof TerraformChangeSchema>;

export const EnvironmentReviewSchema = z.object({
  name: z.string(),
  /** `added`/`removed`: the environment (its stack and bundle) is new or gone. */
  status: z.enum(['unchanged', 'changed', 'added', 'removed']),
  /** Sorted by image. */
  images: z.array(ImageLineSchema),
  builder: z.object({
    cron: z.array(CronChangeSchema),
    cron_settings: z.array(CronSettingChangeSchema),
    files: z.array(BundleFileChangeSchema),
  }),
  terraform: z.array(TerraformChangeSchema),
});
export type EnvironmentReview = z.infer<typeof EnvironmentReviewSchema>;

export const WARNING_KINDS = [
  'replaces_image',
  'deletes_image',
  'no_gold',
  'renames_image',
  'many_images',
  'environment_removed',
  'backend_changed',
] as const;

/** Something a reviewer must look at twice. */
export const WarningSchema = z.object({
  environment: z.string(),
  kind: z.enum(WARNING_KINDS),
  image: z.string().optional(),
  build_id: z.string().optional(),
  /** Glance name concerned (before the change). */
  name: z.string().optional(),
  /** renames_image: the names users see after the change. */
  names_after: z.array(z.string()).optional(),
  /** many_images: how many images change. */
  count: z.number().int().optional(),
  /** replaces_image: the attributes that force it. */
  attributes: z.array(AttributeChangeSchema).optional(),
});
export type Warning = z.infer<typeof WarningSchema>;

/** What `compare` finds: the change model. */
export const ReviewSchema = z.object({
  base: z.object({ ref: z.string(), commit: z.string() }),
  /** The head catalog directory as given (relative to the working directory when below it). */
  head: z.object({ config: z.string() }),
  changed: z.boolean(),
  /** Sorted by environment, kind, image, build id. */
  warnings: z.array(WarningSchema),
  /** Every environment of either side, sorted by name. */
  environments: z.array(EnvironmentReviewSchema),
});
export type Review = z.infer<typeof ReviewSchema>;

/** `goldsmith diff --format json`: the change model, each warning with its sentence. */
export const DiffReportSchema = ReviewSchema.extend({
  goldsmith_diff: z.literal(DIFF_REPORT_VERSION),
  warnings: z.array(WarningSchema.extend({ message: z.string() })),
});
export type DiffReport = z.infer<typeof DiffReportSchema>;
