#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm ci` (the prepare script).
import('../dist/src/cli/main.js')
  .then((cli) => cli.main(process.argv))
  .catch((error) => {
    process.stderr.write(`blaster-triage: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
