// The Sensu Go check of one builder (sensu/checks.yaml of its bundle): `goldsmith check --all` on
// the builder's own agent. One check per builder, not one per image: the set of Sensu checks never
// changes when an image is added or retired (sensuctl create never deletes a check), because the
// images come from the installed bundle's checks/, which the catalog drives (docs/builder-bundle.md).
import { stringify } from 'yaml';
import type { Environment } from '../catalog/model';
import {
  DEFAULT_BUNDLE_DIR,
  entitySubscription,
  ENVIRONMENT_NAME,
  GOLDSMITH_BIN,
  parseContract,
  SENSU_CHECK_INTERVAL_S,
  SENSU_CHECK_TIMEOUT_S,
  SENSU_FATIGUE_ANNOTATIONS,
  SENSU_HANDLERS,
  SENSU_NAME,
  SensuCheckConfigSchema,
  type SensuCheckConfig,
} from '../contract';

export type { SensuCheckConfig };

/** The file of the bundle that holds the builder's Sensu checks. */
export const SENSU_CHECKS_FILE = 'sensu/checks.yaml';

const SAFE_PATH = /^\/[A-Za-z0-9._+\/-]*$/;

/** Options of {@link sensuCheckFor}. */
export interface SensuCheckOptions {
  /** Environment (builder) name: the check is `goldsmith-<environment>`. */
  readonly environment: string;
  /** The Sensu entity of the builder's agent: the check subscribes to `entity:<entity>` only. */
  readonly entity: string;
  /**
   * Absolute path of goldsmith on the builder.
   * @default GOLDSMITH_BIN ('/usr/local/bin/goldsmith')
   */
  readonly goldsmithPath?: string;
  /**
   * Where the bundle is installed on the builder.
   * @default DEFAULT_BUNDLE_DIR ('/etc/goldsmith/bundle')
   */
  readonly bundlePath?: string;
  /**
   * Handlers of the check's events.
   * @default SENSU_HANDLERS (['default'])
   */
  readonly handlers?: readonly string[];
  /**
   * Seconds between two runs.
   * @default SENSU_CHECK_INTERVAL_S (600)
   */
  readonly intervalS?: number;
}

/** The builder's Sensu entity: the catalog's `builder.sensu_entity`, else the host of `builder.base_url`. */
export function sensuEntityOf(environment: Environment): string {
  return environment.builder.sensuEntity ?? new URL(environment.builder.baseUrl).hostname;
}

/** The `core/v2` CheckConfig that runs `goldsmith check --all` on the builder's agent, checked by the contract's schema. */
export function sensuCheckFor(o: SensuCheckOptions): SensuCheckConfig {
  const p = `sensu check ${o.environment}`;
  if (!ENVIRONMENT_NAME.test(o.environment)) {
    throw new Error(`sensu check: environment name must match [a-z0-9][a-z0-9_-]*, got ${JSON.stringify(o.environment)}`);
  }
  if (!SENSU_NAME.test(o.entity)) {
    throw new Error(`${p}: entity must be a Sensu name ([A-Za-z0-9_.-]+), got ${JSON.stringify(o.entity)} (set builder.sensu_entity in environments.yaml)`);
  }
  const goldsmith = o.goldsmithPath ?? GOLDSMITH_BIN;
  const bundle = o.bundlePath ?? DEFAULT_BUNDLE_DIR;
  for (const [what, value] of [['goldsmith path', goldsmith], ['bundle path', bundle]] as const) {
    // The agent runs the command through a shell: nothing in it may need quoting.
    if (!SAFE_PATH.test(value) || value.split('/').some((s) => s === '..' || s === '.')) {
      throw new Error(`${p}: ${what} must be an absolute path of [A-Za-z0-9._+/-] without . or .. segments, got ${JSON.stringify(value)}`);
    }
  }
  const check = {
    type: 'CheckConfig',
    api_version: 'core/v2',
    metadata: {
      name: `goldsmith-${o.environment}`,
      labels: { goldsmith_environment: o.environment },
      annotations: { ...SENSU_FATIGUE_ANNOTATIONS },
    },
    spec: {
      command: `${goldsmith} check --all --bundle ${bundle}`,
      subscriptions: [entitySubscription(o.entity)],
      handlers: [...(o.handlers ?? SENSU_HANDLERS)],
      interval: o.intervalS ?? SENSU_CHECK_INTERVAL_S,
      timeout: SENSU_CHECK_TIMEOUT_S,
      publish: true,
      output_metric_format: 'nagios_perfdata',
    },
  };
  return parseContract(SensuCheckConfigSchema, check, `${p}: ${SENSU_CHECKS_FILE}`);
}

/** The text of sensu/checks.yaml: a comment header, then the checks as YAML documents (`sensuctl create -f`). */
export function sensuChecksYaml(environment: string, checks: readonly SensuCheckConfig[]): string {
  const header = [
    `# ${SENSU_CHECKS_FILE}: Sensu Go checks of the goldsmith builder of environment ${environment}`,
    '# managed by goldsmith, do not edit (generated from the catalog)',
    '# install or update: sensuctl create -f checks.yaml [--namespace NAME]',
  ].join('\n');
  const docs = checks.map((check) => stringify(check, { lineWidth: 0 }));
  return `${header}\n${docs.join('---\n')}`;
}
