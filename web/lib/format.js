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
