// One Terraform stack per environment: providers, state backend and a GoldImage per image.
import * as path from 'path';
import { Construct } from 'constructs';
import { App, Lazy, LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { OpenstackProvider } from '../.gen/providers/openstack/provider';
import type { Catalog, Environment, Image, ImageReleases } from '../lib/catalog/model';
import { GoldImage, type GoldImageBuild } from '../lib/constructs/gold-image';
import { terraformId } from '../lib/constructs/image-release';
import { BuilderSecurityGroup } from '../lib/constructs/builder-security-group';
import { BuildSchedule } from '../lib/constructs/build-schedule';
import { BuildTemplate } from '../lib/constructs/build-template';
import { canonicalJson, sha256Hex } from '../lib/common';
import { DEFAULT_RUNNER_PATHS } from '../lib/constructs/runner-config';
import { bundleImage, releaseStoreFiles, type BuilderBundle } from '../lib/constructs/builder-bundle';
import { sensuCheckFor, sensuEntityOf } from '../lib/constructs/sensu-check';
import { TerraformLiteralStrings } from '../lib/terraform/literal-strings';

export interface EnvironmentStackProps {
  /** The whole catalog (images and recorded builds). */
  readonly catalog: Catalog;
  /** The environment this stack deploys; the stack id should be its name. */
  readonly environment: Environment;
  /**
   * Directory a relative local backend path is resolved against (the state file must live
   * outside cdktf.out, which every synth replaces).
   * @default process.cwd()
   */
  readonly stateBaseDir?: string;
  /**
   * Synthesize the builder side too: the SSH security group of the build VM, the packer
   * templates, the build schedule, each image's runner config and monitoring check, and the
   * builder's Sensu check (see {@link builderBundle}).
   * @default true
   */
  readonly builder?: boolean;
}

/** The builder side of an environment. */
interface BuilderParts {
  readonly templates: readonly BuildTemplate[];
  readonly schedule: BuildSchedule;
}

/**
 * The Terraform stack of one environment: the `openstack` provider (clouds.yaml entry + region,
 * never credentials), one provider alias per further clouds entry used by image owners, the state
 * backend, one {@link GoldImage} per image the environment carries and one per retired image that
 * still has recorded releases, and the output `images` (short name → GOLD image id).
 */
export class EnvironmentStack extends TerraformStack {
  /** The environment this stack deploys. */
  public readonly environment: Environment;
  /** The default provider (`environment.cloud`). */
  public readonly provider: OpenstackProvider;
  /** Provider aliases by clouds entry (owner projects other than the deploy project). */
  public readonly ownerProviders: ReadonlyMap<string, OpenstackProvider>;
  /** Images carried by the environment, in name order. */
  public readonly goldImages: readonly GoldImage[];
  /** Retired images (recorded releases whose image is gone or not carried), in name order. */
  public readonly retiredImages: readonly GoldImage[];
  private readonly builderParts: BuilderParts | undefined;
  /** Every image the builds file records that the environment does not carry (also those without releases). */
  private readonly retiredNames: readonly string[];

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    const { catalog, environment } = props;
    this.environment = environment;

    const definitions = new Map<string, Image>(catalog.images.map((image) => [image.name, image]));
    const recorded = new Map<string, ImageReleases>(
      (catalog.builds[environment.name] ?? []).map((entry) => [entry.image, entry]),
    );
    const carried = [...new Set(environment.images)].sort();
    for (const name of carried) {
      if (!definitions.has(name)) {
        throw new Error(`environment ${environment.name}: carries image ${name}, which the catalog does not define`);
      }
    }

    this.provider = new OpenstackProvider(this, 'openstack', { cloud: environment.cloud, region: environment.region });
    // The generated bindings pin the exact schema version; accept its patch and minor releases,
    // as cdktf.json does.
    this.addOverride('terraform.required_providers.openstack.version', '~> 3.4');
    this.configureBackend(environment, props.stateBaseDir ?? process.cwd());

    const carriedSet = new Set(carried);
    const retiredNames = [...recorded.keys()].filter((name) => !carriedSet.has(name)).sort();
    this.retiredNames = retiredNames;
    // Owners of every image this stack manages with its definition (carried or no longer carried).
    const owned = [...carried, ...retiredNames]
      .map((name) => definitions.get(name))
      .filter((image): image is Image => image?.owner !== undefined);
    const ownerProviders = new Map<string, OpenstackProvider>();
    const ownerClouds = [...new Set(owned.map((image) => environment.ownerClouds[image.owner!]))]
      .filter((cloud): cloud is string => cloud !== undefined && cloud !== environment.cloud)
      .sort();
    for (const cloud of ownerClouds) {
      const alias = terraformId(cloud);
      ownerProviders.set(
        cloud,
        new OpenstackProvider(this, `openstack-${alias}`, { alias, cloud, region: environment.region }),
      );
    }
    this.ownerProviders = ownerProviders;

    const providerOf = (image: Image | undefined) => {
      const cloud = image?.owner === undefined ? undefined : environment.ownerClouds[image.owner];
      return cloud === undefined ? undefined : ownerProviders.get(cloud);
    };
    this.builderParts = props.builder === false ? undefined : this.createBuilderParts(catalog, environment, carried);
    const templatesByName = new Map(catalog.templates.map((template) => [template.name, template]));
    const buildOf = (name: string): GoldImageBuild | undefined => {
      if (!this.builderParts) return undefined;
      const image = definitions.get(name)!;
      const template = templatesByName.get(image.template)!;
      if (template.externalCommand !== undefined) {
        return {
          template: {
            name: template.name,
            externalCommand: template.externalCommand,
            sha256: sha256Hex(canonicalJson(template.externalCommand)),
            variables: template.variables,
          },
          scriptsSha: {},
          schedule: this.builderParts.schedule,
        };
      }
      const packer = this.builderParts.templates.find((t) => t.templateName === template.name)!;
      return {
        template: { name: template.name, file: `templates/${packer.fileName}`, sha256: packer.sha256, variables: packer.siteVariables },
        scriptsSha: Object.fromEntries(packer.scripts.map((script) => [script.name, script.sha256])),
        schedule: this.builderParts.schedule,
      };
    };
    const build = (name: string, retired: boolean) => {
      const image = definitions.get(name);
      const releases = recorded.get(name);
      return new GoldImage(this, name, {
        name,
        image,
        environment,
        releases: releases && releases.releases.length > 0 ? releases : undefined,
        retired,
        provider: providerOf(image),
        build: retired ? undefined : buildOf(name),
      });
    };
    this.goldImages = carried.map((name) => build(name, false));
    this.retiredImages = retiredNames
      .filter((name) => (recorded.get(name)?.releases.length ?? 0) > 0)
      .map((name) => build(name, true));

    const goldIds: Record<string, string> = {};
    for (const goldImage of this.goldImages) {
      if (goldImage.goldImageId !== undefined) goldIds[goldImage.name] = goldImage.goldImageId;
    }
    new TerraformOutput(this, 'images', {
      description: 'Glance id of the GOLD image per short name',
      // As a token: cdktf inspects a plain value with util.isArray, which Node 22 reports as
      // deprecated (DEP0044) on every synth; a token is resolved to the same JSON without it.
      value: Lazy.anyValue({ produce: () => goldIds }),
    }).overrideLogicalId('images');
  }

  /** Catalog strings are data: Terraform must never evaluate them (see literal-strings.ts). */
  public override toTerraform(): any {
    const literal = new TerraformLiteralStrings();
    for (const construct of this.node.findAll()) literal.visit(construct);
    return super.toTerraform();
  }

  /**
   * Only ensures the backend. cdktf's default also runs a full "preparing" resolve of every
   * element, which exists to add resources for cross-stack references; environment stacks never
   * reference each other, and skipping it makes synth markedly faster on large catalogs (the
   * golden files show the output is unchanged).
   */
  public override prepareStack(): void {
    this.ensureBackendExists();
  }

  /**
   * Everything the environment's builder node needs (written to `stacks/<env>/builder/`), or
   * undefined when the stack was created with `builder: false`.
   */
  public builderBundle(): BuilderBundle | undefined {
    if (!this.builderParts) return undefined;
    const scripts = new Map<string, string>();
    for (const template of this.builderParts.templates) {
      for (const script of template.scripts) scripts.set(script.name, script.content);
    }
    return {
      environment: this.environment.name,
      cronFile: this.builderParts.schedule.cronFileText,
      templates: this.builderParts.templates.map((t) => ({ name: t.templateName, json: t.json })),
      scripts: [...scripts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, content]) => ({ name, content })),
      images: this.goldImages.map((goldImage) => bundleImage(goldImage.runnerConfig!, goldImage.cronEntry, goldImage.monitoringCheck?.checkConfig)),
      paths: { store: DEFAULT_RUNNER_PATHS.store, logs: DEFAULT_RUNNER_PATHS.logs, state: DEFAULT_RUNNER_PATHS.state },
      // One Sensu check per builder runs `goldsmith check --all` over the images' checks/ files.
      sensuChecks: this.goldImages.length > 0 ? [sensuCheckFor({ environment: this.environment.name, entity: sensuEntityOf(this.environment) })] : [],
      // Retired images keep the stored files their releases name (Glance may import them again).
      retiredFiles: Object.fromEntries(
        this.retiredNames.map((name) => [
          name,
          (this.retiredImages.find((g) => g.name === name)?.releases ?? []).flatMap((r) => releaseStoreFiles(r.release.file)),
        ]),
      ),
    };
  }

  private createBuilderParts(catalog: Catalog, environment: Environment, carried: readonly string[]): BuilderParts {
    const definitions = new Map(catalog.images.map((image) => [image.name, image]));
    const images = carried.map((name) => definitions.get(name)!);
    new BuilderSecurityGroup(this, 'builder-ssh', {
      environment: environment.name,
      sshSourceCidrs: environment.builder.sshSourceCidrs,
    });
    const used = new Set(images.map((image) => image.template));
    const templates = catalog.templates
      .filter((template) => used.has(template.name) && template.externalCommand === undefined)
      .map(
        (template) =>
          new BuildTemplate(this, `template-${template.name}`, {
            template,
            scriptDir: path.join(catalog.configDir, 'provision'),
          }),
      );
    const schedule = new BuildSchedule(this, 'build-schedule', {
      environment: environment.name,
      images,
      ...(environment.builder.mailto !== undefined ? { mailto: environment.builder.mailto } : {}),
    });
    return { templates, schedule };
  }

  private configureBackend(environment: Environment, stateBaseDir: string): void {
    const backend = environment.backend;
    if (backend.type === 's3') {
      new S3Backend(this, {
        bucket: backend.bucket,
        key: backend.key,
        region: backend.region,
        ...(backend.endpoint !== undefined ? { endpoints: { s3: backend.endpoint } } : {}),
        // An S3-compatible store (Ceph RGW, MinIO …): no AWS account, STS, IMDS or region list.
        skipCredentialsValidation: true,
        skipRegionValidation: true,
        skipRequestingAccountId: true,
        skipMetadataApiCheck: true,
        skipS3Checksum: true,
        usePathStyle: true,
      });
      return;
    }
    // Terraform runs in <outdir>/stacks/<env>: keep the state outside the output directory by
    // resolving a relative path against stateBaseDir, written relative to the working directory.
    let statePath = backend.path;
    if (!path.isAbsolute(statePath)) {
      const workingDir = path.resolve(App.of(this).outdir, 'stacks', this.node.id);
      statePath = path.relative(workingDir, path.resolve(stateBaseDir, statePath)).split(path.sep).join('/');
    }
    new LocalBackend(this, { path: statePath });
  }
}
