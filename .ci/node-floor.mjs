// Is this Node new enough for lvslab? The floor is package.json's engines.node (">=MAJOR.MINOR"), read here
// so that .ci/provision and the Vagrant path check one number. Plain JavaScript: Debian's Node 18 runs it.
// Exit 0 new enough, 1 too old (and says so), 2 an engines field it cannot read.
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';

const wanted = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines?.node;
const floor = /^>=(\d+)\.(\d+)$/.exec(wanted ?? '');
if (!floor) {
  console.error(`package.json engines.node is ${JSON.stringify(wanted)}: expected >=MAJOR.MINOR`);
  process.exit(2);
}
const [major, minor] = process.versions.node.split('.').map(Number);
const [wantMajor, wantMinor] = [Number(floor[1]), Number(floor[2])];
if (major > wantMajor || (major === wantMajor && minor >= wantMinor)) process.exit(0);
console.error(`node ${process.version} is older than ${wantMajor}.${wantMinor} (package.json engines.node)`);
process.exit(1);
