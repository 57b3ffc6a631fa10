/** What a block / allow list holds; rules compare its values with the fact of that kind. */
export const LIST_KINDS = ['device', 'ip', 'card', 'email', 'customer', 'merchant', 'other'] as const;
export type ListKind = (typeof LIST_KINDS)[number];

/**
 * The one spelling a list keeps of a value, and the one a fact is looked up by. An e-mail address is
 * matched without regard to case: mail providers deliver Fraud@Example.com and fraud@example.com to
 * the same inbox, so a block list that told them apart would let anyone past it by changing a letter's
 * case. An IP address is matched as an address, not as text: 2001:DB8:0::1 and 2001:db8::1 are one
 * IPv6 address (its RFC 5952 form, which WHATWG URL parsing produces), and ::ffff:10.0.0.1 is 10.0.0.1. Ids of devices, cards, customers
 * and merchants are the integrator's own and compared exactly.
 */
export function canonicalListValue(kind: ListKind, value: string): string {
  if (kind === 'email') return value.toLowerCase();
  if (kind === 'ip' && value.includes(':')) {
    try {
      const address = new URL(`http://[${value}]/`).hostname.slice(1, -1);
      const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(address);
      // An IPv4 client seen through a dual-stack socket (::ffff:10.0.0.1) is that IPv4 address.
      if (!mapped) return address;
      const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
      return [high >> 8, high & 255, low >> 8, low & 255].join('.');
    } catch {
      return value.toLowerCase(); // not an IPv6 address: the API refuses it on a list, a fact keeps its text
    }
  }
  return value;
}
