// The real ImageBaker: the packer/Nova/Glance boundary of the build runner.
//
//   1. upload the verified upstream file as a temporary private Glance image
//      `goldsmith-source-<image>-<run id>` (tag goldsmith-temporary) and wait until it is active;
//   2. create the build's ed25519 keypair `goldsmith-<image>-<run id>` in Nova, its private key
//      0600 in <workDir>/build-key (build-keypair.ts; packer 1.6.6 would otherwise let Nova make
//      an RSA key and sign with ssh-rsa, which current distributions refuse);
//   3. `packer build` the bundle's template for the image (argv, never a shell string: names and
//      paths only; site values go through packer's environment), with a timeout, every output line
//      (secrets redacted) to the build log and <workDir>/packer.log, cancellable;
//   4. read packer's manifest (`builds[last].artifact_id`, the Glance id of the snapshot packer
//      made, possibly prefixed `<region>:`) and download that image into <workDir>/artifact.<ext>;
//   5. always (finally) delete the keypair and its key file, the temporary source image, the
//      artifact image, and any temporary images and keypairs an earlier, killed run of the same
//      image left behind (also swept before step 1).
//
// Run id: `<build id>-<8 hex>`, the build id taken from the work directory the runner hands us
// (`<image>-<YYYYMMDDTHHMMSSZ>`), so Glance names can be matched to build logs. The sweep only
// touches images whose full name matches `goldsmith-(source|artifact)-<image>-<run id>` exactly
// (and, for sources, carry the goldsmith-temporary tag). It relies on the per-image build lock:
// two builders building the same image into the same Glance project at once would sweep each
// other's temporaries (the environments of the catalog each use their own project).
//
// Network: packer's openstack builder takes network UUIDs, the bundle names the network
// (packer_vars.network, e.g. `imagebuilder`). A name is resolved to its id through Neutron (the
// `network` endpoint of the same Keystone catalog as Glance) before anything is created; exactly
// one network of that name must be visible. A UUID is passed through.
//
// On timeout or cancellation packer gets SIGINT first (it then deletes its build instance and
// keypair itself), and SIGKILL after a grace period. Packer runs in its own process group so the
// kill reaches its plugin processes too (runInProcessGroup, shared with the ExternalBaker).
//
// The parts: packer-args.ts (command line, environment), temporary-images.ts (names, sweep),
// glance-transfer.ts (source upload, artifact download), build-keypair.ts and ssh-key.ts (the
// keypair), baker-glance.ts (Glance, Nova and Neutron of the cloud), packer-run.ts (running
// packer), packer-output.ts (its error line and manifest).

import * as fs from 'fs';
import * as path from 'path';
import type { BakeRequest, BakeResult, ImageBaker } from '../baker';
import { Cancelled } from './abort';
import { openStackFor, resolveNetwork, type BakerGlanceSource, type BakerNovaSource, type NetworkIdResolver } from './baker-glance';
import { BUILD_KEY_FILE, createBuildKeypair, sweepBuildKeypairs } from './build-keypair';
import { downloadArtifact, uploadSource, type TransferLimits } from './glance-transfer';
import { packerBuildArgs, packerEnv } from './packer-args';
import { manifestArtifactId } from './packer-output';
import { packerVersion, runPackerBuild } from './packer-run';
import { runIdFor, sweepTemporaryImages, temporaryImageNames } from './temporary-images';

/** packer's temporary directory inside the work directory (0700). */
export const PACKER_TMP_DIR = 'packer-tmp';

export interface PackerBakerOptions {
  /** The installed builder bundle: `config.template_file` is relative to it; packer runs in it. */
  readonly bundleDir: string;
  /** Glance of the image's cloud. Default: an OpenStack session of `config.cloud` (clouds.yaml + Keystone). */
  readonly glance?: BakerGlanceSource;
  /**
   * Nova of the image's cloud (the build keypair). Default: Nova of the same session as the default
   * Glance; required when `glance` is given.
   */
  readonly nova?: BakerNovaSource;
  /**
   * Resolves a packer_vars.network that is not a UUID to the network's id. Default: Neutron of the
   * image's cloud, from the same Keystone session as the default Glance. When `glance` is given
   * but this is not (test doubles of Glance have no Neutron), names are passed to packer as they
   * are, with a log line saying so.
   */
  readonly networkId?: NetworkIdResolver;
  /** packer binary (default 'packer' from PATH). */
  readonly packer?: string;
  /** Base environment of packer (default process.env); OS_CLOUD etc. are set on top. */
  readonly env?: NodeJS.ProcessEnv;
  /** After SIGINT on timeout/cancel, SIGKILL packer after this long (default 120 s). */
  readonly killGraceMs?: number;
  /** Source upload and artifact download, each (default: config.timeouts_s.download). */
  readonly transferTimeoutMs?: number;
  /** Waiting for an image to turn active (default 10 min). */
  readonly activeTimeoutMs?: number;
  /** `packer version` (default 60 s). */
  readonly versionTimeoutMs?: number;
  /** Clock for the run id when the work directory does not carry a build id (tests). */
  readonly now?: () => Date;
}

