// docs/ci: both pipelines parse, and each runs validate, goldsmith diff on merge requests,
// cdktf diff for every environment of the bundled catalog, deploy only on the default branch and
// a scheduled promote job; CHECKPOINT_DISABLE is set and no secret is put on a command line.
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
/** The file without its comment lines (which explain, e.g., why there is no `set -x`). */
const code = (source: string) => source.split('\n').filter((line) => !/^\s*#/.test(line)).join('\n');
const ENVIRONMENTS = Object.keys(parse(read('config/environments.yaml')).environments).sort();

type Job = Record<string, unknown>;
const text = (x: unknown) => JSON.stringify(x);
const scriptOf = (job: Job) => text([job.before_script, job.script]);
const runsOf = (job: Job) => text(((job.steps ?? []) as Job[]).map((s) => s.run));

describe('docs/ci/gitlab-ci.yml', () => {
  const source = read('docs/ci/gitlab-ci.yml');
  const doc = parse(source) as Record<string, Job> & { variables: Record<string, string> };
  const job = (name: string) => {
    expect(doc[name]).toBeDefined();
    return doc[name];
  };
  const rules = (j: Job) => text(j.rules);

  test('validate, then goldsmith diff posted to the merge request', () => {
    expect(scriptOf(job('validate'))).toContain('goldsmith -- validate');
    const review = job('review');
    expect(scriptOf(review)).toContain('goldsmith -- diff --base \\"$CI_MERGE_REQUEST_DIFF_BASE_SHA\\" --format markdown');
    expect(scriptOf(review)).toContain('/merge_requests/${CI_MERGE_REQUEST_IID}/notes');
    expect(rules(review)).toContain('merge_request_event');
    expect(review.needs).toEqual(['validate']);
  });

  test('cdktf diff for every environment on merge requests, deploy only on the default branch', () => {
    const plan = job('plan');
    expect((plan.parallel as { matrix: { GOLDSMITH_ENV: string[] }[] }).matrix[0].GOLDSMITH_ENV.sort()).toEqual(ENVIRONMENTS);
    expect(scriptOf(plan)).toContain('diff \\"$GOLDSMITH_ENV\\"');
    expect(rules(plan)).toContain('merge_request_event');
    const deploy = job('deploy');
    expect((deploy.parallel as { matrix: { GOLDSMITH_ENV: string[] }[] }).matrix[0].GOLDSMITH_ENV.sort()).toEqual(ENVIRONMENTS);
    expect(scriptOf(deploy)).toContain('deploy \\"$GOLDSMITH_ENV\\" --auto-approve');
    expect(deploy.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"' }]);
  });

  test('a scheduled promote job that opens a merge request', () => {
    const promote = job('promote');
    expect(rules(promote)).toContain('$CI_PIPELINE_SOURCE == \\"schedule\\"');
    expect(scriptOf(promote)).toContain('goldsmith -- promote \\"$env\\" || failed=1');
    expect(scriptOf(promote)).toContain('merge_request.create');
    expect(doc.variables.GOLDSMITH_ENVIRONMENTS.split(' ').sort()).toEqual(ENVIRONMENTS);
  });

  test('no telemetry, no secret on a command line or in the log', () => {
    expect(doc.variables.CHECKPOINT_DISABLE).toBe('1');
    expect(code(source)).not.toMatch(/set -x|set -o xtrace/);
    expect(source).not.toMatch(/https:\/\/[^"\s]*\$\{?GOLDSMITH_BOT_TOKEN/);
    expect(source).not.toMatch(/(echo|cat|printf)[^\n]*\$\{?(CLOUDS_YAML|PLAN_CLOUDS_YAML|AWS_SECRET_ACCESS_KEY)/);
  });
});

describe('docs/ci/github-actions.yml', () => {
  const source = read('docs/ci/github-actions.yml');
  const doc = parse(source) as { on: Record<string, unknown>; env: Record<string, string>; jobs: Record<string, Job> };
  const job = (name: string) => {
    expect(doc.jobs[name]).toBeDefined();
    return doc.jobs[name];
  };

  test('validate, then goldsmith diff posted to the pull request', () => {
    expect(runsOf(job('validate'))).toContain('goldsmith -- validate');
    const review = job('review');
    expect(review.if).toBe("github.event_name == 'pull_request'");
    expect(runsOf(review)).toContain('goldsmith -- diff --base \\"$BASE_SHA\\" --format markdown');
    expect(runsOf(review)).toContain('gh pr comment');
    expect(review.needs).toBe('validate');
  });

  test('cdktf diff for every environment on pull requests, deploy only on the default branch', () => {
    const plan = job('plan');
    expect(String(plan.if)).toContain("github.event_name == 'pull_request'");
    expect([...(plan.strategy as { matrix: { environment: string[] } }).matrix.environment].sort()).toEqual(ENVIRONMENTS);
    expect(runsOf(plan)).toContain('diff \\"$GOLDSMITH_ENV\\"');
    const deploy = job('deploy');
    expect(deploy.if).toBe("github.event_name == 'push' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)");
    expect([...(deploy.strategy as { matrix: { environment: string[] } }).matrix.environment].sort()).toEqual(ENVIRONMENTS);
    expect(runsOf(deploy)).toContain('deploy \\"$GOLDSMITH_ENV\\" --auto-approve');
  });

  test('a scheduled promote job that opens a pull request', () => {
    expect(doc.on.schedule).toEqual([{ cron: expect.any(String) }]);
    const promote = job('promote');
    expect(String(promote.if)).toContain("github.event_name == 'schedule'");
    expect(runsOf(promote)).toContain('goldsmith -- promote \\"$env\\" || failed=1');
    expect(runsOf(promote)).toContain('gh pr create');
    expect(doc.env.GOLDSMITH_ENVIRONMENTS.split(' ').sort()).toEqual(ENVIRONMENTS);
  });

  test('no telemetry; secrets only through env, never in a run line', () => {
    expect(doc.env.CHECKPOINT_DISABLE).toBe('1');
    expect(code(source)).not.toMatch(/set -x|set -o xtrace/);
    for (const j of Object.values(doc.jobs)) expect(runsOf(j)).not.toContain('secrets.');
    expect(permissionsOf(doc)).toEqual({ contents: 'read' });
  });
});

function permissionsOf(doc: object): unknown {
  return (doc as { permissions?: unknown }).permissions;
}
