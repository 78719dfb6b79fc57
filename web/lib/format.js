// Small formatting rules shared by the pages.

export function when(ts) {
  return ts && !String(ts).startsWith("0001-") ? new Date(ts).toLocaleString() : "";
}

export function userLabel(u) {
  if (!u) return "";
  const name = [u.first_name, u.last_name].filter(Boolean).join(" ");
  return name ? `${name} <${u.email}>` : u.email || u.id;
}

export const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A number of the currency's major unit (15.5 dollars) as money text. */
export function amount(major, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(major);
  } catch (_) {
    return `${major} ${currency}`;
  }
}

/** An integer of the currency's minor units (1550 cents) as money text, with the currency's decimals. */
export function money(minor, currency) {
  let digits = 2;
  try {
    digits = new Intl.NumberFormat(undefined, { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
  } catch (_) { /* an unknown code: assume cents */ }
  return amount(minor / 10 ** digits, currency);
}
