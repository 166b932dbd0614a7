// The registry of goldsmith commands. To add one: write lib/cli/<name>.ts exporting a Command, list it here.
import { adoptCommand } from './adopt';
import { buildCommandDefault } from './build';
import { checkCommand } from './check';
import { diffCommand } from './diff';
import { docsCommand } from './docs';
import { doctorCommand } from './doctor';
import { importCommand } from './import';
import { installCommand } from './install';
import { promoteCommand } from './promote';
import { withdrawCommand } from './withdraw';
import { Command } from './command';
import { validateCommand } from './validate';

export const COMMANDS: readonly Command[] = [validateCommand, diffCommand, promoteCommand, withdrawCommand, importCommand, adoptCommand, docsCommand, buildCommandDefault, checkCommand, installCommand, doctorCommand];
