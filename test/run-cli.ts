// Runs the CLI from source (tests spawn it as a separate process, e.g. to kill it mid-load).
import { run } from '../src/cli/main.js';

process.exitCode = await run(process.argv);
