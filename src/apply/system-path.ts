/**
 * The PATH lvslab hands to the commands it runs and to the microVM's guest: the caller's, without
 * node_modules/.bin. Run through npx or an npm script, PATH starts there, and a JS package's `nft`
 * or `ip` would shadow the system tool lvslab relies on.
 */
export function systemPath(path: string | undefined = process.env.PATH): string {
  const kept = (path ?? '').split(':').filter((dir) => dir !== '' && !/(^|\/)node_modules\/\.bin\/?$/.test(dir));
  return kept.length > 0 ? kept.join(':') : '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
}
