// Project name -> id lookups shared by every image of a stack (one data source per name).
import { Construct, IConstruct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { DataOpenstackIdentityProjectV3 } from '../../.gen/providers/openstack/data-openstack-identity-project-v3';
import { claimTerraformAddress, terraformId } from './image-release';

const LOOKUP_ID = 'project-lookup';

/**
 * One `data.openstack_identity_project_v3.<name>` per project name per stack, created on first use
 * through the stack's default provider (which therefore needs to be allowed to list projects).
 */
export class ProjectLookup extends Construct {
  /** The lookup of the stack containing `scope` (created on first use). */
  public static of(scope: IConstruct): ProjectLookup {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild(LOOKUP_ID);
    if (existing instanceof ProjectLookup) return existing;
    if (existing) throw new Error(`construct id ${LOOKUP_ID} is taken in stack ${stack.node.id}`);
    return new ProjectLookup(stack, LOOKUP_ID);
  }

  private readonly projects = new Map<string, DataOpenstackIdentityProjectV3>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
  }

  /** The data source for project `name`. */
  public project(name: string): DataOpenstackIdentityProjectV3 {
    let project = this.projects.get(name);
    if (!project) {
      if (name.length === 0) throw new Error('project name must not be empty');
      const id = terraformId(name);
      claimTerraformAddress(this, `data.${DataOpenstackIdentityProjectV3.tfResourceType}.${id}`, `project ${name}`);
      project = new DataOpenstackIdentityProjectV3(this, id, { name });
      project.overrideLogicalId(id);
      this.projects.set(name, project);
    }
    return project;
  }

  /** The id (a token) of project `name`. */
  public projectId(name: string): string {
    return this.project(name).id;
  }
}
