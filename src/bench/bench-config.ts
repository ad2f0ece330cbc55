/**
 * What `lvslab bench` measures, full or --quick. The rates make the director the bottleneck: its links
 * are slower than a real server's, and eight real servers' links together stay below what the
 * emulated machine forwards (about 100 Mbit/s measured in the microVM under TCG), so the machine
 * itself does not flatten the DR and TUN curves.
 */
import { MODES, type Mode } from '../model/lab.js';
import type { LinkRates } from './link-limits.js';

/**
 * The bench's parts: the cluster (offload, throughput, lab cost: its rates need the machine to itself) and
 * the high availability of a director pair (failovers and health checks: waits on VRRP's and the checkers' timers).
 */
export const BENCH_PARTS = ['cluster', 'ha'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

export interface BenchConfig {
  quick: boolean;
  /** What is measured; a part left out has nothing configured. */
  parts: BenchPart[];
  modes: Mode[];
  /** Offload: reply sizes in bytes, and requests per size. */
  replySizes: Array<{ bytes: number; requests: number }>;
  /** Real servers of the labs whose director traffic is counted. */
  offloadServers: number;
  /** The modes whose offload is counted over IPv6 too (a lab of their own: the IPv4 numbers stay comparable). */
  offload6Modes: Mode[];
  /** Throughput: real-server counts, link rates, and the load. */
  throughputServers: number[];
  rates: LinkRates;
  clients: number;
  connectionsPerClient: number;
  warmupSeconds: number;
  seconds: number;
  /** Lab cost: real-server counts of the DR labs brought up, verified and taken down. */
  scaleServers: number[];
  /** High availability: a DR pair's failovers per advert interval (with sync; some without), removals per check interval. */
  ha: { adverts: number[]; failovers: number; unsyncedFailovers: number; checkIntervals: number[]; removals: number };
}

const KIB = 1024;

export function benchConfig(quick: boolean, parts: readonly BenchPart[] = BENCH_PARTS): BenchConfig {
  const config = fullConfig(quick);
  const cluster = parts.includes('cluster');
  const ha = parts.includes('ha');
  return {
    ...config,
    parts: BENCH_PARTS.filter((p) => parts.includes(p)),
    modes: cluster ? config.modes : [],
    offload6Modes: cluster ? config.offload6Modes : [],
    throughputServers: cluster ? config.throughputServers : [],
    scaleServers: cluster ? config.scaleServers : [],
    ha: ha ? config.ha : { adverts: [], failovers: 0, unsyncedFailovers: 0, checkIntervals: [], removals: 0 },
  };
}

function fullConfig(quick: boolean): Omit<BenchConfig, 'parts'> {
  return {
    quick,
    modes: [...MODES],
    replySizes: [
      { bytes: KIB, requests: 10 },
      { bytes: 64 * KIB, requests: 10 },
      { bytes: 1024 * KIB, requests: 4 },
    ],
    offloadServers: 4,
    // --quick (the suite's bench stage) proves the IPv6 row of one mode that bypasses the director.
    offload6Modes: quick ? ['dr'] : ['dr', 'nat'],
    throughputServers: quick ? [4] : [1, 2, 4, 8],
    rates: { directorMbit: 5, serverMbit: 8 },
    clients: 2,
    // 16 downloads spread evenly by round robin over 1, 2, 4 or 8 real servers.
    connectionsPerClient: 8,
    // TCP's slow start and the first burst of the links' token buckets pass before the window opens. (4 s when each
    // download forked a shell under emulation: a 1.5 s warm-up then counted nothing or a burst; one service process now.)
    warmupSeconds: 2,
    seconds: 4,
    scaleServers: quick ? [] : [2, 8, 16, 32, 64],
    // 0.2 s: the lowest advert interval keepalived's VRRP version 3 is run at here (hundredths are allowed).
    ha: quick
      ? { adverts: [1], failovers: 1, unsyncedFailovers: 1, checkIntervals: [1], removals: 1 }
      : { adverts: [1, 0.2], failovers: 5, unsyncedFailovers: 3, checkIntervals: [1, 2], removals: 3 },
  };
}
