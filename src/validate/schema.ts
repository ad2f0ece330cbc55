/**
 * The topology format as a JSON Schema: one source for editors (topologies/lvslab.schema.json is
 * generated from it and a test keeps the two equal), for the shape checker, and for the README's
 * topology reference. `x-allowed` words what a pattern allows, for error messages.
 */
import { CHECK_TYPES, MODES, PROTOCOLS, SCHEDULERS } from '../model/lab.js';
import { LAB_NAME_MAX, LAB_NAME_PATTERN, NETWORK_NAME_MAX, NETWORK_NAME_PATTERN, NODE_NAME_MAX, NODE_NAME_PATTERN } from '../model/naming.js';

export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: SchemaNode;
  items?: SchemaNode;
  minItems?: number;
  maxItems?: number;
  enum?: readonly string[];
  pattern?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  format?: 'ipv4' | 'cidr' | 'ipv6' | 'cidr6' | 'ip';
  anyOf?: SchemaNode[];
  default?: unknown;
  'x-allowed'?: string;
}

function source(pattern: RegExp): string {
  return pattern.source;
}

const ipv4: SchemaNode = { type: 'string', format: 'ipv4', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$', 'x-allowed': 'an IPv4 address such as 10.10.0.5' };
const ipv6: SchemaNode = {
  type: 'string',
  format: 'ipv6',
  pattern: '^[0-9A-Fa-f:.]+$',
  'x-allowed': 'an IPv6 address such as fd00:10::100 (no zone, not link-local)',
};
const anyIp: SchemaNode = {
  type: 'string',
  format: 'ip',
  pattern: '^[0-9A-Fa-f:.]+$',
  'x-allowed': 'an IPv4 address such as 10.10.0.5 or an IPv6 address such as fd00:10::100',
};
const nodeName: SchemaNode = {
  type: 'string',
  pattern: source(NODE_NAME_PATTERN),
  maxLength: NODE_NAME_MAX,
  'x-allowed': `lowercase letters and digits, starting with a letter, at most ${NODE_NAME_MAX} characters`,
};
const networkName: SchemaNode = {
  type: 'string',
  pattern: source(NETWORK_NAME_PATTERN),
  maxLength: NETWORK_NAME_MAX,
  'x-allowed': `lowercase letters and digits, starting with a letter, at most ${NETWORK_NAME_MAX} characters`,
};
const weight: SchemaNode = { type: 'integer', minimum: 0, maximum: 65535, description: 'IPVS weight; 0 takes the real server out of rotation.' };
const port: SchemaNode = { type: 'integer', minimum: 1, maximum: 65535 };
const confFile: SchemaNode = {
  type: 'string',
  pattern: '^[^\n]+$',
  maxLength: 4096,
  'x-allowed': 'a path to a keepalived.conf',
  description: 'A keepalived.conf file.',
};
const seconds = (description: string, fallback: number): SchemaNode => ({ type: 'number', minimum: 0.1, maximum: 60, default: fallback, description });

/** keepalived's checker for a service; the defaults take a dead service out within 1.5 s, a silent one within 5.5 s. */
const healthCheck: SchemaNode = {
  type: 'object',
  additionalProperties: false,
  description: 'How keepalived checks the real servers (needs `keepalived`).',
  properties: {
    type: {
      type: 'string',
      enum: CHECK_TYPES,
      description:
        'tcp: a connection (TCP_CHECK); http: GET path, expect the status (HTTP_GET); udp: a datagram answered (UDP_CHECK); ' +
        'none: never removed. Default: tcp for tcp services, udp for udp services.',
    },
    port: { ...port, description: "Port the checker connects to; default: the member's port." },
    path: {
      type: 'string',
      pattern: '^/[A-Za-z0-9._~%/?=&:@+,;-]*$',
      maxLength: 200,
      'x-allowed': 'a URL path such as /health (letters, digits and ._~%/?=&:@+,;-)',
      default: '/',
      description: 'http only: the path asked for.',
    },
    expect: { type: 'integer', minimum: 100, maximum: 599, default: 200, description: 'http only: the status code a healthy server answers.' },
    interval: seconds('Seconds between checks (delay_loop).', 1),
    timeout: seconds('Seconds a check may take (connect_timeout).', 2),
    retries: { type: 'integer', minimum: 0, maximum: 10, default: 1, description: 'Further attempts before a real server counts as dead (retry).' },
    retryDelay: seconds('Seconds between those attempts (delay_before_retry).', 0.5),
  },
};

export const topologySchema: SchemaNode & { $schema: string; $id: string; title: string } = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://lvslab.dev/schema/lvslab.schema.json',
  title: 'lvslab topology',
  type: 'object',
  description: 'A Linux Virtual Server lab: clients behind a gateway, a director owning the VIP, real servers.',
  required: ['name', 'mode'],
  additionalProperties: false,
  properties: {
    name: {
      type: 'string',
      pattern: source(LAB_NAME_PATTERN),
      maxLength: LAB_NAME_MAX,
      description: 'Lab name; prefixes every namespace (<name>-<node>).',
      'x-allowed': `lowercase letters and digits in words joined by single dashes, at most ${LAB_NAME_MAX} characters`,
    },
    mode: { type: 'string', enum: MODES, description: 'LVS forwarding mode: nat (-m), dr (-g), tun (-i), fullnat (-m plus source NAT).' },
    vip: { ...ipv4, description: "Default virtual IP of every service; default: host .100 of the director's network." },
    vip6: {
      ...ipv6,
      description: "Default IPv6 virtual IP of a dual-stack lab's services; default: ::100 of the director's network's subnet6.",
    },
    networks: {
      type: 'object',
      description:
        'L2 segments (one bridge each), all routed by the gateway. Default: outside 198.51.100.0/24 (clients) and lan 10.10.0.0/24 (director, real servers).',
      propertyNames: networkName,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['subnet'],
        properties: {
          subnet: { type: 'string', format: 'cidr', 'x-allowed': 'a subnet such as 10.10.0.0/24, prefix 8 to 30, no host bits' },
          subnet6: {
            type: 'string',
            format: 'cidr6',
            'x-allowed': 'an IPv6 subnet such as fd00:10::/64, prefix 48 to 112, no host bits, not link-local or multicast',
            description:
              "The network's IPv6 subnet: the network is dual-stack, and each node on it gets the IPv6 address that mirrors its IPv4 host " +
              '(.11 -> ::11). With the default networks, a service of family ipv6 or dual gives them 2001:db8:100::/64 and fd00:10::/64.',
          },
        },
      },
    },
    clients: {
      description: 'A count (default 1) or a list of clients.',
      anyOf: [
        { type: 'integer', minimum: 1, maximum: 16 },
        {
          type: 'array',
          minItems: 1,
          maxItems: 16,
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: { ...nodeName, description: 'Default: client, client2, ...' },
              network: { ...networkName, description: 'Default: outside.' },
              address: { ...ipv4, description: 'Default: the next free host from .10 up on its network.' },
              address6: { ...ipv6, description: 'Its IPv6 address on a dual-stack network; default: the mirror of its IPv4 host (.11 -> ::11).' },
            },
          },
        },
      ],
    },
    gateway: {
      type: 'object',
      description: 'The router between clients and the LAN; it has an address on every network (default host .1).',
      additionalProperties: false,
      properties: {
        name: { ...nodeName, description: 'Default: gateway.' },
        addresses: {
          type: 'object',
          propertyNames: networkName,
          additionalProperties: ipv4,
          description: "Per network, the gateway's address there; default: host .1.",
        },
        addresses6: {
          type: 'object',
          propertyNames: networkName,
          additionalProperties: ipv6,
          description: "Per dual-stack network, the gateway's IPv6 address there; default: the mirror of its IPv4 address (::1).",
        },
      },
    },
    director: {
      type: 'object',
      description: 'The LVS director; it owns the VIP. Default: network lan, host .2.',
      additionalProperties: false,
      properties: {
        name: { ...nodeName, description: 'Default: director.' },
        network: { ...networkName, description: 'Default: lan.' },
        address: { ...ipv4, description: 'Default: host .2 of its network.' },
        address6: { ...ipv6, description: 'Its IPv6 address on a dual-stack network; default: ::2 of the subnet6.' },
      },
    },
    directors: {
      description:
        'A VRRP director pair instead of `director` (needs `keepalived`; every mode): 2, or a list of two. The first is the master; ' +
        'keepalived moves the VIP to the other when it fails.',
      anyOf: [
        { type: 'integer', minimum: 2, maximum: 2 },
        {
          type: 'array',
          minItems: 2,
          maxItems: 2,
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: { ...nodeName, description: 'Default: director1, director2.' },
              network: { ...networkName, description: "Default: lan; both directors share the first one's network." },
              address: { ...ipv4, description: 'Default: hosts .2 and .3 of the network.' },
              address6: { ...ipv6, description: 'Its IPv6 address on a dual-stack network; default: the mirror of its IPv4 host.' },
              priority: { type: 'integer', minimum: 1, maximum: 254, description: 'VRRP priority; default 150, 100 (the first is the master).' },
            },
          },
        },
      ],
    },
    realServers: {
      // 244: hosts .10 to .254 of the default /24 LAN, less the VIP (.100); a count must fit the default.
      description: 'A count (default 2; at most 244, the free hosts of a /24 from .10 up besides the VIP) or a list of real servers.',
      anyOf: [
        { type: 'integer', minimum: 1, maximum: 244 },
        {
          type: 'array',
          minItems: 1,
          maxItems: 250,
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: { ...nodeName, description: 'Default: rs1, rs2, ...' },
              network: { ...networkName, description: "Default: the director's network." },
              address: { ...ipv4, description: 'Default: the next free host from .10 up on its network.' },
              address6: { ...ipv6, description: 'Its IPv6 address on a dual-stack network; default: the mirror of its IPv4 host (.11 -> ::11).' },
              weight: { ...weight, default: 1 },
              gateway: { ...ipv4, description: "Default route: the director's address in nat mode, else the gateway's address on this network." },
            },
          },
        },
      ],
    },
    keepalived: {
      description:
        "keepalived on the director writes the IPVS table and checks the real servers' health: `true`, or a map. " +
        'A dead real server leaves the table within interval + timeout + retries x (retryDelay + timeout) seconds.',
      anyOf: [
        { type: 'boolean' },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            check: { ...healthCheck, description: "Every service's health check unless the service sets its own." },
            vrrp: {
              type: 'object',
              additionalProperties: false,
              description: 'The VRRP instance of a director pair.',
              properties: {
                routerId: { type: 'integer', minimum: 1, maximum: 255, default: 51, description: 'virtual_router_id; both directors must agree.' },
                advertInterval: {
                  type: 'number',
                  minimum: 0.1,
                  maximum: 10,
                  default: 1,
                  description: 'Seconds between adverts (advert_int); a backup takes over after about three missed ones. Below 1 s: VRRP version 3.',
                },
              },
            },
            sync: {
              type: 'boolean',
              default: true,
              description:
                "A pair's IPVS sync daemon (lvs_sync_daemon): the backup knows the master's connections, so they survive a failover. " +
                "Not in fullnat (default false there, true refused): its source NAT's state is netfilter's conntrack, which the sync daemon does not copy.",
            },
            config: {
              description:
                'Bring your own keepalived.conf: a file (one director) or a list of one file per director (a pair: the master first), relative to ' +
                "the topology. The directors run them as written; the lab's services, VRRP instance and priorities come from them (no `services`, " +
                '`vip`, `check`, `vrrp` or `sync` beside it). lvslab reads global_defs, vrrp_instance and virtual_server with TCP_CHECK, HTTP_GET or ' +
                'UDP_CHECK, and refuses anything else with its file:line.',
              anyOf: [{ ...confFile }, { type: 'array', minItems: 1, maxItems: 2, items: confFile }],
            },
          },
        },
      ],
    },
    scenarios: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      description:
        'Named timelines run on the running lab by `lvslab scenario` (and by `lvslab test` after verify): steps of `fault`, `wait`, `load` ' +
        'and `expect`, one key a step, each expectation judged where it stands.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'steps'],
        properties: {
          name: {
            type: 'string',
            pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$',
            maxLength: 40,
            'x-allowed': 'lowercase letters and digits in words joined by - (at most 40)',
            description: 'What `lvslab scenario FILE NAME` runs.',
          },
          steps: {
            type: 'array',
            minItems: 1,
            maxItems: 100,
            description: 'In order; a step that fails ends its scenario.',
            items: {
              type: 'object',
              additionalProperties: false,
              properties: {
                fault: {
                  type: 'string',
                  pattern: '^[^\\n]+$',
                  maxLength: 100,
                  'x-allowed': 'KIND TARGET [VALUE], as `lvslab fault` takes them',
                  description: 'A fault, as `lvslab fault LAB` takes it: `kill-service rs1`, `link-down director1`, `loss client 10`, ...',
                },
                wait: { type: 'number', minimum: 0.1, maximum: 300, description: 'Seconds to wait.' },
                load: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['requests'],
                  description: 'Requests to every service from the first client.',
                  properties: {
                    requests: { type: 'integer', minimum: 1, maximum: 200, description: 'Requests per service.' },
                    answered: {
                      description: 'What must be answered: all (default), none, or at least this percent.',
                      anyOf: [
                        { type: 'string', enum: ['all', 'none'] },
                        { type: 'number', minimum: 0, maximum: 100 },
                      ],
                    },
                  },
                },
                expect: {
                  type: 'object',
                  additionalProperties: false,
                  description: 'One expectation: `out`, `in`, `vipOn` (with `within`) or `servedBy`.',
                  properties: {
                    out: { ...nodeName, description: "This real server leaves the IPVS table of the VIP's director (needs keepalived)." },
                    in: { ...nodeName, description: 'This real server is in that table again (needs keepalived).' },
                    vipOn: { ...nodeName, description: 'This director alone holds the VIP (needs a director pair).' },
                    servedBy: { type: 'array', minItems: 1, items: nodeName, description: 'The last load was answered by these real servers only.' },
                    within: {
                      type: 'number',
                      minimum: 0.1,
                      maximum: 300,
                      description: 'Seconds it may take; default: the check budget (out), interval + timeout (in), five adverts + 2 s (vipOn), plus 1 s.',
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    services: {
      type: 'array',
      minItems: 1,
      description: 'Virtual services. Default: tcp 80 and udp 80 on the VIP, every real server, rr.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['port'],
        properties: {
          protocol: { type: 'string', enum: PROTOCOLS, default: 'tcp', description: 'udp services answer one datagram per request.' },
          port: { ...port, description: 'Port of the virtual service on the VIP.' },
          vip: { ...anyIp, description: 'Default: the lab vip (and vip6 in a dual-stack lab). An IPv6 address makes the service ipv6 only.' },
          family: {
            type: 'string',
            enum: ['ipv4', 'ipv6', 'dual'],
            description: "Which VIPs serve it: ipv4 (vip), ipv6 (vip6) or dual (both). Default: dual when the director's network has a subnet6, else ipv4.",
          },
          realPort: { ...port, description: 'Port on the real servers (nat and fullnat only may differ from port).' },
          scheduler: { type: 'string', enum: SCHEDULERS, default: 'rr', description: 'IPVS scheduler (ipvsadm -s).' },
          persistence: { type: 'integer', minimum: 1, maximum: 86400, description: 'Persistence timeout in seconds (ipvsadm -p).' },
          realServers: { type: 'array', minItems: 1, items: nodeName, description: 'Members by name; default: every real server.' },
          weights: {
            type: 'object',
            propertyNames: nodeName,
            additionalProperties: weight,
            description: "Per-member weight overriding the real server's weight.",
          },
          check: healthCheck,
        },
      },
    },
  },
};
