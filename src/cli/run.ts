/** Entry point when running from source (`node --import tsx src/cli/run.ts`), as the tests do. */
import { main } from './main.js';

await main(process.argv);
