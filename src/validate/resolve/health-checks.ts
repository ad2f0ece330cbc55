/**
 * Resolver 7: keepalived's health checks. Each service's check is its own `check`, else the lab's
 * `keepalived.check`, else the default for its protocol; a check must suit the protocol it checks.
 */
import type { HealthCheck, Protocol, Service } from '../../model/lab.js';
import type { RawCheck, ResolveContext } from './raw.js';

/**
 * The defaults: a dead service (its port refuses, or answers with ICMP unreachable) is seen within
 * interval + retryDelay, 1.5 s; a silent one within the budget, 5.5 s. A 2 s timeout, not 1: under
 * emulation with one vCPU an answer can take over a second on a busy guest (it did when socat forked a shell per datagram).
 */
export const CHECK_DEFAULTS = { interval: 1, timeout: 2, retries: 1, retryDelay: 0.5 } as const;

/** Which check types can check a service of each protocol, and why not the others. */
const SUITS: Record<Protocol, { types: readonly string[]; why: string }> = {
  tcp: { types: ['tcp', 'http', 'none'], why: 'a tcp service is checked by a connection (tcp), a request (http) or not at all (none)' },
  udp: { types: ['udp', 'none'], why: 'a udp service answers datagrams: check it with udp, or none' },
};

/** The services with their checks when the lab runs keepalived; a check without keepalived is refused. */
export function resolveHealthChecks({ raw, report }: ResolveContext, services: Service[], rawChecks: Array<RawCheck | undefined>): Service[] {
  const keepalived = raw.keepalived;
  if (keepalived === undefined || keepalived === false) {
    rawChecks.forEach((check, i) => {
      if (check) report(['services', i, 'check'], 'a health check needs keepalived, which runs the checks: add `keepalived: true` to the lab');
    });
    return services;
  }
  const labCheck = typeof keepalived === 'object' ? keepalived.check : undefined;
  return services.map((service, i) => {
    const own = rawChecks[i];
    const path = own ? ['services', i, 'check'] : ['keepalived', 'check'];
    const merged: RawCheck = { ...labCheck, ...own };
    const type = merged.type ?? (service.protocol === 'tcp' ? 'tcp' : 'udp');
    const suits = SUITS[service.protocol];
    if (!suits.types.includes(type)) report([...path, 'type'], `${type} cannot check ${service.protocol} ${service.vip}:${service.port}: ${suits.why}`);
    if (type !== 'http') {
      for (const key of ['path', 'expect'] as const) {
        if (merged[key] !== undefined) report([...path, key], `${key} is for http checks only; this check's type is ${type}`);
      }
    }
    const check: HealthCheck = {
      type,
      interval: merged.interval ?? CHECK_DEFAULTS.interval,
      timeout: merged.timeout ?? CHECK_DEFAULTS.timeout,
      retries: merged.retries ?? CHECK_DEFAULTS.retries,
      retryDelay: merged.retryDelay ?? CHECK_DEFAULTS.retryDelay,
    };
    if (merged.port !== undefined) check.port = merged.port;
    if (type === 'http') Object.assign(check, { path: merged.path ?? '/', expect: merged.expect ?? 200 });
    return { ...service, check };
  });
}
