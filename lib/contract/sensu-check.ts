// sensu/checks.yaml of the builder bundle: the Sensu Go check that runs `goldsmith check --all` on
// the builder (`sensuctl create -f sensu/checks.yaml`). The values follow NREC's builder check in
// himlar (hieradata/common/roles/builder.yaml, `imagebuild-check-multiplex`): subscription
// `entity:<host>`, handler `default`, every 600 s, fatigue filter annotations 3 / 86400.
import { z } from 'zod';
import type { DeepReadonly } from './parse';
import { matching, text } from './schema-helpers';

/** Sensu Go resource names (`metadata.name`) and entity names. */
export const SENSU_NAME = /^[\w.-]+$/;

/** How often the agent runs the check (seconds), as NREC's imagebuild check. */
export const SENSU_CHECK_INTERVAL_S = 600;

/** The agent kills the check after this many seconds (it reads a few small files). */
export const SENSU_CHECK_TIMEOUT_S = 60;

/**
 * Handlers of the check's events. NREC's `default` is a handler set (hieradata/common/roles/sensugo.yaml):
 * `slack` (filtered by is_incident, not_silenced and fatigue_check) and `status` (InfluxDB).
 */
export const SENSU_HANDLERS: readonly string[] = Object.freeze(['default']);

/**
 * Annotations read by the sensu-go-fatigue-check-filter NREC's `slack` handler uses: notify on the
 * 3rd consecutive non-OK occurrence (30 minutes at 600 s), then once a day.
 */
export const SENSU_FATIGUE_ANNOTATIONS: Readonly<Record<string, string>> = Object.freeze({
  'fatigue_check/occurrences': '3',
  'fatigue_check/interval': '86400',
});

/** The subscription only the agent of entity `entity` has (Sensu Go adds `entity:<name>` to every agent). */
export function entitySubscription(entity: string): string {
  return `entity:${entity}`;
}

const SensuName = matching(SENSU_NAME, 'a Sensu name ([A-Za-z0-9_.-]+)');

/** The part of Sensu Go's `core/v2` CheckConfig goldsmith writes (every other field keeps its default). */
export const SensuCheckConfigSchema = z.strictObject({
  type: z.literal('CheckConfig'),
  api_version: z.literal('core/v2'),
  metadata: z.strictObject({
    /** `goldsmith-<environment>`; no namespace: sensuctl's (`sensuctl create --namespace`). */
    name: SensuName,
    labels: z.record(matching(/^[A-Za-z][A-Za-z0-9_]*$/, 'a Sensu label key'), text),
    annotations: z.record(text, z.string()),
  }),
  spec: z.strictObject({
    /** Runs on the agent through a shell: only absolute paths and safe words. */
    command: text,
    subscriptions: z.array(text).min(1),
    handlers: z.array(SensuName),
    interval: z.number().int().positive(),
    timeout: z.number().int().positive(),
    publish: z.boolean(),
    /** goldsmith check prints Nagios perfdata after `|`. */
    output_metric_format: z.literal('nagios_perfdata'),
  }),
});

export type SensuCheckConfig = DeepReadonly<z.output<typeof SensuCheckConfigSchema>>;
