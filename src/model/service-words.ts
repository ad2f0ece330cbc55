/** The real servers' service's own words (src/apply/real-server-service.pl writes the same). */
/** The name the service's processes show (their comm): what `lvslab fault kill-service` and the leak checks look for. */
export const SERVICE_PROGRAM = 'lvslab-service';
/** What the service prints on stdout once every listener is bound (the executor waits for it). */
export const SERVICE_READY = 'lvslab-service ready';
