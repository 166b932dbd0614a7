// The registry of goldsmith commands. To add one: write lib/cli/<name>.ts exporting a Command, list it here.
import { buildCommandDefault } from './build';
import { doctorCommand } from './doctor';
import { Command } from './command';
import { validateCommand } from './validate';

export const COMMANDS: readonly Command[] = [validateCommand, buildCommandDefault, doctorCommand];
