/**
 * Integration: a VRRP director pair (keepalived on both directors, the IPVS sync daemon between them).
 * The healthy pair passes every check, its failover included; each failover assertion fails on a pair
 * broken on purpose: VRRP adverts dropped (split brain: the holders and the preemption), the backup's
 * keepalived killed (the takeover, the gateway, the outage, the download); a NAT pair (the real servers'
 * gateway floats with the VIP) whose sync messages never reach the backup (the download).
 */
import { PAIR_CASES, registerBrokenLabs } from '../helpers/broken-labs.js';

registerBrokenLabs(PAIR_CASES);
