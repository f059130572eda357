// Prints the experiment a share link (or its hash) sets up, as JSON: { config, ignored }. The e2e specs use it to
// read a page's URL with the app's own decoder (Playwright cannot load the engine's WGSL imports itself).
import { decodeExperiment } from '../src/session/experimentUrl';

const arg = process.argv.slice(2).find((a) => a !== '--');
if (!arg) {
  console.error('usage: vite-node scripts/decode-link.ts -- <link or #hash>');
  process.exit(2);
}
const hash = arg.includes('#') ? arg.slice(arg.indexOf('#') + 1) : arg;
console.log(JSON.stringify(decodeExperiment(hash)));
