/** What the verbs share: the --runner option. */
export const RUNNER_OPTION = { runner: { type: 'string', default: 'auto' } } as const;
