/**
 * The validation rules every mode applies, driven by its facts: where real servers may sit, what
 * their gateway must be, whether ports may map. The messages say why, in the mode's terms.
 */
import type { Mode } from '../model/lab.js';
import type { YamlPath } from '../model/problems.js';
import type { ModeFacts, RealServerPlacement, RuleProblem } from './lvs-mode.js';

/** A real server's network and gateway against the mode. */
export function realServerRules(mode: Mode, facts: ModeFacts, p: RealServerPlacement): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const { server } = p;
  if (facts.sameSegment && server.network !== p.directorNetwork) {
    problems.push({
      path: p.networkPath,
      message: `real server ${server.name} is on network "${server.network}"; ${facts.sameSegment} ("${p.directorNetwork}")`,
    });
  }
  if (server.gateway === undefined) return problems;
  if (facts.realServerGateway === 'director') {
    if (server.gateway !== p.directorAddress) {
      problems.push({
        path: p.gatewayPath,
        message: `in ${mode} mode a real server's gateway must be the director (${p.directorAddress}): replies must come back through it to be un-NATed`,
      });
    }
  } else if (server.gateway === p.directorAddress) {
    const router = p.routerAddress !== undefined ? ` (${p.routerAddress})` : '';
    problems.push({
      path: p.gatewayPath,
      message: `in ${mode} mode a real server's gateway must not be the director (${p.directorAddress}): replies go through the gateway${router}`,
    });
  } else if (p.routerAddress !== undefined && server.gateway !== p.routerAddress) {
    problems.push({
      path: p.gatewayPath,
      message: `gateway ${server.gateway} is not a router of network "${server.network}"; allowed: ${p.routerAddress} (the gateway)`,
    });
  }
  return problems;
}

/** A service's real port against the mode. */
export function portRules(mode: Mode, facts: ModeFacts, port: number, realPort: number, path: YamlPath): RuleProblem[] {
  if (facts.portMapping === true || realPort === port) return [];
  return [{ path, message: `${mode} cannot map ports (the ${facts.portMapping.why}): realPort must equal port ${port}` }];
}
