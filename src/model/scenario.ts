/**
 * A scenario: a named timeline of steps run on a running lab (`lvslab scenario`, and `lvslab test` after verify):
 * faults, waits, client load through the VIPs, and expectations, each expectation judged where it stands.
 */
import type { Fault } from './fault.js';

export type ScenarioStep =
  /** Inject a fault, as `lvslab fault` does. */
  | { kind: 'fault'; fault: Fault; text: string }
  | { kind: 'wait'; seconds: number }
  /** `requests` requests to every service from the first client; `answered`: all, none, or at least that percent. */
  | { kind: 'load'; requests: number; answered: 'all' | 'none' | number }
  /** A real server leaves (out) or joins (in) the table of the director holding the VIP, within the time given. */
  | { kind: 'table'; realServer: string; present: boolean; within: number }
  /** The VIP is held by this director alone, within the time given. */
  | { kind: 'vip'; director: string; within: number }
  /** The last load was answered by these real servers only. */
  | { kind: 'servedBy'; realServers: string[] };

export interface Scenario {
  name: string;
  steps: ScenarioStep[];
}
