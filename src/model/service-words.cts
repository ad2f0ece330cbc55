/**
 * The real servers' service's own words, in a CommonJS module: the service itself is one (a CommonJS entry
 * starts about 80 ms sooner than an ES module under emulation) and cannot load an ES module's values.
 */
/** The name the service's processes show (their comm): what `lvslab fault kill-service` and the leak checks look for. */
export const SERVICE_PROGRAM = 'lvslab-service';
/** What the service prints on stdout once every listener is bound (the executor waits for it). */
export const SERVICE_READY = 'lvslab-service ready';