export class PackerBaker implements ImageBaker {
  readonly packer: string;

  constructor(private readonly opts: PackerBakerOptions) {
    this.packer = opts.packer ?? 'packer';
  }

  async bake(req: BakeRequest): Promise<BakeResult> {
    const { config, log, signal } = req;
    const image = config.image;
    if (signal.aborted) throw new Error('bake cancelled');

    if (config.template_file === undefined) throw new Error(`${image} has no packer template_file (an external_command image needs the ExternalBaker)`);
    const templateFile = path.resolve(this.opts.bundleDir, config.template_file);
    if (!fs.existsSync(templateFile)) throw new Error(`packer template ${templateFile} not found`);
    const base = this.opts.env ?? process.env;

    const version = await packerVersion(this.packer, packerEnv(config, base), this.opts.bundleDir, this.opts.versionTimeoutMs ?? 60_000);
    log(`packer ${version} (${this.packer})`);

    const { glance, nova, networkId } = await openStackFor(config, this.opts.glance, this.opts.networkId, this.opts.nova);
    const network = await resolveNetwork(config, networkId, log, signal);
    const runId = runIdFor(image, req.workDir, (this.opts.now ?? (() => new Date()))());
    const names = temporaryImageNames(image, runId);
    const limits: TransferLimits = {
      transferMs: this.opts.transferTimeoutMs ?? config.timeouts_s.download * 1000,
      activeMs: this.opts.activeTimeoutMs ?? 600_000,
    };
    /** Images this run knows it created (id -> name); deleted in finally. */
    const created = new Map<string, string>();
    /** Keypairs this run may have created; deleted in finally. */
    const keypairs = new Set<string>();
    /** packer's TMPDIR: it writes each env var file (site values) there before the upload. */
    const tmpDir = path.join(req.workDir, PACKER_TMP_DIR);

    await sweepTemporaryImages(glance, image, runId, new Map(), log);
    await sweepBuildKeypairs(nova, image, runId, new Set(), log);
    try {
      const sourceId = await uploadSource(glance, config, req.sourceFile, names.source, created, limits, log, signal);
      const keypair = await createBuildKeypair(nova, image, runId, req.workDir, keypairs, log, signal);

      const manifestPath = path.join(req.workDir, 'packer-manifest.json');
      fs.rmSync(manifestPath, { force: true });
      const own = { sourceImage: sourceId, imageName: names.artifact, manifestPath, network, sshKeypairName: keypair.name, sshPrivateKeyFile: keypair.keyFile };
      const args = packerBuildArgs(config, own, templateFile);
      fs.rmSync(tmpDir, { recursive: true, force: true });
      fs.mkdirSync(tmpDir, { mode: 0o700 });
      await runPackerBuild(this.packer, args, packerEnv(config, base, { values: req.siteValues, tmpDir }), this.opts.bundleDir, req, {
        timeoutMs: config.timeouts_s.packer * 1000,
        killGraceMs: this.opts.killGraceMs ?? 120_000,
      });

      const artifact = await downloadArtifact(glance, manifestArtifactId(manifestPath), names.artifact, req.workDir, created, limits, log, signal);
      return { ...artifact, toolVersions: { packer: version } };
    } catch (e) {
      if (e instanceof Cancelled) throw new Error(e.message);
      throw e;
    } finally {
      fs.rmSync(path.join(req.workDir, BUILD_KEY_FILE), { force: true });
      fs.rmSync(tmpDir, { recursive: true, force: true });
      await sweepBuildKeypairs(nova, image, runId, keypairs, log);
      await sweepTemporaryImages(glance, image, runId, created, log);
    }
  }
}
