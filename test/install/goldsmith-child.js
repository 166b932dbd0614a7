// The goldsmith CLI for child processes of the install tests (with test/runner/register-ts.js
// preloaded): the registered commands, plus `install` while commands.ts does not list it yet.
'use strict';
const { main, processIo } = require('../../lib/cli/main.ts');
const { COMMANDS } = require('../../lib/cli/commands.ts');
const { installCommand } = require('../../lib/cli/install.ts');

const commands = COMMANDS.some((c) => c.name === 'install') ? COMMANDS : [...COMMANDS, installCommand];
main(process.argv.slice(2), processIo(), commands).then((code) => {
  process.exitCode = code;
});
