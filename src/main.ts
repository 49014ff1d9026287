#!/usr/bin/env node
import { loadConfig } from './config.js';
import { runCli } from './cli/program.js';

/** The binary's entry and the one place that reads the environment; everything else receives what it needs. */
const exitCode = await runCli(process.argv.slice(2), {
  loadConfig: () => loadConfig(process.env),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
process.exitCode = exitCode;
